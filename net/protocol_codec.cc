#include "net/protocol_codec.h"

#include <algorithm>
#include <utility>

#include "common/json_limits.h"
#include "net/json_scanner.h"
#include "net/wire_json.h"

namespace syncagent {
namespace {

using nlohmann::json;
using wire::FieldError;
using wire::NotJson;
using wire::ObjectReader;
using wire::ServerText;

// A document whose body was dropped while parsing for nesting past the document limit.
void MarkTooDeep(WireDocument* doc) {
  if (doc->deleted || !doc->unusable.empty()) return;
  doc->unusable = "nested deeper than " + std::to_string(kMaxDocumentDepth) + " levels";
  doc->data = nullptr;
}

// Reads a document body ({version, deleted, data, hlc}) found at `path`.
StatusOr<WireDocument> ReadDocument(std::string_view what, const std::string& path, json& v,
                                      bool allow_version_zero) {
  if (!v.is_object()) return FieldError(what, path, "an object", &v);
  ObjectReader r(what, path, v);
  WireDocument doc;
  SYNCAGENT_ASSIGN_OR_RETURN(doc.version, r.Integer("version", allow_version_zero ? 0 : 1));
  SYNCAGENT_ASSIGN_OR_RETURN(doc.deleted, r.Bool("deleted"));
  SYNCAGENT_ASSIGN_OR_RETURN(doc.hlc, r.OptionalString("hlc"));
  auto data = v.find("data");
  auto omitted = v.find("omitted");
  if (omitted != v.end() && !omitted->is_null()) {
    if (!omitted->is_string() || doc.deleted || (data != v.end() && !data->is_null())) {
      return FieldError(what, r.Path("omitted"),
                        "a string, on a live document without data", &*omitted);
    }
    doc.unusable = "left out by the server (" + ServerText(omitted->get<std::string>()) + ")";
    return doc;
  }
  if (doc.deleted) {
    if (data != v.end() && !data->is_null()) {
      return FieldError(what, r.Path("data"), "null for a deleted document", &*data);
    }
  } else {
    if (data == v.end() || !data->is_object()) {
      return FieldError(what, r.Path("data"), "an object", data == v.end() ? nullptr : &*data);
    }
    doc.data = std::move(*data);
    if (std::string problem = DocumentDepthProblem(doc.data); !problem.empty()) {
      doc.unusable = std::move(problem);
      doc.data = nullptr;
    }
  }
  return doc;
}

}  // namespace

std::string_view WireOpName(WireOp op) {
  switch (op) {
    case WireOp::kPut: return "put";
    case WireOp::kPatch: return "patch";
    case WireOp::kDelete: return "delete";
  }
  return "put";
}

StatusOr<json> ProtocolCodec::ParseReply(std::string_view body, std::string_view what,
                                         std::string_view items_member,
                                         std::string_view body_member, int max_level,
                                         std::set<size_t>* deep_items) const {
  if (static_cast<int64_t>(body.size()) > limits_.max_body_bytes) return ParseJson(body, what);
  const int drop_from = std::min(max_level, limits_.max_depth);  // the first nesting level dropped
  if (JsonTextDepth(body, drop_from) <= drop_from) {
    // Nothing is nested deep enough to be dropped (the common case): the plain parser, faster
    // than the one with a callback for every value.
    json parsed = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded()) return NotJson(what, body.size());
    return parsed;
  }
  // nlohmann's callback depth: the root container starts at 0, so a container opening at
  // depth d is nesting level d + 1; the items are the values at depth 2 inside `items_member`.
  bool in_items = false;    // inside the top-level member `items_member`
  bool in_body = false;     // ... and inside an item's member `body_member`
  size_t items_seen = 0;
  auto is = [](const json& key, std::string_view name) {
    return key.is_string() && key.get_ref<const std::string&>() == name;
  };
  auto callback = [&](int depth, json::parse_event_t event, json& parsed) {
    using Event = json::parse_event_t;
    if (event == Event::key && depth == 1) in_items = is(parsed, items_member);
    if (event == Event::key && depth == 3) in_body = in_items && is(parsed, body_member);
    const bool starts = event == Event::object_start || event == Event::array_start;
    if (in_items && depth == 2 && (starts || event == Event::value)) ++items_seen;
    if (starts && depth >= drop_from) {
      // A document body past the limit makes its item unusable; anything else that deep is an
      // unknown member, ignored as any unknown member is.
      if (in_body && items_seen > 0) deep_items->insert(items_seen - 1);
      return false;  // dropped, and everything inside it
    }
    return true;
  };
  json parsed = json::parse(body.begin(), body.end(), callback, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return NotJson(what, body.size());
  return parsed;
}

StatusOr<json> ProtocolCodec::ParseJson(std::string_view body, std::string_view what) const {
  if (static_cast<int64_t>(body.size()) > limits_.max_body_bytes) {
    return Status(StatusCode::kResourceExhausted,
                  std::string(what) + ": body of " + std::to_string(body.size()) +
                      " bytes exceeds the limit of " + std::to_string(limits_.max_body_bytes),
                  RetryClass::kTransient);
  }
  if (JsonTextDepth(body, limits_.max_depth) > limits_.max_depth) {
    return Status(StatusCode::kDataLoss,
                  std::string(what) + ": JSON nested deeper than " +
                      std::to_string(limits_.max_depth) + " levels",
                  RetryClass::kTransient);
  }
  json parsed = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return NotJson(what, body.size());
  return parsed;
}

std::string ProtocolCodec::EncodePushRequest(const PushRequest& request) const {
  json mutations = json::array();
  for (const WireMutation& m : request.mutations) {
    json item = {{"mutation_id", m.mutation_id},
                 {"seq", m.seq},
                 {"collection", m.collection},
                 {"key", m.key},
                 {"op", WireOpName(m.op)},
                 {"base_version", m.base_version ? json(*m.base_version) : json(nullptr)},
                 {"data", m.op == WireOp::kDelete ? json(nullptr) : m.data},
                 {"hlc", m.hlc}};
    mutations.push_back(std::move(item));
  }
  json body = {{"client_id", request.client_id},
               {"batch_id", request.batch_id},
               {"mutations", std::move(mutations)}};
  if (!request.origin.empty()) body["origin"] = request.origin;
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

StatusOr<PushResponse> ProtocolCodec::DecodePushResponse(std::string_view body,
                                                         const PushRequest& request) const {
  constexpr std::string_view kWhat = "push response";
  // results[i].current.data is nesting level 5: its document may nest kMaxDocumentDepth more.
  std::set<size_t> deep_items;
  SYNCAGENT_ASSIGN_OR_RETURN(
      json root,
      ParseReply(body, kWhat, "results", "current", 4 + kMaxDocumentDepth, &deep_items));
  if (!root.is_object()) return FieldError(kWhat, "(root)", "an object", &root);
  auto results = root.find("results");
  if (results == root.end() || !results->is_array()) {
    return FieldError(kWhat, "results", "an array", results == root.end() ? nullptr : &*results);
  }
  if (results->size() != request.mutations.size()) {
    return Status(StatusCode::kDataLoss,
                  std::string(kWhat) + ": results: expected " +
                      std::to_string(request.mutations.size()) + " results (one per mutation), got " +
                      std::to_string(results->size()),
                  RetryClass::kTransient);
  }
  PushResponse response;
  response.results.reserve(results->size());
  for (size_t i = 0; i < results->size(); ++i) {
    json& item = (*results)[i];
    const std::string path = "results[" + std::to_string(i) + "]";
    if (!item.is_object()) return FieldError(kWhat, path, "an object", &item);
    ObjectReader r(kWhat, path, item);
    PushResult result;
    SYNCAGENT_ASSIGN_OR_RETURN(result.mutation_id, r.String("mutation_id"));
    if (result.mutation_id != request.mutations[i].mutation_id) {
      return Status(StatusCode::kDataLoss,
                    std::string(kWhat) + ": " + path + ".mutation_id: expected \"" +
                        request.mutations[i].mutation_id + "\" (results must follow request order), got \"" +
                        result.mutation_id + "\"",
                    RetryClass::kTransient);
    }
    SYNCAGENT_ASSIGN_OR_RETURN(std::string status, r.String("status"));
    if (status == "applied") {
      result.kind = PushResult::Kind::kApplied;
      SYNCAGENT_ASSIGN_OR_RETURN(result.version, r.Integer("version", 0));
      SYNCAGENT_ASSIGN_OR_RETURN(result.hlc, r.OptionalString("hlc"));
    } else if (status == "conflict") {
      result.kind = PushResult::Kind::kConflict;
      auto current = item.find("current");
      if (current == item.end()) return FieldError(kWhat, r.Path("current"), "an object", nullptr);
      SYNCAGENT_ASSIGN_OR_RETURN(result.current,
                                 ReadDocument(kWhat, r.Path("current"), *current, true));
      if (deep_items.count(i) != 0) MarkTooDeep(&result.current);
    } else if (status == "rejected") {
      result.kind = PushResult::Kind::kRejected;
      SYNCAGENT_ASSIGN_OR_RETURN(result.code, r.String("code"));
      SYNCAGENT_ASSIGN_OR_RETURN(result.message, r.OptionalString("message"));
    } else {
      return FieldError(kWhat, r.Path("status"), "one of applied, conflict, rejected",
                        r.Find("status"));
    }
    response.results.push_back(std::move(result));
  }
  return response;
}

StatusOr<PullPage> ProtocolCodec::DecodePullPage(std::string_view body) const {
  constexpr std::string_view kWhat = "pull response";
  // changes[i].data is nesting level 4: its document may nest kMaxDocumentDepth more.
  std::set<size_t> deep_items;
  SYNCAGENT_ASSIGN_OR_RETURN(
      json root, ParseReply(body, kWhat, "changes", "data", 3 + kMaxDocumentDepth, &deep_items));
  if (!root.is_object()) return FieldError(kWhat, "(root)", "an object", &root);
  ObjectReader top(kWhat, "", root);
  PullPage page;
  SYNCAGENT_ASSIGN_OR_RETURN(page.cursor, top.String("cursor"));
  SYNCAGENT_ASSIGN_OR_RETURN(page.has_more, top.Bool("has_more"));
  auto changes = root.find("changes");
  if (changes == root.end() || !changes->is_array()) {
    return FieldError(kWhat, "changes", "an array", changes == root.end() ? nullptr : &*changes);
  }
  page.changes.reserve(changes->size());
  for (size_t i = 0; i < changes->size(); ++i) {
    json& item = (*changes)[i];
    const std::string path = "changes[" + std::to_string(i) + "]";
    if (!item.is_object()) return FieldError(kWhat, path, "an object", &item);
    ObjectReader r(kWhat, path, item);
    WireChange change;
    SYNCAGENT_ASSIGN_OR_RETURN(change.collection, r.String("collection"));
    SYNCAGENT_ASSIGN_OR_RETURN(change.key, r.String("key"));
    SYNCAGENT_ASSIGN_OR_RETURN(change.document, ReadDocument(kWhat, path, item, false));
    if (deep_items.count(i) != 0) MarkTooDeep(&change.document);
    page.changes.push_back(std::move(change));
  }
  return page;
}

namespace {

// Bodies over the document size limit are not taken either (a server without the limit).
void MarkOversized(PullPage* page) {
  for (WireChange& change : page->changes) {
    WireDocument& doc = change.document;
    if (static_cast<int64_t>(doc.data_text.size()) <= kMaxDocumentBytes) continue;
    doc.unusable = std::to_string(doc.data_text.size()) + " bytes, over the document limit of " +
                   std::to_string(kMaxDocumentBytes);
    doc.data_text.clear();
  }
}

// An unknown member's value, of any depth (never copied).
bool SkipMember(JsonScanner& in) {
  return in.CopyBounded(nullptr, 8) != JsonScanner::Bounded::kMalformed;
}

// The fast path of DecodePullPageText: false for anything it does not accept (the caller then
// runs DecodePullPage). Accepts exactly what DecodePullPage accepts, or less.
bool ScanPullPage(std::string_view body, int max_depth, PullPage* page) {
  JsonScanner in(body, max_depth);
  bool have_cursor = false, have_more = false, have_changes = false;
  std::string name;
  if (!in.Consume('{')) return false;
  if (in.Consume('}')) return false;  // no members: missing fields
  do {
    if (!in.ReadString(&name) || !in.Consume(':')) return false;
    if (name == "cursor") {
      if (!in.ReadString(&page->cursor) || page->cursor.empty()) return false;
      have_cursor = true;
    } else if (name == "has_more") {
      if (!in.ReadBool(&page->has_more)) return false;
      have_more = true;
    } else if (name == "changes") {
      if (have_changes || !in.Consume('[')) return false;  // a repeated member: full parser
      have_changes = true;
      if (in.Consume(']')) continue;
      do {
        if (!in.Consume('{')) return false;
        WireChange change;
        std::string omitted;
        bool have_collection = false, have_key = false, have_version = false,
             have_deleted = false, have_data = false, data_null = false;
        if (in.Consume('}')) return false;
        do {
          if (!in.ReadString(&name) || !in.Consume(':')) return false;
          if (name == "collection") {
            if (!in.ReadString(&change.collection) || change.collection.empty()) return false;
            have_collection = true;
          } else if (name == "key") {
            if (!in.ReadString(&change.key) || change.key.empty()) return false;
            have_key = true;
          } else if (name == "version") {
            if (!in.ReadInt64(&change.document.version) || change.document.version < 1) {
              return false;
            }
            have_version = true;
          } else if (name == "deleted") {
            if (!in.ReadBool(&change.document.deleted)) return false;
            have_deleted = true;
          } else if (name == "hlc") {
            if (in.Peek() == 'n') {
              if (!in.ReadNull()) return false;
              change.document.hlc.clear();
            } else if (!in.ReadString(&change.document.hlc)) {
              return false;
            }
          } else if (name == "data") {
            if (have_data) return false;
            have_data = true;
            if (in.Peek() == 'n') {
              if (!in.ReadNull()) return false;
              data_null = true;
            } else if (in.Peek() != '{') {
              return false;
            } else {
              // `data` opens nesting level 4 of the page.
              switch (in.CopyBounded(&change.document.data_text,
                                     std::min(kMaxDocumentDepth, max_depth - 3))) {
                case JsonScanner::Bounded::kCopied: break;
                case JsonScanner::Bounded::kTooDeep: MarkTooDeep(&change.document); break;
                case JsonScanner::Bounded::kMalformed: return false;
              }
            }
          } else if (name == "omitted") {
            if (!in.ReadString(&omitted) || omitted.empty()) return false;
          } else if (!SkipMember(in)) {
            return false;
          }
        } while (in.Consume(','));
        if (!in.Consume('}')) return false;
        if (!have_collection || !have_key || !have_version || !have_deleted) return false;
        if (!omitted.empty()) {
          if (change.document.deleted || (have_data && !data_null)) return false;
          change.document.unusable = "left out by the server (" + ServerText(omitted) + ")";
        } else if (change.document.deleted ? (have_data && !data_null)
                                           : (!have_data || data_null)) {
          return false;
        }
        page->changes.push_back(std::move(change));
      } while (in.Consume(','));
      if (!in.Consume(']')) return false;
    } else if (!SkipMember(in)) {
      return false;
    }
  } while (in.Consume(','));
  return in.Consume('}') && in.AtEnd() && have_cursor && have_more && have_changes;
}

}  // namespace

StatusOr<PullPage> ProtocolCodec::DecodePullPageText(std::string_view body) const {
  if (static_cast<int64_t>(body.size()) <= limits_.max_body_bytes) {
    PullPage page;
    if (ScanPullPage(body, limits_.max_depth, &page)) {
      MarkOversized(&page);
      return page;
    }
  }
  SYNCAGENT_ASSIGN_OR_RETURN(PullPage page, DecodePullPage(body));
  for (WireChange& change : page.changes) {
    if (!change.document.deleted && change.document.unusable.empty()) {
      change.document.data_text = change.document.data.dump();
      change.document.data = nullptr;
    }
  }
  MarkOversized(&page);
  return page;
}

std::optional<WireError> ProtocolCodec::DecodeError(std::string_view body) const {
  if (body.empty() || static_cast<int64_t>(body.size()) > (1 << 20)) return std::nullopt;
  auto parsed = ParseJson(body, "error body");
  if (!parsed.ok() || !parsed->is_object()) return std::nullopt;
  auto error = parsed->find("error");
  if (error == parsed->end() || !error->is_object()) return std::nullopt;
  WireError out;
  auto field = [&](const char* name) {
    auto it = error->find(name);
    return it != error->end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  out.code = ServerText(field("code"));
  out.message = ServerText(field("message"));
  out.mutation_id = field("mutation_id");
  if (out.code.empty()) return std::nullopt;
  return out;
}

}  // namespace syncagent
