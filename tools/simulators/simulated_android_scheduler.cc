#include "tools/simulators/simulated_android_scheduler.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "tools/simulators/sim_invocation.h"

namespace syncagent {

namespace {
constexpr MonoTime kNever{std::numeric_limits<int64_t>::max()};

std::string Minutes(Millis d) {
  const int64_t seconds = d.count() / 1000;
  if (seconds % 60 == 0) return std::to_string(seconds / 60) + " min";
  return std::to_string(seconds) + " s";
}
}  // namespace

SimulatedAndroidScheduler::SimulatedAndroidScheduler(VirtualClock* clock, FakeDeviceState* device,
                                                     uint64_t seed, AndroidSimOptions options)
    : clock_(clock), device_(device), sim_options_(std::move(options)), rng_(seed) {
  SYNCAGENT_CHECK(clock != nullptr && device != nullptr);
}

Status SimulatedAndroidScheduler::Configure(const ScheduleOptions& options, TaskHandler handler) {
  SYNCAGENT_RETURN_IF_ERROR(ValidateScheduleOptions(options));
  if (!handler) return InvalidArgumentError("android sim: the handler is empty");
  options_ = options;
  handler_ = std::move(handler);
  configured_ = true;
  stopped_ = false;
  TaskRequest request;
  request.task_id = options.task_id;
  request.periodic = true;
  request.interval = options.minimum_interval;
  request.constraints = options.constraints;
  SYNCAGENT_RETURN_IF_ERROR(
      EnqueueUniquePeriodicWork(request, sim_options_.existing_policy, sim_options_.flex));
  works_[options.task_id].configured_task = true;
  return Status::Ok();
}

Status SimulatedAndroidScheduler::ScheduleTask(const TaskRequest& request) {
  SYNCAGENT_RETURN_IF_ERROR(ValidateTaskRequest(request));
  if (!configured_ || stopped_) {
    return FailedPreconditionError("android sim: ScheduleTask('" + request.task_id +
                                   "') before Configure");
  }
  if (request.periodic) {
    return EnqueueUniquePeriodicWork(request, ExistingPeriodicWorkPolicy::kKeep, std::nullopt);
  }
  Work work;
  work.task_id = request.task_id;
  work.constraints = request.constraints;
  work.period_start = clock_.Now();
  work.initial_delay = request.delay;
  work.backoff = BackoffPolicy(options_.backoff);
  work.generation = next_generation_++;
  SetEligible(&work, clock_.Now() + request.delay);
  works_.insert_or_assign(request.task_id, std::move(work));  // ExistingWorkPolicy.REPLACE
  return Status::Ok();
}

Status SimulatedAndroidScheduler::EnqueueUniquePeriodicWork(const TaskRequest& request,
                                                            ExistingPeriodicWorkPolicy policy,
                                                            std::optional<Millis> flex) {
  SYNCAGENT_RETURN_IF_ERROR(ValidateTaskRequest(request));
  if (!configured_) return FailedPreconditionError("android sim: enqueue before Configure");
  Millis interval = request.interval;
  if (interval < kMinPeriodicInterval) {
    Warn("'" + request.task_id + "': interval " + Minutes(interval) +
         " clamped to 15 min (WorkManager's minimum periodic interval)");
    interval = kMinPeriodicInterval;
  }
  Millis window = flex.value_or(interval);
  if (window < kMinFlex) {
    Warn("'" + request.task_id + "': flex " + Minutes(window) + " clamped to 5 min");
    window = kMinFlex;
  }
  if (window > interval) {
    Warn("'" + request.task_id + "': flex " + Minutes(window) + " clamped to the interval");
    window = interval;
  }
  auto existing = works_.find(request.task_id);
  if (existing != works_.end() && existing->second.periodic) {
    Work& work = existing->second;
    if (policy == ExistingPeriodicWorkPolicy::kKeep) {
      trace_.Note(clock_.Now(), "KEEP: periodic work '" + request.task_id + "' already enqueued");
      return Status::Ok();
    }
    // UPDATE: the new spec applies from the current period start; counters are kept.
    work.interval = interval;
    work.flex = window;
    work.constraints = request.constraints;
    if (!work.running && work.backoff.retries() == 0) {
      SetEligible(&work, work.first_period
                             ? work.period_start + work.initial_delay + (interval - window)
                             : work.period_start + interval);
    }
    trace_.Note(clock_.Now(), "UPDATE: periodic work '" + request.task_id + "' updated");
    return Status::Ok();
  }
  Work work;
  work.task_id = request.task_id;
  work.periodic = true;
  work.interval = interval;
  work.flex = window;
  work.constraints = request.constraints;
  work.period_start = clock_.Now();
  work.initial_delay = request.delay;
  work.backoff = BackoffPolicy(options_.backoff);
  work.generation = next_generation_++;
  SetEligible(&work, clock_.Now() + request.delay + (interval - window));
  works_.insert_or_assign(request.task_id, std::move(work));
  return Status::Ok();
}

Status SimulatedAndroidScheduler::Cancel(std::string_view task_id) {
  auto it = works_.find(std::string(task_id));
  if (it == works_.end()) {
    return NotFoundError("android sim: no work named '" + std::string(task_id) + "'");
  }
  works_.erase(it);
  return Status::Ok();
}

Status SimulatedAndroidScheduler::Stop() {
  works_.clear();
  duplicates_.clear();
  stopped_ = true;
  trace_.Note(clock_.Now(), "stopped: all work cancelled");
  return Status::Ok();
}

SchedulerStatus SimulatedAndroidScheduler::GetStatus() const {
  SchedulerStatus status;
  status.configured = configured_;
  status.stopped = stopped_;
  status.running_task = running_;
  status.runs = runs_;
  for (const auto& [id, work] : works_) {
    PendingTaskStatus task;
    task.task_id = id;
    task.periodic = work.periodic;
    task.interval = work.interval;
    task.next_run = std::max(work.due, booted_at_);
    task.next_run_wall_ms = clock_.WallAt(task.next_run);
    task.attempt = work.backoff.attempt();
    task.waiting_for_constraints = work.waiting;
    task.why_not = work.why_not;
    status.pending.push_back(std::move(task));
  }
  return status;
}

void SimulatedAndroidScheduler::Reboot() {
  booted_at_ = clock_.Now() + sim_options_.boot_duration;
  duplicates_.clear();
  terminated_ = true;  // after boot the app process is not running: headless only
  trace_.Note(clock_.Now(), "reboot");
  if (!options_.start_on_boot && configured_) {
    works_.erase(options_.task_id);
    trace_.Note(clock_.Now(), "start_on_boot=false: '" + options_.task_id + "' not resumed");
  }
}

void SimulatedAndroidScheduler::TerminateApp() {
  if (options_.stop_on_terminate) {
    trace_.Note(clock_.Now(), "app terminated with stop_on_terminate=true");
    Stop().IgnoreError();
    return;
  }
  terminated_ = true;
  trace_.Note(clock_.Now(), "app terminated: work continues headless");
}

void SimulatedAndroidScheduler::LaunchApp() {
  terminated_ = false;
  trace_.Note(clock_.Now(), "app launched");
}

void SimulatedAndroidScheduler::Warn(std::string text) {
  trace_.Note(clock_.Now(), "warning: " + text);
  warnings_.push_back(std::move(text));
}

Millis SimulatedAndroidScheduler::SampleUniform(Millis low, Millis high) {
  if (high <= low) return low;
  std::uniform_int_distribution<int64_t> dist(low.count(), high.count());
  return Millis(dist(rng_));
}

void SimulatedAndroidScheduler::SetEligible(Work* work, MonoTime eligible) {
  const Millis cap = work->periodic ? std::min(work->flex, sim_options_.dispatch_delay_max)
                                    : sim_options_.dispatch_delay_max;
  work->eligible = eligible;
  work->due = eligible + SampleUniform(Millis(0), cap);
  work->waiting = false;
  work->why_not.clear();
  work->deferred_by.clear();
}

SimulatedAndroidScheduler::Work* SimulatedAndroidScheduler::EarliestDue() {
  Work* best = nullptr;
  for (auto& [id, work] : works_) {
    if (work.waiting || work.running) continue;
    if (best == nullptr || work.due < best->due) best = &work;
  }
  return best;
}

void SimulatedAndroidScheduler::RecheckWaiting() {
  bool any = false;
  for (const auto& entry : works_) any = any || (entry.second.waiting && !entry.second.running);
  if (!any) return;
  const DeviceSnapshot snapshot = device_->Snapshot();
  for (auto& [id, work] : works_) {
    if (!work.waiting || work.running || !Satisfies(work.constraints, snapshot, nullptr)) continue;
    work.waiting = false;
    work.why_not.clear();
    work.due = clock_.Now();  // constraint trackers start it as soon as they hold
  }
}

void SimulatedAndroidScheduler::RunUntil(MonoTime until) {
  RecheckWaiting();
  while (true) {
    Work* next = EarliestDue();
    const MonoTime task_at = next ? std::max(next->due, booted_at_) : kNever;
    auto duplicate = std::min_element(
        duplicates_.begin(), duplicates_.end(),
        [](const PendingDuplicate& a, const PendingDuplicate& b) { return a.at < b.at; });
    const MonoTime duplicate_at =
        duplicate == duplicates_.end() ? kNever : std::max(duplicate->at, booted_at_);
    const MonoTime event_at = timeline_.empty() ? kNever : timeline_.NextTime();
    if (std::min({task_at, duplicate_at, event_at}) > until) break;
    if (event_at <= task_at && event_at <= duplicate_at) {
      clock_.AdvanceTo(event_at);
      timeline_.RunNext();
    } else if (duplicate_at <= task_at) {
      PendingDuplicate pending = *duplicate;
      duplicates_.erase(duplicate);
      clock_.AdvanceTo(duplicate_at);
      RunDuplicate(pending, /*overlapped=*/false);
    } else {
      clock_.AdvanceTo(task_at);
      Attempt(next);
    }
    RecheckWaiting();
  }
  clock_.AdvanceTo(until);
}

void SimulatedAndroidScheduler::Attempt(Work* work) {
  const DeviceSnapshot snapshot = device_->Snapshot();
  std::string why_not;
  if (!Satisfies(work->constraints, snapshot, &why_not)) {
    work->waiting = true;
    work->why_not = why_not;
    if (work->deferred_by.empty()) work->deferred_by = why_not;
    return;
  }
  const std::string task_id = work->task_id;
  const uint64_t generation = work->generation;
  if (terminated_ && !options_.enable_headless) {
    trace_.Note(clock_.Now(), "'" + task_id + "' skipped: app terminated, headless disabled");
    WakeRecord skipped;
    skipped.result = TaskResult::kSuccess;
    AfterRun(task_id, generation, skipped);
    return;
  }
  SimInvocationSpec spec;
  spec.task_id = task_id;
  spec.periodic = work->periodic;
  spec.attempt = work->backoff.attempt();
  spec.requested_at = work->eligible;
  spec.os_limit = sim_options_.execution_limit;
  spec.budget = std::min(options_.time_budget, spec.os_limit);
  spec.kill_grace = sim_options_.kill_grace;
  spec.cancel_reason = "stopped: execution limit reached (onStopped)";
  spec.constraints_seen = snapshot.ToString();
  spec.deferred_by = work->deferred_by;
  work->running = true;

  // The duplicate-fire quirk: a second start of the same work shortly after this one.
  bool duplicate_armed = false;
  bool duplicate_fired = false;
  SimClock::TimerId duplicate_timer = 0;
  PendingDuplicate duplicate{};
  std::bernoulli_distribution fires_twice(std::clamp(sim_options_.duplicate_probability, 0.0, 1.0));
  if (fires_twice(rng_)) {
    duplicate = {clock_.Now() + SampleUniform(Millis(0), sim_options_.duplicate_max_gap), task_id,
                 generation, spec.attempt, spec.requested_at};
    duplicate_armed = true;
    duplicate_timer = clock_.AddTimer(duplicate.at, [this, duplicate, &duplicate_fired] {
      duplicate_fired = true;
      RunDuplicate(duplicate, /*overlapped=*/true);
    });
  }

  running_ = task_id;
  ++runs_;
  TaskHandler handler = handler_;
  WakeRecord record = RunSimInvocation(&clock_, handler, spec);
  running_.clear();
  if (duplicate_armed && !duplicate_fired) {
    clock_.CancelTimer(duplicate_timer);
    duplicate.at = std::max(duplicate.at, clock_.Now());
    duplicates_.push_back(duplicate);
  }
  AfterRun(task_id, generation, record);
  trace_.Add(std::move(record));
}

void SimulatedAndroidScheduler::RunDuplicate(const PendingDuplicate& duplicate, bool overlapped) {
  auto it = works_.find(duplicate.task_id);
  if (it == works_.end() || it->second.generation != duplicate.generation) return;
  const DeviceSnapshot snapshot = device_->Snapshot();
  if (!Satisfies(it->second.constraints, snapshot, nullptr)) {
    trace_.Note(clock_.Now(), "duplicate start of '" + duplicate.task_id +
                                  "' dropped: constraints no longer hold");
    return;
  }
  SimInvocationSpec spec;
  spec.task_id = duplicate.task_id;
  spec.periodic = it->second.periodic;
  spec.attempt = duplicate.attempt;
  spec.requested_at = duplicate.requested_at;
  spec.os_limit = sim_options_.execution_limit;
  spec.budget = std::min(options_.time_budget, spec.os_limit);
  spec.kill_grace = sim_options_.kill_grace;
  spec.cancel_reason = "stopped: execution limit reached (onStopped)";
  spec.duplicate = true;
  spec.overlapped = overlapped;
  spec.constraints_seen = snapshot.ToString();
  ++runs_;
  TaskHandler handler = handler_;
  trace_.Add(RunSimInvocation(&clock_, handler, spec));
}

void SimulatedAndroidScheduler::AfterRun(const std::string& task_id, uint64_t generation,
                                         const WakeRecord& record) {
  auto it = works_.find(task_id);
  if (it == works_.end() || it->second.generation != generation) return;  // cancelled/replaced
  Work& work = it->second;
  work.running = false;
  const MonoTime now = clock_.Now();
  if (record.cancelled || record.result == TaskResult::kRetry) {
    SetEligible(&work, now + work.backoff.RecordRetry());
    return;
  }
  work.backoff.Reset();  // success, or failure: periodic work moves on to the next period
  if (!work.periodic) {
    works_.erase(it);
    return;
  }
  work.period_start = now;
  work.first_period = false;
  SetEligible(&work, now + work.interval);
}

}  // namespace syncagent
