// The mock server as a child process (`syncagent-mock-server --admin --token T --data FILE`) and a
// small libcurl client for its /_admin/* endpoints (docs/mock-server.md).
#ifndef SYNCAGENT_TESTS_SOAK_SERVER_H_
#define SYNCAGENT_TESTS_SOAK_SERVER_H_

#include <sys/types.h>

#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace syncagent::soak {

struct HttpReply {
  long status = 0;  // 0: no answer (connection refused, timeout)
  std::string body;
  std::string error;
};

// One request with a fresh libcurl handle (thread-safe after curl_global_init).
HttpReply HttpRequest(const std::string& method, const std::string& url,
                      const std::string& body = "");

class ServerProcess {
 public:
  ServerProcess(std::string binary, std::string data_file, std::string token, std::string log_dir);
  ~ServerProcess();

  // Starts the server; the first start takes an ephemeral port, later ones reuse it (retrying
  // while the port is still busy). Returns false with *error on failure.
  bool Start(std::string* error);
  // SIGKILL (a crash: the --data file must carry everything) or SIGTERM (a clean stop).
  void Kill();
  void Stop();
  bool running() const;

  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }

  // Admin calls; nullopt when the server did not answer 2xx (the reason in *error).
  std::optional<nlohmann::json> Admin(const std::string& method, const std::string& path,
                                      const nlohmann::json* body = nullptr,
                                      std::string* error = nullptr) const;

 private:
  bool StartOnce(std::string* error, bool* port_busy);

  std::string binary_, data_file_, token_, log_dir_;
  mutable std::mutex mu_;
  pid_t pid_ = -1;
  int port_ = 0;
  int starts_ = 0;
};

}  // namespace syncagent::soak

#endif  // SYNCAGENT_TESTS_SOAK_SERVER_H_
