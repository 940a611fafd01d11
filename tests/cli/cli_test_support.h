// Helpers for the CLI tests: spawning the built `syncagent` binary (foreground with captured
// output, or in the background reading its output line by line), a temp dir per test, an
// in-process mock server with a bearer token, and config files pointing at it.
#ifndef SYNCAGENT_TESTS_CLI_CLI_TEST_SUPPORT_H_
#define SYNCAGENT_TESTS_CLI_CLI_TEST_SUPPORT_H_

#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tools/mock_server/mock_server.h"

namespace syncagent::cli::testing {

using nlohmann::json;

inline constexpr const char* kToken = "tok-9f3b2c7d1e5a4f60-SECRET";
inline constexpr const char* kTokenEnv = "SYNCAGENT_CLI_TEST_TOKEN";

// Environment changes for a child: value = set, nullopt = unset.
using EnvChanges = std::map<std::string, std::optional<std::string>>;

struct ProcResult {
  int exit_code = -1;  // -1: killed by a signal or timed out
  std::string out;
  std::string err;
  bool timed_out = false;
  std::chrono::milliseconds elapsed{0};

  // Non-empty stderr lines.
  std::vector<std::string> ErrLines() const;
  std::string Describe() const;  // for assertion messages
};

std::string CliBinary();

// Runs `syncagent args...` and waits (killed after `timeout`).
ProcResult RunCli(const std::vector<std::string>& args, const EnvChanges& env = {},
                  std::chrono::milliseconds timeout = std::chrono::seconds(60));

// A `syncagent` running in the background (stdout and stderr are pipes).
class BackgroundCli {
 public:
  BackgroundCli(const std::vector<std::string>& args, const EnvChanges& env = {});
  ~BackgroundCli();  // SIGKILLs it if still running

  pid_t pid() const { return pid_; }
  // The next stdout line (without '\n'), or nullopt after `timeout` / at EOF.
  std::optional<std::string> ReadStdoutLine(std::chrono::milliseconds timeout);
  // Waits until stderr contains `text`; returns whether it did within `timeout`.
  bool WaitForStderr(const std::string& text, std::chrono::milliseconds timeout);
  void Signal(int signo);
  // Waits for the exit; nullopt on timeout. Drains the pipes meanwhile.
  std::optional<int> Wait(std::chrono::milliseconds timeout);
  const std::string& err() const { return err_; }

 private:
  void Pump(int timeout_ms);

  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::string out_;
  std::string err_;
  bool reaped_ = false;
  int status_ = 0;
};

std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& text, int mode = 0644);

// A temp dir, an in-process mock server (admin on, token kToken) and configs pointing at it.
class CliTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Writes <dir>/<name>.json for a store <dir>/<name>.db, merged with `patch` (RFC 7396).
  std::string WriteConfig(const std::string& name = "agent", const json& patch = json::object());
  // RunCli with the token variable set.
  ProcResult Cli(const std::vector<std::string>& args, EnvChanges env = {},
                 std::chrono::milliseconds timeout = std::chrono::seconds(60));
  EnvChanges TokenEnv() const { return {{kTokenEnv, std::string(kToken)}}; }
  // The server's live document, or null.
  json ServerDoc(const std::string& collection, const std::string& key);
  void SetFaults(const json& scenario);

  std::string dir_;
  std::unique_ptr<mock::MockServer> server_;
  mock::MockServerOptions server_options_;  // may be changed before SetUp by a subclass
};

}  // namespace syncagent::cli::testing

#endif  // SYNCAGENT_TESTS_CLI_CLI_TEST_SUPPORT_H_
