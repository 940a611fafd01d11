// SystemdUnits: the Linux scheduler adapter, a systemd *user* timer + oneshot service pair.
//
// What: GenerateSystemdUnits() renders `syncagent-<task>.timer` and `syncagent-<task>.service`
// which run `<exe> --config <config> run --periodic --task-id <id> --budget-seconds <n>`. The timer:
//   OnBootSec=<on_boot>           first run after boot; already in the past when the timer is
//                                 started (login long after boot) = it elapses immediately
//   OnUnitActiveSec=<interval>    then every interval after the previous activation
//   OnCalendar=<grid>             the interval when it divides an hour (`*:0/15`) or a day
//                                 (`0/2:00`), else the next coarser grid (25 min -> `*:0/30`,
//                                 90 min -> `0/2:00`, 2 days -> `weekly`); with
//   Persistent=true               (applies to OnCalendar= only) a grid point missed while the
//                                 machine was off or suspended is caught up when it returns
//   RandomizedDelaySec=<interval * jitter %>, AccuracySec=1min
// The timer elapses at whichever trigger comes first; every activation restarts the
// OnUnitActiveSec count. When the grid equals the interval both triggers coincide after the first
// grid point, so the service runs about once per interval; with a coarser grid two runs may come
// closer together than the interval (the agent's lease/min-interval check absorbs that).
// The service: Type=oneshot, TimeoutStartSec=budget+15 s, NoNewPrivileges, PrivateTmp,
// ProtectSystem=strict with ReadWritePaths=<store dir>, UMask=0077, and PassEnvironment=<token
// env var> (the variable's name only; its value never lands in a file).
// Paths and arguments are quoted and escaped per systemd's rules ("..." with \" and \\, %% for
// %, $$ for $ in ExecStart); unit names escape bytes outside [A-Za-z0-9:_.-] as \xNN.
//
// InstallSystemdUnits() writes both files (0644) into a directory (normally
// $XDG_CONFIG_HOME/systemd/user), creates the store directory (0700) if missing, then runs
// `systemctl --user daemon-reload` and `systemctl --user enable --now <timer>` through an
// injectable CommandRunner; UninstallSystemdUnits() disables, removes and reloads.
//
// Why: on Linux the OS scheduler is systemd; a timer survives logout (with lingering), reboots
// and suspends, which an in-process thread cannot.
//
// Threading contract: free functions without shared state.
#ifndef SYNCAGENT_PLATFORM_SYSTEMD_UNITS_H_
#define SYNCAGENT_PLATFORM_SYSTEMD_UNITS_H_

#include <chrono>
#include <string>
#include <string_view>

#include "platform/clock.h"
#include "platform/command_runner.h"
#include "syncagent/status.h"

namespace syncagent {

struct SystemdOptions {
  std::string task_id = "syncagent.refresh";
  std::string executable;                      // absolute path of the syncagent CLI
  std::string config_path;                     // absolute path of the config file
  std::string store_dir;                       // absolute; the only writable path (ReadWritePaths=)
  Millis interval = std::chrono::minutes(15);  // >= 1 min
  int jitter_percent = 10;                     // 0..100
  Millis budget = std::chrono::seconds(25);    // >= 1 s; --budget-seconds (rounded up)
  Millis on_boot = std::chrono::minutes(2);
  std::string token_env;  // optional: name of the environment variable holding the token
};

struct SystemdUnits {
  std::string timer_name;    // syncagent-<escaped task>.timer
  std::string service_name;  // syncagent-<escaped task>.service
  std::string timer_text;
  std::string service_text;
  std::string store_dir;
};

StatusOr<SystemdUnits> GenerateSystemdUnits(const SystemdOptions& options);

// systemd's escaping, exposed for tests.
std::string SystemdEscapeUnitName(std::string_view text);
std::string SystemdQuoteExecArg(std::string_view arg);  // one ExecStart= argument
std::string SystemdQuotePath(std::string_view path);    // one path in a path-list setting
std::string SystemdTimeSpan(Millis span);               // "15min", "2h", "90s"
// The OnCalendar= expression for `interval` (see the class comment).
std::string SystemdCalendarFor(Millis interval);

// $XDG_CONFIG_HOME/systemd/user, else $HOME/.config/systemd/user.
StatusOr<std::string> DefaultUserUnitDir();

Status InstallSystemdUnits(const SystemdUnits& units, const std::string& dir,
                           const CommandRunner& runner);
Status UninstallSystemdUnits(const SystemdUnits& units, const std::string& dir,
                             const CommandRunner& runner);

}  // namespace syncagent

#endif  // SYNCAGENT_PLATFORM_SYSTEMD_UNITS_H_
