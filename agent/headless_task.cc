#include "agent/headless_task.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <random>
#include <thread>

#include "agent/retry_plan.h"

namespace syncagent {
namespace {

constexpr std::string_view kLease = "sync";
constexpr auto kPoll = std::chrono::milliseconds(5);

CheckpointKey RetriesCheckpoint(const std::string& task_id) {
  return CheckpointKey::HeadlessRetries(task_id);
}

int64_t ReadInt(Agent& agent, const CheckpointKey& key) {
  auto value = agent.GetCheckpoint(key);
  if (!value.ok() || !value->has_value()) return 0;
  return std::atoll((*value)->value.c_str());
}

std::string NewOwner(const Agent& agent) {
  static std::atomic<int64_t> counter{0};
  return agent.client_id() + "/" + std::to_string(::getpid()) + "/" + std::to_string(++counter);
}

// What the worker thread and Run share; kept alive by both.
struct CycleState {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  CycleReport report;
  CancelToken cancel;
};

RunResult ToRunResult(TaskResult r) {
  switch (r) {
    case TaskResult::kSuccess:
      return RunResult::kSuccess;
    case TaskResult::kRetry:
      return RunResult::kRetry;
    case TaskResult::kFailure:
      return RunResult::kFailure;
  }
  return RunResult::kFailure;
}

std::string Summary(const CycleReport& r) {
  std::string s(CycleOutcomeName(r.outcome));
  s += ": pushed " + std::to_string(r.pushed) + ", pulled " + std::to_string(r.pulled);
  if (r.conflicts) s += ", conflicts " + std::to_string(r.conflicts);
  if (r.rejected) s += ", dead-lettered " + std::to_string(r.rejected);
  if (r.stop != StopKind::kNone) s += " (stopped: " + r.StopReason() + ")";
  if (!r.error.ok()) s += " — " + r.error.message();
  return s;
}

}  // namespace

nlohmann::json HeadlessResult::ToJson() const {
  nlohmann::json j = {{"result", ToString(task_result)},
                      {"skipped", skipped},
                      {"deferred", deferred},
                      {"watchdog_fired", watchdog_fired},
                      {"reason", reason},
                      {"attempt", attempt},
                      {"run_id", run_id}};
  if (retry_delay.count() > 0) j["retry_delay_ms"] = retry_delay.count();
  if (report) j["cycle"] = report->ToJson();
  return j;
}

HeadlessTask::HeadlessTask(std::shared_ptr<Agent> agent, HeadlessOptions options)
    : agent_(std::move(agent)), options_(options) {}

TaskHandler HeadlessTask::AsHandler() {
  return [this](const TaskInvocation& invocation) { return Run(invocation).task_result; };
}

namespace {

RunStart StartOf(const TaskInvocation& invocation, Clock& clock) {
  RunStart start;
  start.task_id = invocation.task_id;
  start.requested_at =
      invocation.requested_at_wall_ms ? invocation.requested_at_wall_ms : clock.WallMs();
  start.budget_ms = invocation.budget.count();
  start.constraints = invocation.constraints_seen;
  return start;
}

// Closes the run's log entry with `result`. The result stands even if logging fails; a full
// store may still take the fallback slot.
void LogFinish(Agent& a, const RunStart& start, const HeadlessResult& result, RunResult run_result,
               const std::string& error) {
  RunFinish f;
  f.result = run_result;
  f.reason = result.reason;
  f.error = error;
  if (result.report) {
    f.pushed = result.report->pushed;
    f.pulled = result.report->pulled;
    f.conflicts = result.report->conflicts;
  }
  if (!a.FinishRun(result.run_id, f).ok()) {
    a.NoteUnloggedRun(result.run_id, start, f).IgnoreError();
  }
}

// What a finished cycle's report means to the OS; returns the error to log ("" = none).
std::string ClassifyCycle(HeadlessResult* result) {
  const CycleReport& r = *result->report;
  result->reason = Summary(r);
  switch (r.outcome) {
    case CycleOutcome::kDone:
      result->task_result = TaskResult::kSuccess;
      break;
    case CycleOutcome::kPartial:
      result->task_result =
          r.stop == StopKind::kDeadline ? TaskResult::kSuccess : TaskResult::kRetry;
      break;
    case CycleOutcome::kRetry:
      result->task_result = TaskResult::kRetry;
      break;
    case CycleOutcome::kFailed:
      result->task_result = TaskResult::kFailure;
      break;
  }
  return r.error.ok() ? std::string() : r.error.message();
}

}  // namespace

HeadlessResult HeadlessTask::Run(const TaskInvocation& invocation) {
  HeadlessResult result;
  Agent& a = *agent_;
  Clock& clock = agent_->clock();
  const std::string owner = NewOwner(a);

  const RunStart start = StartOf(invocation, clock);
  auto run_id = a.BeginRun(start);
  if (!run_id.ok()) return RunLogFailed(invocation, start, run_id.status());
  result.run_id = *run_id;

  auto acquired = a.AcquireLease(kLease, owner, invocation.budget + options_.lease_grace);
  if (!acquired.ok() || !*acquired) {
    result.skipped = acquired.ok();
    result.task_result = acquired.ok() ? TaskResult::kSuccess : TaskResult::kRetry;
    result.reason = acquired.ok() ? "skipped: another run holds the sync lease"
                                  : "lease: " + acquired.status().message();
    LogFinish(a, start, result, acquired.ok() ? RunResult::kSkipped : RunResult::kRetry, "");
    return result;
  }

  const int previous_retries = static_cast<int>(ReadInt(a, RetriesCheckpoint(invocation.task_id)));
  result.attempt = previous_retries + 1;

  // The server asked this device to stay quiet (retry_plan.h, rule 2): a periodic wake makes no
  // request at all.
  const int64_t not_before = ReadInt(a, CheckpointKey::QuietUntil());
  if (invocation.periodic && not_before > clock.WallMs()) {
    a.ReleaseLease(kLease, owner).IgnoreError();
    const RetryPlan plan = PlanQuietWake(clock.WallMs(), not_before);
    result.deferred = true;
    result.task_result = plan.result;
    result.reason = plan.note;
    a.SetCheckpoint(RetriesCheckpoint(invocation.task_id), std::to_string(plan.retries))
        .IgnoreError();
    LogFinish(a, start, result, RunResult::kSkipped, "");
    return result;
  }

  std::string error;
  if (RunWatched(invocation, owner, &result)) {
    error = ClassifyCycle(&result);
  } else {
    result.watchdog_fired = true;
    result.task_result = TaskResult::kRetry;
    result.reason = "watchdog: the cycle did not stop before the OS deadline";
  }
  ApplyRetryPlan(invocation, previous_retries, not_before, &result);
  LogFinish(a, start, result, ToRunResult(result.task_result), error);
  return result;
}

bool HeadlessTask::RunWatched(const TaskInvocation& invocation, const std::string& owner,
                              HeadlessResult* result) {
  Clock& clock = agent_->clock();
  // The cycle's deadline sits a margin before the OS's; the watchdog uses the rest.
  const Millis margin = std::min(options_.watchdog_margin, invocation.budget / 4);
  const MonoTime os_deadline = invocation.deadline;
  const MonoTime cycle_deadline = os_deadline - margin;
  const MonoTime soft_stop = os_deadline - margin / 2;
  const MonoTime hard_stop = os_deadline - margin / 4;

  auto state = std::make_shared<CycleState>();
  // An expiration that came before the cycle starts must stop it before its first request.
  if (invocation.cancel && invocation.cancel->IsCancelled()) {
    state->cancel.Cancel(invocation.cancel->reason());
  }
  std::shared_ptr<Agent> agent = agent_;
  const Millis cycle_budget =
      std::max(Millis(0), std::chrono::duration_cast<Millis>(cycle_deadline - clock.Now()));
  std::thread worker([state, agent, cycle_budget, owner] {
    CycleReport report = agent->SyncNow(cycle_budget, &state->cancel);
    agent->ReleaseLease(kLease, owner).IgnoreError();
    std::lock_guard<std::mutex> lock(state->mu);
    state->report = std::move(report);
    state->done = true;
    state->cv.notify_all();
  });

  bool finished = false;
  {
    std::unique_lock<std::mutex> lock(state->mu);
    while (!state->done) {
      if (invocation.cancel && invocation.cancel->IsCancelled() && !state->cancel.IsCancelled()) {
        state->cancel.Cancel(invocation.cancel->reason());
      }
      const MonoTime now = clock.Now();
      if (now >= soft_stop && !state->cancel.IsCancelled()) state->cancel.Cancel("watchdog");
      if (now >= hard_stop) break;
      state->cv.wait_for(lock, kPoll);
    }
    finished = state->done;
    if (finished) result->report = state->report;
  }
  if (finished) {
    worker.join();
  } else {
    worker.detach();  // it owns what it uses (agent, state) and releases the lease itself
  }
  return finished;
}

void HeadlessTask::ApplyRetryPlan(const TaskInvocation& invocation, int previous_retries,
                                  int64_t not_before, HeadlessResult* result) {
  Agent& a = *agent_;
  RetryPlanInput in;
  in.periodic = invocation.periodic;
  in.result = result->task_result;
  in.previous_retries = previous_retries;
  if (result->report) {
    in.error_class = result->report->error.retry_class();
    in.suggested_delay = result->report->retry_after;
  }
  const RetryPlan plan = Plan(in);
  if (!plan.note.empty()) result->reason = plan.note + " (" + result->reason + ")";
  result->task_result = plan.result;
  result->retry_delay = plan.retry_delay;
  a.SetCheckpoint(RetriesCheckpoint(invocation.task_id), std::to_string(plan.retries))
      .IgnoreError();
  if (plan.quiet_for.count() > 0) {
    a.SetCheckpoint(CheckpointKey::QuietUntil(),
                    std::to_string(a.clock().WallMs() + plan.quiet_for.count()))
        .IgnoreError();
  } else if (result->report && !result->watchdog_fired &&
             result->report->outcome == CycleOutcome::kDone && not_before != 0) {
    a.SetCheckpoint(CheckpointKey::QuietUntil(), "0").IgnoreError();
  }
}

RetryPlan HeadlessTask::Plan(const RetryPlanInput& in) const {
  RetryPlanOptions plan_options;
  plan_options.backoff = options_.backoff;
  plan_options.spread = options_.retry_spread;
  std::mt19937_64 rng(std::random_device{}());
  return PlanRetry(in, plan_options, std::uniform_real_distribution<double>(0.0, 1.0)(rng));
}

HeadlessResult HeadlessTask::RunLogFailed(const TaskInvocation& invocation, const RunStart& start,
                                          const Status& error) {
  Agent& a = *agent_;
  HeadlessResult result;
  result.reason = "run log: " + error.message();
  const int previous_retries = static_cast<int>(ReadInt(a, RetriesCheckpoint(invocation.task_id)));
  result.attempt = previous_retries + 1;
  if (error.retry_class() != RetryClass::kTransient) {
    result.task_result = TaskResult::kFailure;
  } else {
    // The device's own trouble, not the server's: the scheduler's backoff (retry_plan.h rule 3)
    // on periodic wakes too.
    RetryPlanInput in;
    in.periodic = invocation.periodic;
    in.result = TaskResult::kRetry;
    in.previous_retries = previous_retries;
    const RetryPlan plan = Plan(in);
    result.task_result = plan.result;
    result.retry_delay = plan.retry_delay;
    // An existing row is rewritten in place, which a full database usually still allows.
    a.SetCheckpoint(RetriesCheckpoint(invocation.task_id), std::to_string(plan.retries))
        .IgnoreError();
  }
  RunFinish f;
  f.result = ToRunResult(result.task_result);
  f.reason = result.task_result == TaskResult::kRetry ? "store unavailable: nothing synced"
                                                      : "store failed: nothing synced";
  f.error = result.reason;
  a.NoteUnloggedRun(0, start, f).IgnoreError();
  return result;
}

HeadlessResult HeadlessTask::RunCold(const std::string& config_path, const std::string& task_id,
                                     Millis budget, const CancelToken* cancel) {
  auto opened = Agent::OpenFile(config_path);
  if (!opened.ok()) {
    HeadlessResult result;
    result.task_result = TaskResult::kFailure;
    result.reason = opened.status().message();
    return result;
  }
  std::shared_ptr<Agent> agent = std::move(*opened);
  CancelToken never;
  WakeRequest request;
  request.task_id = task_id;
  request.budget = budget;
  request.cancel = cancel ? cancel : &never;
  HeadlessTask task(agent);
  return task.Run(InvocationNow(*agent, request));
}

TaskInvocation InvocationNow(Agent& agent, const WakeRequest& request) {
  const ScheduleConfig& schedule = agent.config().schedule;
  TaskInvocation invocation;
  invocation.task_id = request.task_id.empty() ? schedule.task_id : request.task_id;
  invocation.budget = request.budget.value_or(Millis(schedule.time_budget_seconds * 1000));
  invocation.requested_at_wall_ms = agent.clock().WallMs();
  invocation.started_at_wall_ms = invocation.requested_at_wall_ms;
  invocation.deadline = agent.clock().Now() + invocation.budget;
  invocation.cancel = request.cancel;
  invocation.constraints_seen = request.constraints_seen;
  invocation.periodic = request.periodic;
  return invocation;
}

}  // namespace syncagent
