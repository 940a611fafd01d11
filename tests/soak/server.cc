#include "tests/soak/server.h"

#include <curl/curl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "tests/soak/process.h"

namespace syncagent::soak {
namespace {

size_t Collect(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

// Waits up to `timeout` for the child to exit; true when it did (reaped).
bool Reap(pid_t pid, Millis timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pid, &status, WNOHANG) == pid) return true;
    std::this_thread::sleep_for(Millis(10));
  }
  return false;
}

}  // namespace

HttpReply HttpRequest(const std::string& method, const std::string& url, const std::string& body) {
  HttpReply reply;
  CURL* curl = curl_easy_init();
  if (curl == nullptr) {
    reply.error = "curl_easy_init failed";
    return reply;
  }
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 20000L);
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");  // the mock gzips whenever allowed
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply.body);
  if (method != "GET" && method != "DELETE") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  const CURLcode rc = curl_easy_perform(curl);
  if (rc == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply.status);
  } else {
    reply.error = curl_easy_strerror(rc);
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return reply;
}

ServerProcess::ServerProcess(std::string binary, std::string data_file, std::string token,
                             std::string log_dir)
    : binary_(std::move(binary)),
      data_file_(std::move(data_file)),
      token_(std::move(token)),
      log_dir_(std::move(log_dir)) {}

ServerProcess::~ServerProcess() { Stop(); }

bool ServerProcess::running() const {
  std::lock_guard<std::mutex> lock(mu_);
  return pid_ > 0;
}

bool ServerProcess::Start(std::string* error) {
  std::lock_guard<std::mutex> lock(mu_);
  // After a crash the port may still be held for a moment; keep trying for ~10 s.
  for (int attempt = 0; attempt < 100; ++attempt) {
    bool port_busy = false;
    if (StartOnce(error, &port_busy)) return true;
    if (!port_busy) return false;
    std::this_thread::sleep_for(Millis(100));
  }
  return false;
}

bool ServerProcess::StartOnce(std::string* error, bool* port_busy) {
  const std::string out_path = log_dir_ + "/server.out." + std::to_string(++starts_);
  SpawnOptions options;
  options.argv = {binary_,  "--admin",  "--token", token_,
                  "--data", data_file_, "--port",  std::to_string(port_)};
  options.stdout_path = out_path;
  options.stderr_path = log_dir_ + "/server.err";
  const pid_t pid = Spawn(options, error);
  if (pid < 0) return false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string out = ReadTextFile(out_path);
    if (const auto nl = out.find('\n'); nl != std::string::npos) {
      const std::string line = out.substr(0, nl);
      const std::string prefix = "listening on http://127.0.0.1:";
      if (line.rfind(prefix, 0) != 0) {
        *error = "unexpected first line from the server: " + line;
        ::kill(pid, SIGKILL);
        Reap(pid, Millis(5000));
        return false;
      }
      port_ = std::stoi(line.substr(prefix.size()));
      pid_ = pid;
      return true;
    }
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      *error = "the server exited at start (" + std::to_string(WEXITSTATUS(status)) + "); see " +
               log_dir_ + "/server.err";
      *port_busy = port_ != 0 && WIFEXITED(status) && WEXITSTATUS(status) == 1;
      return false;
    }
    std::this_thread::sleep_for(Millis(10));
  }
  *error = "the server printed no \"listening on\" line within 15 s";
  ::kill(pid, SIGKILL);
  Reap(pid, Millis(5000));
  return false;
}

void ServerProcess::Kill() {
  std::lock_guard<std::mutex> lock(mu_);
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  Reap(pid_, Millis(10000));
  pid_ = -1;
}

void ServerProcess::Stop() {
  std::lock_guard<std::mutex> lock(mu_);
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  if (!Reap(pid_, Millis(10000))) {
    ::kill(pid_, SIGKILL);
    Reap(pid_, Millis(10000));
  }
  pid_ = -1;
}

std::optional<nlohmann::json> ServerProcess::Admin(const std::string& method,
                                                   const std::string& path,
                                                   const nlohmann::json* body,
                                                   std::string* error) const {
  const HttpReply reply = HttpRequest(method, base_url() + path, body ? body->dump() : "");
  if (reply.status < 200 || reply.status > 299) {
    if (error) {
      *error =
          method + " " + path + ": " +
          (reply.status ? "HTTP " + std::to_string(reply.status) + " " + reply.body : reply.error);
    }
    return std::nullopt;
  }
  auto parsed = nlohmann::json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    if (error) *error = method + " " + path + ": the reply is not JSON";
    return std::nullopt;
  }
  return parsed;
}

}  // namespace syncagent::soak
