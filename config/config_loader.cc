#include "config/config_loader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <system_error>

#include "config/config_lint.h"
#include "config/config_validator.h"
#include "config/json_reader.h"

namespace syncagent {
namespace {

std::string ErrnoText(int error) {
  return std::error_code(error, std::generic_category()).message();
}

Status ErrnoStatus(int error, std::string message) {
  message += ErrnoText(error);
  switch (error) {
    case ENOENT:
    case ENOTDIR:
      return NotFoundError(std::move(message));
    case EACCES:
    case EPERM:
      return PermissionDeniedError(std::move(message));
    default:
      return IoError(std::move(message));
  }
}

// Reads a whole config file. Messages do not repeat the path (the caller prefixes it).
StatusOr<std::string> ReadConfigFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return ErrnoStatus(errno, "cannot read the config file: ");
  if (S_ISDIR(st.st_mode)) {
    return InvalidArgumentError("cannot read the config file: it is a directory");
  }
  if (!S_ISREG(st.st_mode)) {
    return InvalidArgumentError("cannot read the config file: it is not a regular file");
  }
  if (static_cast<uint64_t>(st.st_size) > kMaxConfigFileBytes) {
    return InvalidArgumentError("the config file is " + std::to_string(st.st_size) +
                                " bytes; the limit is " + std::to_string(kMaxConfigFileBytes) +
                                " bytes (1 MiB)");
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "cannot open the config file: ");
  std::string text;
  char buffer[16384];
  while (true) {
    const ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n < 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      ::close(fd);
      return ErrnoStatus(error, "cannot read the config file: ");
    }
    if (n == 0) break;
    text.append(buffer, static_cast<size_t>(n));
    if (text.size() > kMaxConfigFileBytes) {
      ::close(fd);
      return InvalidArgumentError("the config file is over the limit of " +
                                  std::to_string(kMaxConfigFileBytes) + " bytes (1 MiB)");
    }
  }
  ::close(fd);
  return text;
}

ConfigResult Check(std::string_view text, const ConfigOptions& options,
                   std::optional<std::string> base_dir) {
  ConfigResult result;
  try {
    config_internal::JsonReadResult json = config_internal::ReadJson(text);
    result.errors = std::move(json.errors);
    if (!json.parsed) return result;
    config_internal::ConfigValidator validator(options, std::move(base_dir));
    validator.Run(json.value);
    result.errors.insert(result.errors.end(), validator.errors().begin(), validator.errors().end());
    if (result.errors.empty()) {
      result.warnings = LintConfig(validator.config(), options.target_platform);
      result.config = std::move(validator.config());
    }
  } catch (const std::exception& e) {
    // Defensive: the validator checks types before reading values, so this is a bug. The
    // exception text cannot contain config values (nlohmann's type errors name types only).
    result.config.reset();
    result.errors.push_back(
        {"", std::string("internal error while checking the config: ") + e.what()});
  }
  return result;
}

std::string JoinIssues(const std::vector<ConfigIssue>& issues, std::string_view file) {
  std::string out;
  for (const ConfigIssue& issue : issues) {
    if (!out.empty()) out += '\n';
    out += FormatIssue(issue, file);
  }
  return out;
}

std::string DirectoryOf(const std::string& path) {
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::absolute(path, ec);
  if (ec) absolute = path;
  return absolute.lexically_normal().parent_path().string();
}

}  // namespace

std::string ConfigResult::ErrorText() const { return JoinIssues(errors, file); }
std::string ConfigResult::WarningText() const { return JoinIssues(warnings, file); }

ConfigResult CheckConfig(std::string_view text, const ConfigOptions& options) {
  return Check(text, options, options.base_dir);
}

ConfigResult CheckConfigFile(const std::string& path, const ConfigOptions& options) {
  StatusOr<std::string> text = ReadConfigFile(path);
  if (!text.ok()) {
    ConfigResult result;
    result.file = path;
    result.errors.push_back({"", text.status().message()});
    return result;
  }
  ConfigResult result = Check(*text, options, DirectoryOf(path));
  result.file = path;
  return result;
}

StatusOr<AgentConfig> ParseConfig(std::string_view text, const ConfigOptions& options) {
  ConfigResult result = CheckConfig(text, options);
  if (!result.ok()) return InvalidArgumentError(result.ErrorText());
  return std::move(*result.config);
}

StatusOr<AgentConfig> LoadConfigFile(const std::string& path, const ConfigOptions& options) {
  StatusOr<std::string> text = ReadConfigFile(path);
  if (!text.ok()) return text.status().WithContext(path);
  ConfigResult result = Check(*text, options, DirectoryOf(path));
  result.file = path;
  if (!result.ok()) return InvalidArgumentError(result.ErrorText());
  return std::move(*result.config);
}

}  // namespace syncagent
