#include "net/curl_http_client.h"

#include <curl/curl.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <chrono>

#include "net/error_classes.h"
#include "platform/cancel_token.h"

namespace syncagent {
namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(20);

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && Lower(s.substr(0, prefix.size())) == prefix;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

// Per-transfer state shared with libcurl's callbacks.
struct Transfer {
  HttpResponse* response = nullptr;
  int64_t max_body = 0;
  bool over_cap = false;
  bool cancelled = false;
  bool deadline_hit = false;
  const CancelToken* cancel = nullptr;
  const Clock* clock = nullptr;
  std::optional<MonoTime> deadline;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  if (static_cast<int64_t>(t->response->body.size() + n) > t->max_body) {
    t->over_cap = true;
    return 0;  // makes libcurl fail the transfer with CURLE_WRITE_ERROR
  }
  t->response->body.append(data, n);
  return n;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  std::string_view line(data, n);
  if (StartsWithNoCase(line, "http/")) {
    t->response->headers.clear();  // a new response (e.g. after 100 Continue)
    return n;
  }
  const size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    t->response->headers.emplace_back(Lower(Trim(line.substr(0, colon))),
                                      std::string(Trim(line.substr(colon + 1))));
  }
  return n;
}

int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  if (t->cancel && t->cancel->IsCancelled()) {
    t->cancelled = true;
    return 1;
  }
  if (t->deadline && t->clock->Now() >= *t->deadline) {
    t->deadline_hit = true;
    return 1;
  }
  return 0;
}

// Gzips the request body into `*compressed` when it is larger than `min_bytes` (negative:
// never) and the caller did not encode it already; returns whether it did.
StatusOr<bool> GzipBodyIfLarge(const HttpRequest& request, int64_t min_bytes,
                               std::string* compressed) {
  for (const auto& h : request.headers) {
    if (Lower(h.first) == "content-encoding") return false;
  }
  if (min_bytes < 0 || static_cast<int64_t>(request.body.size()) <= min_bytes) return false;
  SYNCAGENT_ASSIGN_OR_RETURN(*compressed, GzipCompress(request.body));
  return true;
}

// The request's headers as libcurl's list (the caller frees it).
curl_slist* RequestHeaders(const HttpRequest& request, bool gzip_body) {
  curl_slist* headers = nullptr;
  for (const auto& [name, value] : request.headers) {
    headers = curl_slist_append(headers, (name + ": " + value).c_str());
  }
  if (gzip_body) headers = curl_slist_append(headers, "Content-Encoding: gzip");
  return curl_slist_append(headers, "Expect:");  // no 100-continue round trip
}

// The URL, the method and the body (which must outlive the transfer).
void SetRequestOptions(CURL* easy, const HttpRequest& request, const std::string& body) {
  curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
  if (request.method == "GET") {
    curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
  } else if (request.method == "HEAD") {
    curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
  } else {
    if (request.method != "POST") {
      curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body.data());
  }
}

// Drives the transfer through the multi interface so that cancellation and the deadline are
// checked every kPollInterval even while the socket is silent. Returns the transfer's result.
CURLcode Perform(CURLM* multi, CURL* easy, Transfer* transfer) {
  curl_multi_add_handle(multi, easy);
  CURLcode result = CURLE_OK;
  bool finished = false;
  while (!finished) {
    int running = 0;
    CURLMcode mc = curl_multi_perform(multi, &running);
    if (mc != CURLM_OK) {
      result = CURLE_SEND_ERROR;
      break;
    }
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
      if (msg->msg == CURLMSG_DONE && msg->easy_handle == easy) {
        result = msg->data.result;
        finished = true;
      }
    }
    if (finished || running == 0) break;
    if (OnProgress(transfer, 0, 0, 0, 0) != 0) {
      result = CURLE_ABORTED_BY_CALLBACK;
      break;
    }
    curl_multi_poll(multi, nullptr, 0, static_cast<int>(kPollInterval.count()), nullptr);
  }
  curl_multi_remove_handle(multi, easy);
  return result;
}

// The status code and the transfer's sizes of a finished exchange.
void ReadTransferInfo(CURL* easy, HttpResponse* response) {
  long status = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  response->status = static_cast<int>(status);
  long header_size = 0, request_size = 0, connects = 0;
  curl_off_t downloaded = 0;
  curl_easy_getinfo(easy, CURLINFO_HEADER_SIZE, &header_size);
  curl_easy_getinfo(easy, CURLINFO_REQUEST_SIZE, &request_size);
  curl_easy_getinfo(easy, CURLINFO_SIZE_DOWNLOAD_T, &downloaded);
  curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &connects);
  response->bytes_sent = request_size;
  response->bytes_received = header_size + downloaded;
  response->reused_connection = connects == 0;
}

// The time the request may take (the timeout, cut to what is left before the deadline), or why
// it must not be sent at all.
StatusOr<Millis> RequestBudget(const CurlHttpClientOptions& options, const Clock& clock,
                               const HttpRequest& request, const RequestControl& control,
                               const std::string& what) {
  const bool is_https = StartsWithNoCase(request.url, "https://");
  const bool is_http = StartsWithNoCase(request.url, "http://");
  if (!is_https && !is_http) {
    return Status(StatusCode::kInvalidArgument, what + ": only http:// and https:// URLs are supported",
                  RetryClass::kPermanent);
  }
  if (is_http && !options.allow_insecure_http) {
    return Status(StatusCode::kInvalidArgument,
                  what + ": plain http:// is refused; use https:// or set "
                         "server.allow_insecure_http to true",
                  RetryClass::kPermanent);
  }
  if (control.cancel && control.cancel->IsCancelled()) {
    return CancelledError(what + ": cancelled before sending");
  }
  Millis budget = options.request_timeout;
  if (control.deadline) {
    auto remaining = std::chrono::duration_cast<Millis>(*control.deadline - clock.Now());
    if (remaining.count() <= 0) {
      return DeadlineExceededError(what + ": the deadline passed before the request started");
    }
    budget = std::min(budget, remaining);
  }
  return budget;
}

// Everything but the request itself: TLS, timeouts, limits and the callbacks on `transfer`.
void SetTransferOptions(CURL* easy, const CurlHttpClientOptions& options,
                        const std::string& pinned_keys, Millis budget, curl_slist* headers,
                        char* error_buffer, Transfer* transfer) {
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, options.allow_insecure_http ? "http,https" : "https");
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options.ca_file.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, options.ca_file.c_str());
  if (!pinned_keys.empty()) {
    curl_easy_setopt(easy, CURLOPT_PINNEDPUBLICKEY, pinned_keys.c_str());
  }
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min(options.connect_timeout, budget).count()));
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(budget.count()));
  curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "gzip");
  curl_easy_setopt(easy, CURLOPT_USERAGENT, options.user_agent.c_str());
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, transfer);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, transfer);
  curl_easy_setopt(easy, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(easy, CURLOPT_XFERINFOFUNCTION, &OnProgress);
  curl_easy_setopt(easy, CURLOPT_XFERINFODATA, transfer);
  curl_easy_setopt(easy, CURLOPT_MAXFILESIZE_LARGE,
                   static_cast<curl_off_t>(options.max_response_bytes));
}

// Why a transfer failed: cancelled, past the deadline, over the size cap, or libcurl's error.
Status TransferError(CURLcode result, const Transfer& transfer, const RequestControl& control,
                     int64_t max_response_bytes, const char* error_buffer,
                     const std::string& what) {
  if (transfer.cancelled) {
    std::string reason = control.cancel ? control.cancel->reason() : "cancelled";
    return CancelledError(what + ": " + reason);
  }
  if (transfer.deadline_hit) {
    return DeadlineExceededError(what + ": the cycle's deadline was reached mid-transfer");
  }
  if (transfer.over_cap || result == CURLE_FILESIZE_EXCEEDED) {
    return Status(StatusCode::kResourceExhausted,
                  what + ": response body exceeds the limit of " +
                      std::to_string(max_response_bytes) +
                      " bytes (server.max_response_bytes)",
                  RetryClass::kPermanent);  // the same request would get the same reply
  }
  return StatusFromCurlCode(result, error_buffer, what);
}

void GlobalInitOnce() {
  static const CURLcode code = curl_global_init(CURL_GLOBAL_DEFAULT);
  SYNCAGENT_CHECK(code == CURLE_OK);
}

}  // namespace

std::optional<std::string> HttpResponse::Header(std::string_view name) const {
  const std::string key = Lower(name);
  for (const auto& [k, v] : headers) {
    if (k == key) return v;
  }
  return std::nullopt;
}

StatusOr<std::string> GzipCompress(std::string_view data) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return InternalError("gzip: deflateInit2 failed");
  }
  std::string out;
  out.resize(deflateBound(&zs, static_cast<uLong>(data.size())) + 32);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  const size_t produced = zs.total_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return InternalError("gzip: deflate did not finish");
  out.resize(produced);
  return out;
}

struct CurlHttpClient::Handles {
  CURLM* multi = nullptr;
  CURL* easy = nullptr;
  ~Handles() {
    if (easy) curl_easy_cleanup(easy);
    if (multi) curl_multi_cleanup(multi);
  }
};

StatusOr<std::unique_ptr<CurlHttpClient>> CurlHttpClient::Create(CurlHttpClientOptions options,
                                                                  Clock* clock) {
  SYNCAGENT_CHECK(clock != nullptr);
  GlobalInitOnce();
  for (const std::string& pin : options.pinned_public_keys) {
    if (pin.rfind("sha256//", 0) != 0 || pin.size() <= 8) {
      return InvalidArgumentError("pinned public key must look like sha256//<base64>, got \"" +
                                  pin + "\"");
    }
  }
  if (options.max_response_bytes <= 0) {
    return InvalidArgumentError("max_response_bytes must be positive");
  }
  if (options.user_agent.empty()) {
    options.user_agent = std::string("syncagent/") + SYNCAGENT_VERSION_STRING;
  }
  auto handles = std::make_unique<Handles>();
  handles->multi = curl_multi_init();
  handles->easy = curl_easy_init();
  if (!handles->multi || !handles->easy) return InternalError("libcurl: could not create handles");
  return std::unique_ptr<CurlHttpClient>(
      new CurlHttpClient(std::move(options), clock, std::move(handles)));
}

CurlHttpClient::CurlHttpClient(CurlHttpClientOptions options, Clock* clock,
                               std::unique_ptr<Handles> handles)
    : options_(std::move(options)), clock_(clock), handles_(std::move(handles)) {
  for (const std::string& pin : options_.pinned_public_keys) {
    if (!pinned_keys_joined_.empty()) pinned_keys_joined_ += ';';
    pinned_keys_joined_ += pin;
  }
}

CurlHttpClient::~CurlHttpClient() = default;

Status CurlHttpClient::EncodeBody(HttpRequest* request) const {
  std::string compressed;
  SYNCAGENT_ASSIGN_OR_RETURN(const bool gzip_body,
                             GzipBodyIfLarge(*request, options_.gzip_request_min_bytes, &compressed));
  if (!gzip_body) return Status::Ok();
  request->body = std::move(compressed);
  request->headers.emplace_back("Content-Encoding", "gzip");
  return Status::Ok();
}

StatusOr<HttpResponse> CurlHttpClient::Send(const HttpRequest& request,
                                            const RequestControl& control) {
  const std::string what = request.method + " " + request.url;
  SYNCAGENT_ASSIGN_OR_RETURN(const Millis budget,
                             RequestBudget(options_, *clock_, request, control, what));
  // Compress large bodies unless the caller already encoded them.
  std::string compressed;
  SYNCAGENT_ASSIGN_OR_RETURN(const bool gzip_body,
                             GzipBodyIfLarge(request, options_.gzip_request_min_bytes, &compressed));
  const std::string& body = gzip_body ? compressed : request.body;

  std::lock_guard<std::mutex> lock(mu_);
  CURL* easy = handles_->easy;
  curl_easy_reset(easy);

  HttpResponse response;
  Transfer transfer;
  transfer.response = &response;
  transfer.max_body = options_.max_response_bytes;
  transfer.cancel = control.cancel;
  transfer.clock = clock_;
  transfer.deadline = control.deadline;
  char error_buffer[CURL_ERROR_SIZE] = {0};

  curl_slist* headers = RequestHeaders(request, gzip_body);
  SetTransferOptions(easy, options_, pinned_keys_joined_, budget, headers, error_buffer,
                     &transfer);
  SetRequestOptions(easy, request, body);
  const CURLcode result = Perform(handles_->multi, easy, &transfer);
  curl_slist_free_all(headers);

  if (result != CURLE_OK) {
    return TransferError(result, transfer, control, options_.max_response_bytes, error_buffer,
                         what);
  }
  ReadTransferInfo(easy, &response);
  return response;
}

}  // namespace syncagent
