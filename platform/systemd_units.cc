#include "platform/systemd_units.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <system_error>
#include <vector>

namespace syncagent {

namespace {

namespace fs = std::filesystem;

bool HasControlChar(std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  }
  return false;
}

Status CheckAbsolutePath(std::string_view what, const std::string& path) {
  if (path.empty() || path.front() != '/') {
    return InvalidArgumentError("systemd units: " + std::string(what) +
                                " must be an absolute path, got '" + path + "'");
  }
  if (HasControlChar(path)) {
    return InvalidArgumentError("systemd units: " + std::string(what) +
                                " contains a control character");
  }
  return Status::Ok();
}

bool ValidEnvName(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name) {
    const bool ok =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

// Quotes `text` when it contains anything systemd would split or unescape.
std::string QuoteIfNeeded(std::string_view text, bool double_dollar) {
  std::string escaped;
  bool needs_quotes = text.empty();
  for (char c : text) {
    if (c == '%') {
      escaped += "%%";
    } else if (c == '$' && double_dollar) {
      escaped += "$$";
    } else if (c == '\\' || c == '"') {
      escaped += '\\';
      escaped += c;
      needs_quotes = true;
    } else {
      if (c == ' ' || c == '\t' || c == '\'' || c == ';') needs_quotes = true;
      escaped += c;
    }
  }
  return needs_quotes ? "\"" + escaped + "\"" : escaped;
}

std::string Percent(std::string_view text) {
  std::string out;
  for (char c : text) out += c == '%' ? std::string("%%") : std::string(1, c);
  return out;
}

// Writes `text` to `path` with mode 0644 through a temp file and a rename. The temp file is
// created exclusively, owner-only and without following a symlink, so whatever the umask no other
// user can open it while it is written (a writable unit file would let them run code as us).
Status WriteFile(const fs::path& path, const std::string& text) {
  const fs::path temp = path.string() + ".tmp";
  std::error_code ec;
  fs::remove(temp, ec);  // a stale temp file from an interrupted install (or a planted symlink)
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("cannot write '" + temp.string() + "': " + std::strerror(errno));
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = errno;
      ::close(fd);
      return IoError("cannot write '" + temp.string() + "': " + std::strerror(err));
    }
    written += static_cast<size_t>(n);
  }
  if (::fchmod(fd, 0644) != 0) {
    const int err = errno;
    ::close(fd);
    return IoError("cannot chmod 0644 '" + temp.string() + "': " + std::strerror(err));
  }
  if (::close(fd) != 0) {
    return IoError("cannot write '" + temp.string() + "': " + std::strerror(errno));
  }
  fs::rename(temp, path, ec);
  if (ec)
    return IoError("cannot rename '" + temp.string() + "' to '" + path.string() +
                   "': " + ec.message());
  return Status::Ok();
}

// Creates `dir` and its missing parents with exactly `mode` at most (mkdir with the umask applied
// on top), unlike fs::create_directories, whose 0777 becomes world-writable under umask 0.
// Existing directories are left as they are.
Status CreateDirectories(const fs::path& dir, mode_t mode, std::string_view what) {
  fs::path partial;
  for (const fs::path& part : dir) {
    partial /= part;
    if (part.empty() || part == "/") continue;
    if (::mkdir(partial.c_str(), mode) != 0) {
      const int err = errno;
      struct stat info {};
      if (err == EEXIST && ::stat(partial.c_str(), &info) == 0 && S_ISDIR(info.st_mode)) continue;
      return IoError("cannot create " + std::string(what) + " '" + dir.string() +
                     "': " + std::strerror(err == EEXIST ? ENOTDIR : err));
    }
  }
  return Status::Ok();
}

Status Run(const CommandRunner& runner, std::vector<std::string> argv) {
  Status status = runner(argv);
  if (!status.ok()) return status.WithContext("`" + FormatCommand(argv) + "`");
  return status;
}

}  // namespace

std::string SystemdEscapeUnitName(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                       c == ':' || c == '_' || c == '-' || (c == '.' && i > 0);
    if (plain) {
      out += c;
    } else {
      char buffer[8];
      std::snprintf(buffer, sizeof(buffer), "\\x%02x", static_cast<unsigned char>(c));
      out += buffer;
    }
  }
  return out;
}

std::string SystemdQuoteExecArg(std::string_view arg) { return QuoteIfNeeded(arg, true); }

std::string SystemdQuotePath(std::string_view path) { return QuoteIfNeeded(path, false); }

std::string SystemdTimeSpan(Millis span) {
  const int64_t ms = span.count();
  if (ms % 1000 != 0) return std::to_string(ms) + "ms";
  const int64_t seconds = ms / 1000;
  if (seconds != 0 && seconds % 3600 == 0) return std::to_string(seconds / 3600) + "h";
  if (seconds != 0 && seconds % 60 == 0) return std::to_string(seconds / 60) + "min";
  return std::to_string(seconds) + "s";
}

std::string SystemdCalendarFor(Millis interval) {
  constexpr std::array<int, 11> kMinuteSteps = {1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30};
  constexpr std::array<int, 6> kHourSteps = {2, 3, 4, 6, 8, 12};
  const int64_t minutes = (interval.count() + 59'999) / 60'000;  // rounded up
  for (int step : kMinuteSteps) {
    if (minutes <= step) return step == 1 ? "minutely" : "*:0/" + std::to_string(step);
  }
  if (minutes <= 60) return "hourly";
  for (int step : kHourSteps) {
    if (minutes <= step * 60) return "0/" + std::to_string(step) + ":00";
  }
  if (minutes <= 24 * 60) return "daily";
  if (minutes <= 7 * 24 * 60) return "weekly";
  return "monthly";
}

StatusOr<SystemdUnits> GenerateSystemdUnits(const SystemdOptions& options) {
  if (options.task_id.empty()) return InvalidArgumentError("systemd units: task_id is empty");
  if (HasControlChar(options.task_id)) {
    return InvalidArgumentError("systemd units: task_id contains a control character");
  }
  SYNCAGENT_RETURN_IF_ERROR(CheckAbsolutePath("executable", options.executable));
  SYNCAGENT_RETURN_IF_ERROR(CheckAbsolutePath("config_path", options.config_path));
  SYNCAGENT_RETURN_IF_ERROR(CheckAbsolutePath("store_dir", options.store_dir));
  if (options.interval < std::chrono::minutes(1)) {
    return InvalidArgumentError("systemd units: interval must be at least 1 min (AccuracySec)");
  }
  if (options.jitter_percent < 0 || options.jitter_percent > 100) {
    return InvalidArgumentError("systemd units: jitter_percent must be within 0..100");
  }
  if (options.budget < std::chrono::seconds(1)) {
    return InvalidArgumentError("systemd units: budget must be at least 1 s");
  }
  if (options.on_boot.count() < 0) return InvalidArgumentError("systemd units: on_boot < 0");
  if (!options.token_env.empty() && !ValidEnvName(options.token_env)) {
    return InvalidArgumentError("systemd units: token_env '" + options.token_env +
                                "' is not a valid environment variable name");
  }

  SystemdUnits units;
  const std::string base = "syncagent-" + SystemdEscapeUnitName(options.task_id);
  if (base.size() + 8 > 255) return InvalidArgumentError("systemd units: task_id is too long");
  units.timer_name = base + ".timer";
  units.service_name = base + ".service";
  units.store_dir = options.store_dir;

  const int64_t budget_seconds = (options.budget.count() + 999) / 1000;
  const Millis randomized(options.interval.count() * options.jitter_percent / 100 / 1000 * 1000);
  const std::string description = Percent(options.task_id);

  std::string& service = units.service_text;
  service += "# Generated by syncagent: re-run the installer rather than editing this file.\n";
  service += "[Unit]\n";
  service += "Description=syncagent background sync (" + description + ")\n\n";
  service += "[Service]\n";
  service += "Type=oneshot\n";
  service += "ExecStart=" + SystemdQuoteExecArg(options.executable) + " --config " +
             SystemdQuoteExecArg(options.config_path) + " run --periodic --task-id " +
             SystemdQuoteExecArg(options.task_id) + " --budget-seconds " +
             std::to_string(budget_seconds) + "\n";
  service += "TimeoutStartSec=" + std::to_string(budget_seconds + 15) + "s\n";
  if (!options.token_env.empty()) {
    service += "# The token's variable is passed through from the user manager's environment\n";
    service +=
        "# (systemctl --user set-environment / environment.d); its value is never written.\n";
    service += "PassEnvironment=" + options.token_env + "\n";
  }
  service += "NoNewPrivileges=yes\n";
  service += "PrivateTmp=yes\n";
  service += "ProtectSystem=strict\n";
  service += "ReadWritePaths=" + SystemdQuotePath(options.store_dir) + "\n";
  service += "UMask=0077\n";

  std::string& timer = units.timer_text;
  timer += "# Generated by syncagent: re-run the installer rather than editing this file.\n";
  timer += "# Runs " + units.service_name + " " + SystemdTimeSpan(options.on_boot) +
           " after boot, then every " + SystemdTimeSpan(options.interval) +
           " after the previous run;\n";
  timer += "# OnCalendar= + Persistent=true catch up a run missed while the machine was off or\n";
  timer += "# suspended (Persistent= applies to OnCalendar= only).\n";
  timer += "[Unit]\n";
  timer += "Description=syncagent background sync timer (" + description + ")\n\n";
  timer += "[Timer]\n";
  timer += "OnBootSec=" + SystemdTimeSpan(options.on_boot) + "\n";
  timer += "OnUnitActiveSec=" + SystemdTimeSpan(options.interval) + "\n";
  timer += "OnCalendar=" + SystemdCalendarFor(options.interval) + "\n";
  timer += "Persistent=true\n";
  timer += "RandomizedDelaySec=" + SystemdTimeSpan(randomized) + "\n";
  timer += "AccuracySec=1min\n";
  timer += "Unit=" + units.service_name + "\n\n";
  timer += "[Install]\n";
  timer += "WantedBy=timers.target\n";
  return units;
}

StatusOr<std::string> DefaultUserUnitDir() {
  const char* xdg = std::getenv("XDG_CONFIG_HOME");
  if (xdg != nullptr && xdg[0] == '/') return std::string(xdg) + "/systemd/user";
  const char* home = std::getenv("HOME");
  if (home != nullptr && home[0] == '/') return std::string(home) + "/.config/systemd/user";
  return FailedPreconditionError("neither XDG_CONFIG_HOME nor HOME is set to an absolute path");
}

Status InstallSystemdUnits(const SystemdUnits& units, const std::string& dir,
                           const CommandRunner& runner) {
  std::error_code ec;
  SYNCAGENT_RETURN_IF_ERROR(CreateDirectories(dir, 0755, "unit directory"));
  if (!units.store_dir.empty() && !fs::exists(units.store_dir, ec)) {
    SYNCAGENT_RETURN_IF_ERROR(CreateDirectories(units.store_dir, 0700, "store directory"));
    ::chmod(units.store_dir.c_str(), 0700);
  }
  SYNCAGENT_RETURN_IF_ERROR(WriteFile(fs::path(dir) / units.service_name, units.service_text));
  SYNCAGENT_RETURN_IF_ERROR(WriteFile(fs::path(dir) / units.timer_name, units.timer_text));
  SYNCAGENT_RETURN_IF_ERROR(Run(runner, {"systemctl", "--user", "daemon-reload"}));
  return Run(runner, {"systemctl", "--user", "enable", "--now", units.timer_name});
}

Status UninstallSystemdUnits(const SystemdUnits& units, const std::string& dir,
                             const CommandRunner& runner) {
  const fs::path timer = fs::path(dir) / units.timer_name;
  const fs::path service = fs::path(dir) / units.service_name;
  std::error_code ec;
  if (fs::exists(timer, ec)) {
    SYNCAGENT_RETURN_IF_ERROR(
        Run(runner, {"systemctl", "--user", "disable", "--now", units.timer_name}));
  }
  bool removed = false;
  for (const fs::path& path : {timer, service}) {
    const bool existed = fs::remove(path, ec);
    if (ec) return IoError("cannot remove '" + path.string() + "': " + ec.message());
    removed = removed || existed;
  }
  if (!removed) return Status::Ok();
  return Run(runner, {"systemctl", "--user", "daemon-reload"});
}

}  // namespace syncagent
