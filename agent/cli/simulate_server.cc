#include "agent/cli/simulate_server.h"

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <utility>

#include "agent/agent.h"
#include "agent/headless_task.h"
#include "config/http_url.h"

namespace syncagent::cli {
namespace fs = std::filesystem;
namespace {

// The agent, its task and the temporary directory holding its store, for one simulation.
class ServerBody {
 public:
  ~ServerBody() {
    task_.reset();
    agent_.reset();
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }

  Status Open(AgentConfig config, Clock* clock) {
    std::string pattern = (fs::temp_directory_path() / "syncagent-simulate-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      return InternalError("--server: cannot create a temporary directory for the store");
    }
    dir_ = pattern;
    config.storage.path = dir_ + "/simulate.db";
    AgentOptions options;
    options.clock = clock;
    auto agent = Agent::Open(config, std::move(options));
    if (!agent.ok()) return agent.status();
    agent_ = std::shared_ptr<Agent>(std::move(*agent));
    task_ = std::make_unique<HeadlessTask>(agent_);
    return Status::Ok();
  }

  SimBodyResult Run(const TaskInvocation& invocation) {
    const HeadlessResult r = task_->Run(invocation);
    SimBodyResult out{RunOutcome::kFailed, r.task_result, r.reason};
    if (r.skipped || r.deferred) {
      out.outcome = RunOutcome::kSkipped;
    } else if (r.report && !r.watchdog_fired) {
      if (r.report->outcome == CycleOutcome::kDone) out.outcome = RunOutcome::kOk;
      if (r.report->outcome == CycleOutcome::kPartial) out.outcome = RunOutcome::kCut;
    }
    return out;
  }

 private:
  std::string dir_;
  std::shared_ptr<Agent> agent_;
  std::unique_ptr<HeadlessTask> task_;
};

}  // namespace

Status CheckServerUrl(const std::string& url) {
  std::string why;
  auto parsed = config_internal::ParseHttpUrl(url, &why);
  if (!parsed) return InvalidArgumentError("--server: \"" + url + "\" is not a URL: " + why);
  if (parsed->scheme == "http" && !config_internal::IsLoopbackHost(parsed->host)) {
    return InvalidArgumentError("--server: \"" + url +
                                "\": plain http only to a loopback mock server (use https)");
  }
  return Status::Ok();
}

SimBodyFactory ServerBodyFactory(const AgentConfig& config, const std::string& url) {
  AgentConfig server_config = config;
  server_config.server.base_url = url;
  server_config.server.allow_insecure_http = url.rfind("http://", 0) == 0;
  return SimBodyFactory([server_config](Clock* clock) -> StatusOr<SimBody> {
    auto body = std::make_shared<ServerBody>();
    Status opened = body->Open(server_config, clock);
    if (!opened.ok()) return opened;
    return SimBody([body](const TaskInvocation& invocation) { return body->Run(invocation); });
  });
}

}  // namespace syncagent::cli
