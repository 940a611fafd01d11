#include "tools/mock_server/protocol_handlers.h"

#include <strings.h>

#include <algorithm>
#include <charconv>

#include "common/json_limits.h"
#include "tools/mock_server/http_util.h"
#include "tools/mock_server/mutation_parser.h"

namespace syncagent::mock {
bool ProtocolHandlers::Authorized(const httplib::Request& req) const {
  if (token_.empty()) return true;
  const std::string header = req.get_header_value("Authorization");
  constexpr std::string_view kScheme = "bearer ";
  if (header.size() <= kScheme.size() ||
      strncasecmp(header.c_str(), kScheme.data(), kScheme.size()) != 0) {
    return false;
  }
  return header.substr(kScheme.size()) == token_;
}

void ProtocolHandlers::Handle(const httplib::Request& req, httplib::Response& res) const {
  if (!Authorized(req)) {
    SetError(res, 401, "unauthorized", "missing or invalid bearer token");
    return;
  }
  if (req.path == "/v1/push") {
    if (req.method != "POST") return SetMethodNotAllowed(res, "POST");
    return Push(req, res);
  }
  if (req.path == "/v1/pull") {
    if (req.method != "GET" && req.method != "HEAD") return SetMethodNotAllowed(res, "GET");
    return Pull(req, res);
  }
  SetError(res, 404, "not_found", "no such endpoint: " + req.path);
}

void ProtocolHandlers::Push(const httplib::Request& req, httplib::Response& res) const {
  // httplib already refused a Content-Length above the limit; this catches decompressed and
  // chunked bodies.
  if (req.body.size() > max_body_bytes_) {
    SetError(res, 413, "payload_too_large",
             "request body exceeds " + std::to_string(max_body_bytes_) + " bytes");
    return;
  }
  if (req.get_header_value("Idempotency-Key").empty()) {
    SetError(res, 400, "missing_idempotency_key", "the Idempotency-Key header is required");
    return;
  }
  if (JsonTextDepth(req.body, kMaxWireDepth) > kMaxWireDepth) {
    SetError(res, 400, "invalid_request",
             "request body is nested deeper than " + std::to_string(kMaxWireDepth) + " levels");
    return;
  }
  std::optional<nlohmann::json> body = faults::ParseJson(req.body);
  if (!body) {
    SetError(res, 400, "invalid_request", "request body is not valid JSON");
    return;
  }
  if (!body->is_object() || !body->contains("mutations") || !(*body)["mutations"].is_array()) {
    SetError(res, 400, "invalid_request", "mutations: an array is required");
    return;
  }
  const nlohmann::json& mutations = (*body)["mutations"];
  if (mutations.size() > kMaxMutationsPerPush) {
    SetError(res, 400, "invalid_request",
             "mutations: at most " + std::to_string(kMaxMutationsPerPush) + " per request");
    return;
  }
  std::string origin;
  if (auto member = body->find("origin"); member != body->end() && !member->is_null()) {
    if (!member->is_string() || !IsValidOrigin(member->get_ref<const std::string&>())) {
      SetError(res, 400, "invalid_request", std::string("origin: ") + kOriginRule);
      return;
    }
    origin = member->get<std::string>();
  }
  SyncState::PushOutcome outcome = state_->Push(mutations, origin);
  faults::SetJson(res, outcome.http_status, outcome.body);
}

void ProtocolHandlers::Pull(const httplib::Request& req, httplib::Response& res) const {
  size_t limit = kDefaultPullLimit;
  if (req.has_param("limit")) {
    const std::string text = req.get_param_value("limit");
    const char* end = text.data() + text.size();
    long long value = 0;
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    const bool huge = ec == std::errc::result_out_of_range && ptr == end && text[0] != '-';
    if (huge) {
      value = kMaxPullLimit;
    } else if (ec != std::errc() || ptr != end || value < 1) {
      SetError(res, 400, "invalid_request", "limit: must be an integer >= 1");
      return;
    }
    limit = static_cast<size_t>(std::min<long long>(value, kMaxPullLimit));
  }
  std::vector<std::string> collections = faults::SplitCommaList(req.get_param_value("collections"));
  for (const std::string& name : collections) {
    if (!IsValidCollectionName(name)) {
      SetError(res, 400, "invalid_request",
               "collections: invalid collection name \"" + name + "\"");
      return;
    }
  }
  std::sort(collections.begin(), collections.end());
  collections.erase(std::unique(collections.begin(), collections.end()), collections.end());
  const std::string skip_origin = req.get_param_value("skip_origin");
  if (!skip_origin.empty() && !IsValidOrigin(skip_origin)) {
    SetError(res, 400, "invalid_request", std::string("skip_origin: ") + kOriginRule);
    return;
  }
  int64_t max_bytes = 0;
  if (req.has_param("max_bytes")) {
    const std::string text = req.get_param_value("max_bytes");
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), max_bytes);
    if (ec != std::errc() || ptr != text.data() + text.size() || max_bytes < 1) {
      SetError(res, 400, "invalid_request", "max_bytes: must be an integer >= 1");
      return;
    }
  }
  const std::string cursor = req.get_param_value("cursor");
  StatusOr<SyncState::PullPage> page =
      state_->Pull(cursor, limit, collections, skip_origin, max_bytes);
  if (!page.ok()) {
    SetError(res, 400, "invalid_cursor", page.status().message());
    return;
  }
  const std::string requested_tag = PullEtag(cursor, collections);
  // 304 only when the cursor would not move: a page that skipped the puller's own changes moves
  // it past them, so they are not scanned again.
  if (page->changes.empty() && page->skipped == 0 && req.has_header("If-None-Match") &&
      IfNoneMatchMatches(req.get_header_value("If-None-Match"), requested_tag)) {
    res.status = 304;
    res.set_header("ETag", requested_tag);
    return;
  }
  // The changes are already JSON text: the body is assembled around them.
  std::string body = "{\"changes\":[";
  for (size_t i = 0; i < page->changes.size(); ++i) {
    if (i > 0) body += ',';
    body += page->changes[i];
  }
  body += "],\"cursor\":" + nlohmann::json(page->cursor).dump() +
          ",\"has_more\":" + (page->has_more ? "true" : "false") + "}";
  faults::SetJsonText(res, 200, std::move(body));
  res.set_header("ETag", PullEtag(page->cursor, collections));
}

}  // namespace syncagent::mock
