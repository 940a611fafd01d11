// Helpers for the mock server's own tests: starting servers, JSON builders, an httplib client
// wrapper, raw-socket exchanges (to observe wire-level faults) and gzip.
#ifndef SYNCAGENT_TESTS_MOCK_SERVER_TEST_SUPPORT_H_
#define SYNCAGENT_TESTS_MOCK_SERVER_TEST_SUPPORT_H_

#include <httplib.h>

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tools/mock_server/mock_server.h"

namespace syncagent::mock::testing {

using nlohmann::json;

// Starts a server with admin enabled, or aborts the test.
std::unique_ptr<MockServer> StartServer(MockServerOptions options = {});

// A fresh temporary directory.
std::string MakeTempDir();

// One mutation object; `base` and `data` are JSON (null allowed).
json Mutation(const std::string& id, const std::string& key, const std::string& op, json base,
              json data, const std::string& collection = "notes", const std::string& hlc = "");
json PushBody(std::vector<json> mutations, const std::string& batch_id = "b-1");

struct HttpResult {
  int status = 0;  // 0 when the request failed at the transport level
  httplib::Error error = httplib::Error::Success;
  std::string body;
  json body_json;  // discarded when the body is not JSON
  httplib::Headers headers;
  std::string Header(const std::string& name) const;
};

// A plain or TLS httplib client for `server` (TLS: verification against `ca_file` when given).
class TestClient {
 public:
  explicit TestClient(const MockServer& server, const std::string& ca_file = "");
  httplib::Client& raw() { return client_; }

  HttpResult Push(const json& body, const std::string& idempotency_key = "b-1",
                  httplib::Headers headers = {});
  HttpResult Get(const std::string& path_and_query, httplib::Headers headers = {});
  HttpResult Send(const std::string& method, const std::string& path, const std::string& body,
                  httplib::Headers headers = {});
  // Pull with optional cursor / limit / collections; returns the parsed page.
  HttpResult Pull(const std::string& cursor = "", int limit = 0,
                  const std::string& collections = "", httplib::Headers headers = {});

 private:
  httplib::Client client_;
};

// Pulls every page from `cursor` to the end; returns all changes and sets *final_cursor.
std::vector<json> PullAll(TestClient& client, std::string cursor, int limit,
                          std::string* final_cursor);

// The result of one request over a raw TCP connection.
struct RawResult {
  std::string bytes;       // everything received
  int end_errno = 0;       // 0: orderly close (FIN); else the recv() errno (ECONNRESET...)
  bool timed_out = false;  // the timeout passed before the server closed
  long long elapsed_ms = 0;
  // Parsed view of `bytes` (status 0 when there is no complete header block).
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;                            // bytes after the header block
  long long content_length = -1;
};

// Sends `request` verbatim on a new connection to 127.0.0.1:port and reads until the server
// closes, an error occurs, or `timeout_ms` passes.
RawResult RawExchange(int port, const std::string& request, int timeout_ms = 10000);
// Like RawExchange for a request with "Expect: 100-continue": sends `head` (request line and
// headers, ending with an empty line), waits up to 1 s for an interim response, sends `body` only
// after "100 Continue", then reads to the end. *interim receives the interim response ("" if none).
RawResult RawExpectContinueExchange(int port, const std::string& head, const std::string& body,
                                    std::string* interim, int timeout_ms = 10000);
// An HTTP/1.1 request with Host, Connection: close and (for a body) Content-Length.
std::string RawRequest(const std::string& method, const std::string& target,
                       const std::string& body = "",
                       const std::vector<std::string>& extra_headers = {});

std::string Gzip(const std::string& data);
std::string Gunzip(const std::string& data);

// Polls `condition` every 5 ms until it holds or `timeout_ms` passes.
bool WaitFor(const std::function<bool()>& condition, int timeout_ms = 5000);

}  // namespace syncagent::mock::testing

#endif  // SYNCAGENT_TESTS_MOCK_SERVER_TEST_SUPPORT_H_
