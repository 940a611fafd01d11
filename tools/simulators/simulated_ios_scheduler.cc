#include "tools/simulators/simulated_ios_scheduler.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "tools/simulators/sim_invocation.h"

namespace syncagent {

SimulatedIosScheduler::SimulatedIosScheduler(VirtualClock* clock, FakeDeviceState* device,
                                             uint64_t seed, IosSimOptions options)
    : clock_(clock), device_(device), sim_options_(std::move(options)), rng_(seed) {
  SYNCAGENT_CHECK(clock != nullptr && device != nullptr);
}

Status SimulatedIosScheduler::Configure(const ScheduleOptions& options, TaskHandler handler) {
  SYNCAGENT_RETURN_IF_ERROR(ValidateScheduleOptions(options));
  if (!handler) return InvalidArgumentError("ios sim: the handler is empty");
  // Only one refresh request may be pending: a new task id replaces the old request.
  for (auto it = requests_.begin(); it != requests_.end();) {
    it = it->second.refresh ? requests_.erase(it) : std::next(it);
  }
  options_ = options;
  handler_ = std::move(handler);
  configured_ = true;
  stopped_ = false;
  Request refresh;
  refresh.task_id = options.task_id;
  refresh.refresh = true;
  refresh.periodic = true;
  refresh.interval = options.minimum_interval;
  refresh.constraints = options.constraints;
  refresh.backoff = BackoffPolicy(options.backoff);
  Submit(std::move(refresh), clock_.Now() + options.minimum_interval);
  return Status::Ok();
}

Status SimulatedIosScheduler::ScheduleTask(const TaskRequest& request) {
  SYNCAGENT_RETURN_IF_ERROR(ValidateTaskRequest(request));
  if (!configured_ || stopped_) {
    return FailedPreconditionError("ios sim: ScheduleTask('" + request.task_id +
                                   "') before Configure (BGTaskScheduler.register)");
  }
  auto existing = requests_.find(request.task_id);
  if (existing != requests_.end() && existing->second.refresh) {
    return InvalidArgumentError("ios sim: '" + request.task_id + "' is the app-refresh task id");
  }
  if (existing == requests_.end()) {
    int processing = 0;
    for (const auto& entry : requests_) processing += entry.second.refresh ? 0 : 1;
    if (processing >= sim_options_.max_processing_requests) {
      trace_.Note(clock_.Now(), "refused processing request '" + request.task_id +
                                    "': tooManyPendingTaskRequests");
      return ResourceExhaustedError("ios sim: BGTaskScheduler.Error.tooManyPendingTaskRequests: " +
                                    std::to_string(processing) +
                                    " processing requests already pending; '" + request.task_id +
                                    "' refused");
    }
  }
  Request processing;
  processing.task_id = request.task_id;
  processing.periodic = request.periodic;
  processing.interval = request.interval;
  processing.constraints = request.constraints;
  processing.backoff = BackoffPolicy(options_.backoff);
  Submit(std::move(processing), clock_.Now() + request.delay);
  return Status::Ok();
}

Status SimulatedIosScheduler::Cancel(std::string_view task_id) {
  auto it = requests_.find(std::string(task_id));
  if (it == requests_.end()) {
    return NotFoundError("ios sim: no pending request '" + std::string(task_id) + "'");
  }
  requests_.erase(it);
  return Status::Ok();
}

Status SimulatedIosScheduler::Stop() {
  requests_.clear();  // cancelAllTaskRequests
  stopped_ = true;
  return Status::Ok();
}

SchedulerStatus SimulatedIosScheduler::GetStatus() const {
  SchedulerStatus status;
  status.configured = configured_;
  status.stopped = stopped_;
  status.running_task = running_;
  status.runs = runs_;
  for (const auto& [id, request] : requests_) {
    PendingTaskStatus task;
    task.task_id = id;
    task.periodic = request.periodic;
    task.interval = request.interval;
    task.next_run = request.due;
    task.next_run_wall_ms = clock_.WallAt(request.due);
    task.attempt = request.backoff.attempt();
    task.waiting_for_constraints = request.waiting;
    task.why_not = request.why_not;
    status.pending.push_back(std::move(task));
  }
  return status;
}

void SimulatedIosScheduler::ForceQuit() {
  app_running_ = false;
  trace_.Note(clock_.Now(), "force-quit: no background launches until the app is opened");
}

void SimulatedIosScheduler::LaunchApp() {
  if (app_running_) return;
  app_running_ = true;
  trace_.Note(clock_.Now(), "app launched");
  const MonoTime now = clock_.Now();
  for (auto& [id, request] : requests_) {
    if (request.due < now) request.due = std::max(request.earliest_begin, now) + SampleUsageDelay();
  }
}

void SimulatedIosScheduler::Submit(Request request, MonoTime earliest_begin) {
  request.earliest_begin = earliest_begin;
  request.due = earliest_begin + SampleUsageDelay();
  request.waiting = false;
  request.why_not.clear();
  request.deferred_by.clear();
  request.generation = next_generation_++;
  std::string id = request.task_id;
  requests_.insert_or_assign(std::move(id), std::move(request));
}

Millis SimulatedIosScheduler::SampleUniform(Millis low, Millis high) {
  if (high <= low) return low;
  std::uniform_int_distribution<int64_t> dist(low.count(), high.count());
  return Millis(dist(rng_));
}

Millis SimulatedIosScheduler::SampleUsageDelay() {
  const UsageDelayModel& model = sim_options_.usage_delay;
  if (model.custom) return std::max(Millis(0), model.custom(rng_));
  std::bernoulli_distribution is_short(std::clamp(model.short_probability, 0.0, 1.0));
  if (is_short(rng_)) return SampleUniform(model.short_min, model.short_max);
  return SampleUniform(model.long_min, model.long_max);
}

bool SimulatedIosScheduler::Allowed(const Request& request, const DeviceSnapshot& snapshot,
                                    std::string* why_not) const {
  // iOS knows only "needs network" and "needs external power".
  TaskConstraints honoured;
  if (request.refresh) {
    honoured.network = NetworkRequirement::kAny;
  } else {
    honoured.network = request.constraints.network == NetworkRequirement::kNone
                           ? NetworkRequirement::kNone
                           : NetworkRequirement::kAny;
    honoured.requires_charging = request.constraints.requires_charging;
  }
  return Satisfies(honoured, snapshot, why_not);
}

SimulatedIosScheduler::Request* SimulatedIosScheduler::EarliestDue() {
  if (!app_running_) return nullptr;
  Request* best = nullptr;
  for (auto& [id, request] : requests_) {
    if (request.waiting) continue;
    if (best == nullptr || request.due < best->due) best = &request;
  }
  return best;
}

void SimulatedIosScheduler::RecheckWaiting() {
  if (!app_running_) return;
  bool any = false;
  for (const auto& entry : requests_) any = any || entry.second.waiting;
  if (!any) return;
  const DeviceSnapshot snapshot = device_->Snapshot();
  for (auto& [id, request] : requests_) {
    if (!request.waiting || !Allowed(request, snapshot, nullptr)) continue;
    request.waiting = false;
    request.why_not.clear();
    request.due = clock_.Now() + SampleUniform(Millis(0), sim_options_.resume_delay_max);
  }
}

void SimulatedIosScheduler::RunUntil(MonoTime until) {
  RecheckWaiting();
  constexpr MonoTime kNever{std::numeric_limits<int64_t>::max()};
  while (true) {
    Request* next = EarliestDue();
    const MonoTime task_at = next ? next->due : kNever;
    const MonoTime event_at = timeline_.empty() ? kNever : timeline_.NextTime();
    if (std::min(task_at, event_at) > until) break;
    if (event_at <= task_at) {
      clock_.AdvanceTo(event_at);
      timeline_.RunNext();
    } else {
      clock_.AdvanceTo(task_at);
      Attempt(next);
    }
    RecheckWaiting();
  }
  clock_.AdvanceTo(until);
}

void SimulatedIosScheduler::Attempt(Request* request) {
  const DeviceSnapshot snapshot = device_->Snapshot();
  std::string why_not;
  if (!Allowed(*request, snapshot, &why_not)) {
    request->waiting = true;
    request->why_not = why_not;
    if (request->deferred_by.empty()) request->deferred_by = why_not;
    return;
  }
  SimInvocationSpec spec;
  spec.task_id = request->task_id;
  spec.periodic = request->periodic;
  spec.attempt = request->backoff.attempt();
  spec.requested_at = request->earliest_begin;
  spec.os_limit = request->refresh ? sim_options_.refresh_budget : sim_options_.processing_budget;
  spec.budget = std::min(options_.time_budget, spec.os_limit);
  spec.kill_grace = sim_options_.kill_grace;
  spec.cancel_reason = "expired: the expiration handler fired at the budget";
  spec.constraints_seen = snapshot.ToString();
  spec.deferred_by = request->deferred_by;
  const uint64_t generation = request->generation;
  // The system launched the task: the request is no longer pending until re-submitted.
  request->due = MonoTime{std::numeric_limits<int64_t>::max()};
  request->waiting = true;  // not runnable while it runs
  request->why_not = "running";

  running_ = spec.task_id;
  ++runs_;
  TaskHandler handler = handler_;  // the handler may reconfigure
  WakeRecord record = RunSimInvocation(&clock_, handler, spec);
  running_.clear();
  AfterRun(spec.task_id, generation, record);
  trace_.Add(std::move(record));
}

void SimulatedIosScheduler::AfterRun(const std::string& task_id, uint64_t generation,
                                     const WakeRecord& record) {
  auto it = requests_.find(task_id);
  if (it == requests_.end() || it->second.generation != generation) return;  // replaced/cancelled
  Request request = std::move(it->second);
  requests_.erase(it);
  const MonoTime now = clock_.Now();
  if (record.result == TaskResult::kRetry || record.cancelled) {
    const Millis delay = request.backoff.RecordRetry();
    Submit(std::move(request), now + delay);
    return;
  }
  request.backoff.Reset();
  if (request.periodic) {
    const Millis interval = request.refresh ? options_.minimum_interval : request.interval;
    Submit(std::move(request), now + interval);
  }
}

}  // namespace syncagent
