#include "agent/cli/console.h"

#include <unistd.h>

#include <algorithm>

namespace syncagent::cli {

std::string OneLine(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\r') continue;
    if (c == '\n') {
      while (!out.empty() && out.back() == ' ') out.pop_back();
      if (!out.empty()) out += "; ";
      continue;
    }
    out += c;
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == ';')) out.pop_back();
  return out;
}

Console::Console(std::FILE* out, std::FILE* err)
    : out_(out), err_(err), err_is_tty_(::isatty(::fileno(err)) == 1) {}

void Console::SetLevel(LogLevel level) {
  std::lock_guard<std::mutex> lock(mu_);
  level_ = level;
}

LogLevel Console::level() const {
  std::lock_guard<std::mutex> lock(mu_);
  return level_;
}

bool Console::Enabled(LogLevel level) const {
  std::lock_guard<std::mutex> lock(mu_);
  return level != LogLevel::kOff && level_ != LogLevel::kOff &&
         static_cast<int>(level) >= static_cast<int>(level_);
}

void Console::AddSecret(std::string_view secret) {
  if (secret.size() < 4) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (std::find(secrets_.begin(), secrets_.end(), secret) != secrets_.end()) return;
  secrets_.emplace_back(secret);
  // Longest first, so a secret containing another is replaced whole.
  std::sort(secrets_.begin(), secrets_.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

std::string Console::Redact(std::string_view text) const {
  std::string out(text);
  std::lock_guard<std::mutex> lock(mu_);
  for (const std::string& secret : secrets_) {
    for (size_t at = out.find(secret); at != std::string::npos; at = out.find(secret, at + 3)) {
      out.replace(at, secret.size(), "***");
    }
  }
  return out;
}

void Console::Print(std::string_view text) {
  const std::string redacted = Redact(text);
  std::lock_guard<std::mutex> lock(mu_);
  std::fwrite(redacted.data(), 1, redacted.size(), out_);
  std::fflush(out_);
}

void Console::WriteErrLocked(const std::string& line) {
  if (!progress_.empty()) std::fputs("\r\x1b[K", err_);
  std::fputs(line.c_str(), err_);
  std::fputc('\n', err_);
  if (!progress_.empty()) std::fputs(progress_.c_str(), err_);
  std::fflush(err_);
}

void Console::Log(LogLevel level, std::string_view message) {
  if (!Enabled(level)) return;
  const std::string line = "syncagent: " + std::string(ToString(level)) + ": " + Redact(message);
  std::lock_guard<std::mutex> lock(mu_);
  WriteErrLocked(line);
}

void Console::Error(std::string_view command, std::string_view message) {
  std::string line = "syncagent: ";
  if (!command.empty()) line += std::string(command) + ": ";
  line += OneLine(Redact(message));
  std::lock_guard<std::mutex> lock(mu_);
  WriteErrLocked(line);
}

void Console::SetProgress(std::string_view line) {
  if (!err_is_tty_) return;
  const std::string redacted = Redact(line);
  std::lock_guard<std::mutex> lock(mu_);
  progress_ = redacted;
  std::fputs("\r\x1b[K", err_);
  std::fputs(progress_.c_str(), err_);
  std::fflush(err_);
}

void Console::ClearProgress() {
  std::lock_guard<std::mutex> lock(mu_);
  if (progress_.empty()) return;
  progress_.clear();
  std::fputs("\r\x1b[K", err_);
  std::fflush(err_);
}

}  // namespace syncagent::cli
