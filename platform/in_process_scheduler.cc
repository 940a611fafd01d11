#include "platform/in_process_scheduler.h"

#include <algorithm>
#include <exception>
#include <utility>

namespace syncagent {

InProcessScheduler::InProcessScheduler(Clock* clock, DeviceState* device, InProcessOptions options)
    : clock_(clock),
      device_(device),
      in_options_(options),
      rng_(options.seed != 0 ? options.seed : std::random_device{}()) {
  SYNCAGENT_CHECK(clock != nullptr && device != nullptr);
  if (in_options_.constraint_poll.count() <= 0) in_options_.constraint_poll = Millis(1);
}

InProcessScheduler::~InProcessScheduler() { Stop().IgnoreError(); }

Millis InProcessScheduler::Jittered(Millis interval) {
  const int64_t spread = interval.count() * options_.jitter_percent / 100;
  if (spread <= 0) return interval;
  std::uniform_int_distribution<int64_t> dist(-spread, spread);
  return std::max(Millis(1), interval + Millis(dist(rng_)));
}

void InProcessScheduler::StartThreadLocked() {
  if (!thread_.joinable()) thread_ = std::thread([this] { Loop(); });
}

Status InProcessScheduler::Configure(const ScheduleOptions& options, TaskHandler handler) {
  SYNCAGENT_RETURN_IF_ERROR(ValidateScheduleOptions(options));
  if (!handler) return InvalidArgumentError("in-process scheduler: the handler is empty");
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_) return FailedPreconditionError("in-process scheduler: Stop() in progress");
  if (configured_ && options.task_id != options_.task_id) tasks_.erase(options_.task_id);
  options_ = options;
  handler_ = std::move(handler);
  configured_ = true;
  stopped_ = false;
  Task task;
  task.task_id = options.task_id;
  task.periodic = true;
  task.interval = options.minimum_interval;
  task.constraints = options.constraints;
  task.next_run = clock_->Now() + Jittered(options.minimum_interval);
  task.requested_at = task.next_run;
  task.backoff = BackoffPolicy(options.backoff, in_options_.backoff_limits);
  task.generation = next_generation_++;
  tasks_.insert_or_assign(options.task_id, std::move(task));
  StartThreadLocked();
  cv_.notify_all();
  return Status::Ok();
}

Status InProcessScheduler::ScheduleTask(const TaskRequest& request) {
  SYNCAGENT_RETURN_IF_ERROR(ValidateTaskRequest(request));
  std::lock_guard<std::mutex> lock(mu_);
  if (!configured_ || stopped_) {
    return FailedPreconditionError("in-process scheduler: ScheduleTask('" + request.task_id +
                                   "') before Configure");
  }
  Task task;
  task.task_id = request.task_id;
  task.periodic = request.periodic;
  task.interval = request.interval;
  task.constraints = request.constraints;
  task.next_run = clock_->Now() + request.delay;
  task.requested_at = task.next_run;
  task.backoff = BackoffPolicy(options_.backoff, in_options_.backoff_limits);
  task.generation = next_generation_++;
  tasks_.insert_or_assign(request.task_id, std::move(task));
  cv_.notify_all();
  return Status::Ok();
}

Status InProcessScheduler::Cancel(std::string_view task_id) {
  std::lock_guard<std::mutex> lock(mu_);
  bool found = tasks_.erase(std::string(task_id)) > 0;
  if (running_token_ && running_id_ == task_id) {
    running_token_->Cancel("cancelled: task '" + std::string(task_id) + "' was cancelled");
    found = true;
  }
  cv_.notify_all();
  if (!found) return NotFoundError("in-process scheduler: no task '" + std::string(task_id) + "'");
  return Status::Ok();
}

Status InProcessScheduler::Stop() {
  std::thread thread;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (running_token_ && std::this_thread::get_id() == runner_id_) {
      return FailedPreconditionError("in-process scheduler: Stop() called from inside the handler");
    }
    tasks_.clear();
    stopped_ = true;
    if (!thread_.joinable()) return Status::Ok();
    stopping_ = true;
    if (running_token_) running_token_->Cancel("stopped: the scheduler is stopping");
    thread = std::move(thread_);
  }
  cv_.notify_all();
  thread.join();
  std::lock_guard<std::mutex> lock(mu_);
  stopping_ = false;
  return Status::Ok();
}

SchedulerStatus InProcessScheduler::GetStatus() const {
  std::lock_guard<std::mutex> lock(mu_);
  SchedulerStatus status;
  status.configured = configured_;
  status.stopped = stopped_;
  status.running_task = running_token_ ? running_id_ : std::string();
  status.runs = runs_;
  const MonoTime now = clock_->Now();
  const int64_t wall_now = clock_->WallMs();
  for (const auto& [id, task] : tasks_) {
    PendingTaskStatus pending;
    pending.task_id = id;
    pending.periodic = task.periodic;
    pending.interval = task.interval;
    pending.next_run = task.next_run;
    pending.next_run_wall_ms =
        wall_now + std::chrono::duration_cast<Millis>(task.next_run - now).count();
    pending.attempt = task.backoff.attempt();
    pending.waiting_for_constraints = task.waiting;
    pending.why_not = task.why_not;
    status.pending.push_back(std::move(pending));
  }
  return status;
}

void InProcessScheduler::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    auto next = std::min_element(tasks_.begin(), tasks_.end(), [](const auto& a, const auto& b) {
      return a.second.next_run < b.second.next_run;
    });
    if (next == tasks_.end()) {
      cv_.wait(lock);
      continue;
    }
    const MonoTime now = clock_->Now();
    if (next->second.next_run > now) {
      cv_.wait_for(lock, next->second.next_run - now);
      continue;
    }
    const std::string task_id = next->first;
    const uint64_t generation = next->second.generation;
    lock.unlock();
    const DeviceSnapshot snapshot = device_->Snapshot();
    lock.lock();
    auto it = tasks_.find(task_id);
    if (stopping_ || it == tasks_.end() || it->second.generation != generation) continue;
    Task& task = it->second;
    std::string why_not;
    if (!Satisfies(task.constraints, snapshot, &why_not)) {
      task.waiting = true;
      task.why_not = std::move(why_not);
      task.next_run = clock_->Now() + in_options_.constraint_poll;
      continue;
    }
    task.waiting = false;
    task.why_not.clear();
    const Task copy = task;
    const TaskResult result = RunHandler(lock, copy, snapshot);

    it = tasks_.find(task_id);
    if (it == tasks_.end() || it->second.generation != generation) continue;
    Task& after = it->second;
    const MonoTime end = clock_->Now();
    if (result == TaskResult::kRetry) {
      after.next_run = end + after.backoff.RecordRetry();
    } else if (after.periodic) {
      after.backoff.Reset();
      after.next_run = end + Jittered(after.interval);
    } else {
      tasks_.erase(it);
      continue;
    }
    after.requested_at = after.next_run;
  }
}

TaskResult InProcessScheduler::RunHandler(std::unique_lock<std::mutex>& lock, const Task& task,
                                          const DeviceSnapshot& snapshot) {
  auto token = std::make_shared<CancelToken>();
  const Millis budget = options_.time_budget;
  TaskInvocation invocation;
  invocation.task_id = task.task_id;
  const MonoTime start = clock_->Now();
  const int64_t wall_now = clock_->WallMs();
  invocation.requested_at_wall_ms =
      wall_now - std::chrono::duration_cast<Millis>(start - task.requested_at).count();
  invocation.started_at_wall_ms = wall_now;
  invocation.budget = budget;
  invocation.deadline = start + budget;
  invocation.cancel = token.get();
  invocation.constraints_seen = snapshot.ToString();
  invocation.attempt = task.backoff.attempt();
  invocation.periodic = task.periodic;

  TaskHandler handler = handler_;
  running_token_ = token;
  running_id_ = task.task_id;
  run_done_ = false;
  ++runs_;
  TaskResult result = TaskResult::kFailure;
  std::thread runner([&] {
    TaskResult value = TaskResult::kFailure;
    try {
      value = handler(invocation);
    } catch (...) {
      value = TaskResult::kFailure;  // no exception escapes the scheduler
    }
    std::lock_guard<std::mutex> done_lock(mu_);
    result = value;
    run_done_ = true;
    cv_.notify_all();
  });
  runner_id_ = runner.get_id();
  const auto real_deadline = std::chrono::steady_clock::now() + budget;
  cv_.wait_until(lock, real_deadline, [this] { return run_done_ || stopping_; });
  if (!run_done_) {
    token->Cancel(stopping_ ? "stopped: the scheduler is stopping"
                            : "deadline: the time budget is exhausted");
    cv_.wait(lock, [this] {
      if (stopping_ && running_token_) running_token_->Cancel("stopped: the scheduler is stopping");
      return run_done_;
    });
  }
  lock.unlock();
  runner.join();
  lock.lock();
  running_token_.reset();
  running_id_.clear();
  runner_id_ = std::thread::id();
  return result;
}

}  // namespace syncagent
