// CouchdbRemote (net/couchdb_remote.h): construction, capabilities, the local checks, requests
// (Call, CreateDatabase), the `_all_docs` read push and fetch share (States), Fetch, and failure
// bookkeeping. The push is in net/couchdb_push.cc, the pull and its checkpoints in
// net/couchdb_pull.cc.
#include "net/couchdb_remote.h"

#include <openssl/evp.h>

#include <functional>
#include <utility>

#include "net/couchdb_remote_internal.h"
#include "net/couchdb_revision.h"
#include "net/wire_json.h"

namespace syncagent {
namespace {

using couchdb_internal::Into;
using nlohmann::json;

std::string Base64(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(data.data()),
                                static_cast<int>(data.size()));
  out.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return out;
}

// "error: reason" of a CouchDB error body, for HttpSession's messages; "" when it is not one.
std::string DescribeCouchError(std::string_view body) {
  const json parsed = json::parse(body.begin(), body.end(), nullptr, false);
  if (!parsed.is_object()) return "";
  auto error = parsed.find("error");
  if (error == parsed.end() || !error->is_string()) return "";
  std::string text = error->get<std::string>();
  auto reason = parsed.find("reason");
  if (reason != parsed.end() && reason->is_string()) text += ": " + reason->get<std::string>();
  return wire::ServerText(std::move(text));
}

HttpSessionOptions SessionOptions(const CouchdbRemoteOptions& options) {
  HttpSessionOptions session = options.session;
  session.headers.emplace_back("Accept", "application/json");
  if (!options.username.empty()) {
    session.headers.emplace_back("Authorization",
                                 BasicAuthorization(options.username, options.password));
  }
  if (!session.describe_error) session.describe_error = DescribeCouchError;
  return session;
}

// A 404 that says the database is missing (PouchDB Server: "no_db_file"; CouchDB: "Database does
// not exist."), not one of its documents ("missing", "deleted").
bool MissingDatabase(int status, std::string_view body) {
  if (status != 404) return false;
  const json parsed = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  const auto reason = parsed.is_object() ? parsed.find("reason") : parsed.end();
  if (!parsed.is_object() || reason == parsed.end() || !reason->is_string()) return true;
  return *reason == "no_db_file" || *reason == "Database does not exist.";
}

}  // namespace

std::string BasicAuthorization(std::string_view username, std::string_view password) {
  std::string credentials(username);
  credentials += ':';
  credentials += password;
  return "Basic " + Base64(credentials);
}

CouchdbRemote::CouchdbRemote(HttpClient* http, Clock* clock, TokenProvider* tokens,
                             CouchdbRemoteOptions options, uint64_t seed)
    : session_(http, clock, tokens, SessionOptions(options), seed),
      read_ahead_(options.read_ahead
                      ? std::make_unique<ReadAhead>(http, clock, tokens, SessionOptions(options))
                      : nullptr),
      options_(std::move(options)) {
  options_.password.clear();  // it lives on only in the (redacted) Authorization header
}

void CouchdbRemote::BeginCycle(std::string_view device_id) {
  if (read_ahead_) read_ahead_->Drop();  // a remote used outside a cycle before
  device_id_ = std::string(device_id);
  verified_.clear();
  pages_since_checkpoint_.clear();
  held_checkpoints_.clear();
}

void CouchdbRemote::EndCycle() {
  if (read_ahead_) read_ahead_->Drop();
}

const TransferStats& CouchdbRemote::stats() const {
  stats_ = session_.stats();
  if (read_ahead_) {
    const TransferStats& ahead = read_ahead_->stats();
    stats_.requests += ahead.requests;
    stats_.bytes_up += ahead.bytes_up;
    stats_.bytes_down += ahead.bytes_down;
    stats_.retries += ahead.retries;
  }
  return stats_;
}

RemoteCapabilities CouchdbRemote::capabilities() const {
  RemoteCapabilities caps;
  caps.patch = false;                     // CouchDB has no patch: whole bodies
  caps.skips_own_writes = false;          // a feed cannot leave out one device's writes
  caps.conflict_includes_current = true;  // the push read it (_all_docs include_docs)
  // `_changes` lists each document once, with its winning leaf as the server holds it now; a
  // live leaf wins over a deleted one whatever their generations.
  caps.pulls_current_versions = true;
  return caps;
}

Status CouchdbRemote::CheckLocalWrite(std::string_view collection, std::string_view key,
                                      const json& data) const {
  (void)collection;
  const StatusOr<std::string> id = couchdb::DocumentIdOf(key);
  if (!id.ok()) return id.status();
  if (data.is_null()) return Status::Ok();  // a delete
  return couchdb::CheckWritableData(data);
}

bool CouchdbRemote::NeedsWriteBack(std::string_view rev) const {
  return !couchdb::ParseLeafToken(rev).others.empty();
}

RevisionOrder CouchdbRemote::CompareRevisions(std::string_view local,
                                              std::string_view remote) const {
  return couchdb::CompareRevisions(local, remote);
}

std::string CouchdbRemote::DatabaseOf(std::string_view collection) const {
  auto it = options_.databases.find(collection);
  return it == options_.databases.end() ? std::string(collection) : it->second;
}

Status CouchdbRemote::Call(const std::string& method, const std::string& database,
                           const std::string& rest, const Body& body,
                           const CallContext& call,
                           const std::function<Status(std::string_view)>& decode) {
  const std::string path = "/" + UrlEncode(database) + rest;
  for (bool created = false;; created = true) {
    HttpRequest request = session_.NewRequest(method, path);
    if (!body.bytes.empty()) {
      request.headers.emplace_back("Content-Type", "application/json");
      if (!body.content_encoding.empty()) {
        request.headers.emplace_back("Content-Encoding", body.content_encoding);
      }
      request.body = body.bytes;
    }
    Status status = session_.Exchange(
        std::move(request), call,
        [&decode](HttpResponse& response) { return decode(response.body); },
        /*retry_too_large=*/rest == "/_bulk_docs");  // a write's lost answer is replayed
    if (status.ok() || !MissingDatabase(session_.last_error_status(), session_.last_error_body())) {
      return status;
    }
    if (!options_.create_databases || created) {
      return FailedPreconditionError("database " + database +
                                     " does not exist on the server; create it or set "
                                     "server.couchdb.create_databases");
    }
    SYNCAGENT_RETURN_IF_ERROR(CreateDatabase(database, call));
  }
}

Status CouchdbRemote::CreateDatabase(const std::string& database, const CallContext& call) {
  Status status = session_.Exchange(
      session_.NewRequest("PUT", "/" + UrlEncode(database)), call,
      [](HttpResponse&) { return Status::Ok(); }, /*retry_too_large=*/false);
  // 412: someone created it in the meantime.
  if (status.ok() || session_.last_error_status() == 412) return Status::Ok();
  return status.WithContext("creating database " + database);
}

StatusOr<std::vector<couchdb::DocumentState>> CouchdbRemote::States(
    const std::string& database, const std::vector<std::string>& ids, const CallContext& call) {
  std::vector<couchdb::DocumentState> states;
  SYNCAGENT_RETURN_IF_ERROR(
      Call("POST", database, "/_all_docs?include_docs=true&conflicts=true",
           json{{"keys", ids}}.dump(), call,
           Into(&states, [&](std::string_view body) {
             return couchdb::ParseAllDocs(body, ids, options_.limits);
           })));
  return states;
}

StatusOr<RemoteChange> CouchdbRemote::Fetch(const std::string& collection, const std::string& key,
                                            const CallContext& call) {
  failure_ = RemoteFailure{};
  SYNCAGENT_ASSIGN_OR_RETURN(const std::string id, couchdb::DocumentIdOf(key));
  auto states = States(DatabaseOf(collection), {id}, call);
  if (!states.ok()) return FailRead(states.status());
  return couchdb::ToRemoteChange(collection, key, states->front());
}

Status CouchdbRemote::FailRead(const Status& status) {
  NoteFailure(/*push=*/false);
  return session_.Redact(status);
}

void CouchdbRemote::NoteFailure(bool push) {
  failure_ = RemoteFailure{};
  failure_.kind = RemoteFailure::Kind::kOther;
  failure_.retry_after = session_.suggested_retry_delay();
  if (reset_seen_) {
    failure_.kind = RemoteFailure::Kind::kCursorRefused;
  } else if (session_.last_reply_too_large()) {
    failure_.kind = RemoteFailure::Kind::kReplyTooLarge;
  } else if (push && session_.last_error_status() == 413) {
    failure_.kind = RemoteFailure::Kind::kBatchTooLarge;
  }
}

}  // namespace syncagent
