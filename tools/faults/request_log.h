// RequestLog: what the mock server was asked, for tests and `GET /_admin/requests`.
//
// An entry is opened when a request reaches the handler (so it exists before the client gets
// its answer) and completed by the server's logger after the response was written, with the byte
// counts actually read and written on the wire. Requests that never reach a handler (httplib
// answered them itself, e.g. 413 for a too-long Content-Length) are logged at completion.
// Credentials are redacted. The log keeps the most recent kMaxEntries entries.
//
// Thread safety: all methods are thread-safe.
#ifndef SYNCAGENT_TOOLS_FAULTS_REQUEST_LOG_H_
#define SYNCAGENT_TOOLS_FAULTS_REQUEST_LOG_H_

#include <cstdint>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace syncagent::faults {

struct RequestLogEntry {
  int64_t id = 0;
  std::string method;
  std::string path;
  std::string query;
  nlohmann::json headers;       // redacted
  int status = 0;               // 0 when no response byte was sent
  uint64_t request_bytes = 0;   // on the wire (headers + body, before decompression)
  uint64_t response_bytes = 0;  // on the wire (plaintext under TLS)
  int64_t time_ms = 0;          // Unix epoch ms when the request reached the server
  std::string fault;            // the fault kind applied, "" when none
  bool completed = false;

  nlohmann::json ToJson() const;
};

class RequestLog {
 public:
  static constexpr size_t kMaxEntries = 10000;

  // Opens an entry; returns its id.
  int64_t Begin(std::string method, std::string path, std::string query, nlohmann::json headers);
  // Records the status the handler decided (before the response is written).
  void SetStatus(int64_t id, int status);
  // Completes entry `id` (or adds a complete entry when `id` < 0, with the other fields given).
  void Finish(int64_t id, const RequestLogEntry& outcome);

  std::vector<RequestLogEntry> Entries() const;
  nlohmann::json ToJson() const;  // {"requests":[...]}
  int64_t total() const;          // requests seen since the last Clear()
  void Clear();

 private:
  RequestLogEntry* FindLocked(int64_t id);

  mutable std::mutex mu_;
  std::deque<RequestLogEntry> entries_;
  int64_t next_id_ = 1;
  int64_t total_ = 0;
};

}  // namespace syncagent::faults

#endif  // SYNCAGENT_TOOLS_FAULTS_REQUEST_LOG_H_
