// Helpers shared by the simulated-scheduler tests: task bodies with known behaviour and a scripted
// week of device states.
#ifndef SYNCAGENT_TESTS_PLATFORM_SIM_TEST_UTIL_H_
#define SYNCAGENT_TESTS_PLATFORM_SIM_TEST_UTIL_H_

#include <chrono>
#include <functional>

#include "platform/cancel_token.h"
#include "platform/clock.h"
#include "platform/scheduler.h"
#include "tools/simulators/fake_device_state.h"

namespace syncagent {
namespace testing_util {

using namespace std::chrono_literals;

// A body that works for `work` in 1 s slices on `clock`, stopping early (checkpointed) at the
// invocation's deadline or when cancelled, like the sync engine does.
inline TaskHandler WellBehaved(Clock* clock, Millis work,
                               TaskResult result = TaskResult::kSuccess) {
  return [clock, work, result](const TaskInvocation& invocation) {
    const MonoTime end = clock->Now() + work;
    while (clock->Now() < end) {
      const auto left = std::min<std::chrono::nanoseconds>(
          {end - clock->Now(), invocation.deadline - clock->Now(), std::chrono::nanoseconds(1s)});
      if (left.count() <= 0) return TaskResult::kRetry;  // out of budget: checkpoint, retry later
      if (!clock->SleepFor(left, invocation.cancel)) return TaskResult::kRetry;
    }
    return result;
  };
}

// A body that sleeps `work` in one go and never looks at its token or deadline.
inline TaskHandler IgnoresCancellation(Clock* clock, Millis work) {
  return [clock, work](const TaskInvocation&) {
    clock->SleepFor(work, nullptr);
    return TaskResult::kSuccess;
  };
}

// Seven days from `start`: offline 01:00-05:00 every night and 12:00-14:00 on day 3; charging
// 22:00-07:00.
template <typename Sim>
void ScriptWeek(Sim* sim, FakeDeviceState* device, MonoTime start) {
  for (int day = 0; day < 7; ++day) {
    const MonoTime midnight = start + std::chrono::hours(24 * day);
    sim->AddEvent(midnight + 1h, [device] { device->SetNetwork(NetworkKind::kNone); });
    sim->AddEvent(midnight + 5h, [device] { device->SetNetwork(NetworkKind::kUnmetered); });
    sim->AddEvent(midnight + 7h, [device] { device->SetCharging(false); });
    sim->AddEvent(midnight + 22h, [device] { device->SetCharging(true); });
  }
  sim->AddEvent(start + 72h + 12h, [device] { device->SetNetwork(NetworkKind::kMetered); });
  sim->AddEvent(start + 72h + 12h + 30min, [device] { device->SetNetwork(NetworkKind::kNone); });
  sim->AddEvent(start + 72h + 14h, [device] { device->SetNetwork(NetworkKind::kUnmetered); });
}

// True when `t` (relative to `start`) falls in ScriptWeek's offline windows.
inline bool ScriptedOffline(MonoTime start, MonoTime t) {
  const auto since = t - start;
  const auto in_day = since % std::chrono::hours(24);
  if (in_day >= 1h && in_day < 5h) return true;
  return since >= 72h + 12h + 30min && since < 72h + 14h;
}

}  // namespace testing_util
}  // namespace syncagent

#endif  // SYNCAGENT_TESTS_PLATFORM_SIM_TEST_UTIL_H_
