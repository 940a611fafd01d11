#include "tools/simulators/sim_report.h"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <random>
#include <utility>

#include "platform/cancel_token.h"
#include "tools/simulators/fake_device_state.h"

namespace syncagent {
namespace {

using std::chrono::duration_cast;

Millis SinceStart(MonoTime t) { return duration_cast<Millis>(t - MonoTime{}); }

// "HH:MM" (H or HH; MM two digits) into minutes since midnight; "24:00" only with allow_24.
bool ParseClockTime(std::string_view text, bool allow_24, int* minutes) {
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 2 || text.size() != colon + 3) {
    return false;
  }
  int hours = 0, mins = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (i == colon) continue;
    if (text[i] < '0' || text[i] > '9') return false;
    int& part = i < colon ? hours : mins;
    part = part * 10 + (text[i] - '0');
  }
  if (mins > 59 || hours > 24 || (hours == 24 && (!allow_24 || mins != 0))) return false;
  *minutes = hours * 60 + mins;
  return true;
}

std::string TwoDigits(int64_t value) {
  char buffer[24];
  std::snprintf(buffer, sizeof(buffer), "%02lld", static_cast<long long>(value));
  return buffer;
}

// The device's scripted day: how many offline / charging windows are open right now.
struct DeviceScript {
  FakeDeviceState* device = nullptr;
  int offline = 0;
  int charging = 0;

  void Offline(int delta) {
    offline += delta;
    device->SetNetwork(offline > 0 ? NetworkKind::kNone : NetworkKind::kUnmetered);
  }
  void Charging(int delta) {
    charging += delta;
    device->SetCharging(charging > 0);
  }
};

// Adds open/close events for `window` on every day of the span (and the previous day's wrap).
template <typename Sim>
void ScheduleWindow(Sim* sim, const DailyWindow& window, int days, DeviceScript* script,
                    void (DeviceScript::*toggle)(int)) {
  const int64_t span = int64_t{days} * kMinutesPerDay;
  for (int day = -1; day < days; ++day) {
    const int64_t open = int64_t{day} * kMinutesPerDay + window.from_minute;
    const int64_t close = int64_t{day} * kMinutesPerDay + window.to_minute +
                          (window.wraps() ? kMinutesPerDay : 0);
    if (close <= 0 || open >= span) continue;
    const MonoTime at_open = MonoTime{} + std::chrono::minutes(std::max<int64_t>(open, 0));
    sim->AddEvent(at_open, [script, toggle] { (script->*toggle)(+1); });
    if (close < span) {
      sim->AddEvent(MonoTime{} + std::chrono::minutes(close),
                    [script, toggle] { (script->*toggle)(-1); });
    }
  }
}

// The task body of the work model (sim_report.h); the device's network is checked before it.
class ModelBody {
 public:
  ModelBody(Clock* clock, const WorkModel& model, uint64_t seed)
      : clock_(clock), model_(model), rng_(seed * 0x9E3779B97F4A7C15ULL + 1) {}

  SimBodyResult Run(const TaskInvocation& invocation);

 private:
  Millis Draw(Millis low, Millis high) {
    if (high <= low) return low;
    return Millis(std::uniform_int_distribution<int64_t>(low.count(), high.count())(rng_));
  }

  Clock* clock_;
  WorkModel model_;
  std::mt19937_64 rng_;
  Millis carried_{0};
};

SimBodyResult ModelBody::Run(const TaskInvocation& invocation) {
  const bool backlog = std::bernoulli_distribution(
      std::clamp(model_.backlog_probability, 0.0, 1.0))(rng_);
  const Millis fresh = backlog ? Draw(model_.backlog_min, model_.backlog_max)
                               : Draw(model_.work_min, model_.work_max);
  const Millis work = carried_ + fresh;
  const Millis slice = std::min(work, invocation.budget);
  carried_ = work - slice;
  const std::string left = FormatSimDuration(carried_) + " of work left for the next run";
  if (!clock_->SleepFor(slice, invocation.cancel)) {
    return {RunOutcome::kCut, TaskResult::kRetry, "cancelled by the OS at its limit; " + left};
  }
  if (carried_ > Millis(0)) {
    return {RunOutcome::kCut, TaskResult::kSuccess,
            "cut at the " + FormatSimDuration(invocation.budget) + " budget; " + left};
  }
  return {RunOutcome::kOk, TaskResult::kSuccess, "synced " + FormatSimDuration(work) + " of work"};
}

// Runs `body` unless the device is offline, and records what each run did in call order (the
// task body's side of a WakeRecord).
class RecordingHandler {
 public:
  RecordingHandler(FakeDeviceState* device, SimBody body) : device_(device), body_(std::move(body)) {}

  TaskResult Run(const TaskInvocation& invocation) {
    if (device_->Snapshot().network == NetworkKind::kNone) {
      records_.push_back({RunOutcome::kOffline, TaskResult::kRetry,
                          "offline: the server is unreachable; the OS retries with its backoff"});
    } else {
      records_.push_back(body_(invocation));
    }
    return records_.back().reported;
  }
  const std::vector<SimBodyResult>& records() const { return records_; }

 private:
  FakeDeviceState* device_;
  SimBody body_;
  std::vector<SimBodyResult> records_;
};

StatusOr<SimBody> MakeBody(const SimulationSpec& spec, Clock* clock) {
  if (spec.make_body) return spec.make_body(clock);
  auto model = std::make_shared<ModelBody>(clock, spec.work, spec.seed);
  return SimBody([model](const TaskInvocation& invocation) { return model->Run(invocation); });
}

// Joins the trace's records with the body's (both in start order: no duplicate fires).
std::vector<SimRun> JoinRuns(const SimTrace& trace, const std::vector<SimBodyResult>& body) {
  std::vector<SimRun> runs;
  const auto& records = trace.records();
  for (size_t i = 0; i < records.size(); ++i) {
    const WakeRecord& record = records[i];
    SimRun run;
    run.requested = SinceStart(record.requested_at);
    run.started = SinceStart(record.started_at);
    run.duration = record.consumed;
    run.attempt = record.attempt;
    run.reported = record.result;
    run.deferred_by = record.deferred_by;
    if (i < body.size()) {
      run.outcome = body[i].outcome;
      run.reason = body[i].reason;
    }
    runs.push_back(std::move(run));
  }
  return runs;
}

Millis LongestWithoutSuccess(const std::vector<SimRun>& runs, Millis span) {
  Millis last{0}, longest{0};
  for (const SimRun& run : runs) {
    if (run.outcome != RunOutcome::kOk) continue;
    const Millis end = std::min(run.started + run.duration, span);
    longest = std::max(longest, end - last);
    last = end;
  }
  return std::max(longest, span - last);
}

SimSummary Summarize(const SimTrace& trace, const std::vector<SimRun>& runs,
                     const SchedulerStatus& status, Millis span) {
  SimSummary summary;
  const TraceSummary counts = trace.Summarize();
  summary.runs = static_cast<int>(runs.size());
  summary.mean_interval = counts.mean_interval;
  summary.max_interval = counts.max_interval;
  for (const SimRun& run : runs) {
    summary.ok += run.outcome == RunOutcome::kOk;
    summary.cut_by_budget += run.outcome == RunOutcome::kCut;
    summary.offline += run.outcome == RunOutcome::kOffline;
    summary.failed += run.outcome == RunOutcome::kFailed;
    summary.skipped += run.outcome == RunOutcome::kSkipped;
    summary.skipped_by_constraints += !run.deferred_by.empty();
  }
  for (const PendingTaskStatus& pending : status.pending) {
    summary.skipped_by_constraints += pending.waiting_for_constraints && pending.why_not != "running";
  }
  summary.longest_without_success = LongestWithoutSuccess(runs, span);
  return summary;
}

// One simulation on `Sim` (SimulatedIosScheduler or SimulatedAndroidScheduler).
template <typename Sim, typename SimOptions>
StatusOr<SimReport> Simulate(const SimulationSpec& spec, SimOptions sim_options,
                             void (Sim::*force_quit)(), Millis os_limit) {
  VirtualClock clock;
  FakeDeviceState device;
  device.SetNetwork(NetworkKind::kUnmetered);
  Sim sim(&clock, &device, spec.seed, std::move(sim_options));
  DeviceScript script{&device};
  for (const DailyWindow& w : spec.offline) {
    ScheduleWindow(&sim, w, spec.days, &script, &DeviceScript::Offline);
  }
  for (const DailyWindow& w : spec.charging) {
    ScheduleWindow(&sim, w, spec.days, &script, &DeviceScript::Charging);
  }
  if (spec.force_quit_at) sim.AddEvent(MonoTime{} + *spec.force_quit_at, [&] { (sim.*force_quit)(); });
  auto body = MakeBody(spec, sim.clock());
  if (!body.ok()) return body.status();
  RecordingHandler handler(&device, *std::move(body));
  SYNCAGENT_RETURN_IF_ERROR(sim.Configure(spec.schedule, [&handler](const TaskInvocation& inv) {
    return handler.Run(inv);
  }));

  SimReport report;
  report.spec = spec;
  sim.RunUntil(MonoTime{} + report.span());
  report.runs = JoinRuns(sim.trace(), handler.records());
  report.summary = Summarize(sim.trace(), report.runs, sim.GetStatus(), report.span());
  report.summary.budget = std::min(spec.schedule.time_budget, os_limit);
  report.summary.interval = spec.schedule.minimum_interval;
  for (const auto& [at, text] : sim.trace().notes()) {
    report.notes.push_back(FormatSimTime(SinceStart(at)) + " " + text);
  }
  return report;
}

Status ValidateSpec(const SimulationSpec& spec) {
  if (spec.days < kMinSimDays || spec.days > kMaxSimDays) {
    return InvalidArgumentError("days must be " + std::to_string(kMinSimDays) + ".." +
                                std::to_string(kMaxSimDays) + ", not " + std::to_string(spec.days));
  }
  for (const auto* windows : {&spec.offline, &spec.charging}) {
    for (const DailyWindow& w : *windows) {
      if (w.from_minute < 0 || w.from_minute >= kMinutesPerDay || w.to_minute < 0 ||
          w.to_minute > kMinutesPerDay || w.from_minute == w.to_minute) {
        return InvalidArgumentError("malformed daily window " + w.ToString());
      }
    }
  }
  const Millis span = std::chrono::hours(24) * spec.days;
  if (spec.force_quit_at && (*spec.force_quit_at < Millis(0) || *spec.force_quit_at >= span)) {
    return InvalidArgumentError("the force-quit (" + FormatSimTime(*spec.force_quit_at) +
                                ") is outside the " + std::to_string(spec.days) + " simulated days");
  }
  return Status::Ok();
}

}  // namespace

std::string_view ToString(SimPlatform platform) {
  return platform == SimPlatform::kIos ? "ios" : "android";
}

StatusOr<SimPlatform> ParseSimPlatform(std::string_view text) {
  if (text == "ios") return SimPlatform::kIos;
  if (text == "android") return SimPlatform::kAndroid;
  return InvalidArgumentError("unknown platform \"" + std::string(text) +
                              "\" (expected ios or android)");
}

std::string_view ToString(RunOutcome outcome) {
  switch (outcome) {
    case RunOutcome::kOk: return "ok";
    case RunOutcome::kCut: return "cut";
    case RunOutcome::kOffline: return "offline";
    case RunOutcome::kFailed: return "failed";
    case RunOutcome::kSkipped: return "skipped";
  }
  return "?";
}

bool DailyWindow::Contains(int minute_of_day) const {
  if (wraps()) return minute_of_day >= from_minute || minute_of_day < to_minute;
  return minute_of_day >= from_minute && minute_of_day < to_minute;
}

std::string DailyWindow::ToString() const {
  return TwoDigits(from_minute / 60) + ":" + TwoDigits(from_minute % 60) + "-" +
         TwoDigits(to_minute / 60) + ":" + TwoDigits(to_minute % 60);
}

StatusOr<DailyWindow> ParseDailyWindow(std::string_view text) {
  const size_t dash = text.find('-');
  DailyWindow window;
  if (dash == std::string_view::npos ||
      !ParseClockTime(text.substr(0, dash), /*allow_24=*/false, &window.from_minute) ||
      !ParseClockTime(text.substr(dash + 1), /*allow_24=*/true, &window.to_minute)) {
    return InvalidArgumentError("\"" + std::string(text) +
                                "\" is not HH:MM-HH:MM (hours 00-23, minutes 00-59, end may be "
                                "24:00)");
  }
  if (window.from_minute == window.to_minute) {
    return InvalidArgumentError("\"" + std::string(text) + "\" is empty (start equals end)");
  }
  return window;
}

StatusOr<Millis> ParseDayTime(std::string_view text) {
  const size_t colon = text.find(':');
  int day = 0, minutes = 0;
  bool ok = colon != std::string_view::npos && colon > 0 && colon <= 2;
  for (size_t i = 0; ok && i < colon; ++i) {
    ok = text[i] >= '0' && text[i] <= '9';
    day = day * 10 + (text[i] - '0');
  }
  if (!ok || day < 1 || !ParseClockTime(text.substr(colon + 1), /*allow_24=*/false, &minutes)) {
    return InvalidArgumentError("\"" + std::string(text) +
                                "\" is not DAY:HH:MM (day from 1, hours 00-23, minutes 00-59)");
  }
  return std::chrono::duration_cast<Millis>(std::chrono::hours(24) * (day - 1) +
                                            std::chrono::minutes(minutes));
}

std::string FormatSimTime(Millis since_start) {
  const int64_t s = since_start.count() / 1000;
  return "day " + std::to_string(s / 86400 + 1) + " " + TwoDigits(s / 3600 % 24) + ":" +
         TwoDigits(s / 60 % 60) + ":" + TwoDigits(s % 60);
}

std::string FormatSimDuration(Millis d) {
  const int64_t ms = d.count();
  if (ms < 60'000) {
    char buffer[32];
    std::snprintf(buffer, sizeof(buffer), "%.1f s", static_cast<double>(ms) / 1000.0);
    return buffer;
  }
  const int64_t minutes = ms / 60'000;
  if (minutes < 60) {
    const int64_t seconds = ms / 1000 % 60;
    return std::to_string(minutes) + " min" + (seconds ? " " + TwoDigits(seconds) + " s" : "");
  }
  const std::string hours = std::to_string(minutes / 60) + " h";
  return minutes % 60 == 0 ? hours : hours + " " + TwoDigits(minutes % 60) + " min";
}

StatusOr<SimReport> RunSimulation(const SimulationSpec& spec) {
  SYNCAGENT_RETURN_IF_ERROR(ValidateSpec(spec));
  if (spec.platform == SimPlatform::kIos) {
    return Simulate<SimulatedIosScheduler>(spec, spec.ios, &SimulatedIosScheduler::ForceQuit,
                                           spec.ios.refresh_budget);
  }
  AndroidSimOptions android = spec.android;
  android.duplicate_probability = 0.0;  // JoinRuns pairs records and bodies in start order
  return Simulate<SimulatedAndroidScheduler>(spec, android,
                                             &SimulatedAndroidScheduler::TerminateApp,
                                             android.execution_limit);
}

}  // namespace syncagent
