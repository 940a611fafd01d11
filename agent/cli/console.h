// Console: everything the CLI writes — command output on stdout, leveled log lines, one-line
// errors and the live progress line on stderr — with secrets redacted from every byte.
//
// What: Print() writes command output; Log() writes "syncagent: <level>: <message>" when the level
// is enabled; Error() writes "syncagent: <command>: <message>" as ONE line (embedded newlines are
// folded into "; "). Every string passes through Redact(), which replaces each registered secret
// (the bearer token, header values) with "***". SetProgress() draws a transient status line
// (only when stderr is a terminal); log lines clear it first and redraw it afterwards.
//
// Why: the CLI must never print the bearer token, whatever the level, and piped output must stay
// plain text.
//
// Thread safety: all methods may be called from any thread (the sync cycle's event callback runs
// on a worker thread); one mutex serialises writes.
#ifndef SYNCAGENT_AGENT_CLI_CONSOLE_H_
#define SYNCAGENT_AGENT_CLI_CONSOLE_H_

#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "config/agent_config.h"

namespace syncagent::cli {

class Console {
 public:
  Console(std::FILE* out, std::FILE* err);

  void SetLevel(LogLevel level);
  LogLevel level() const;
  bool Enabled(LogLevel level) const;

  // Registers a value that must never be printed. Values shorter than 4 bytes are ignored (they
  // would turn ordinary words into "***").
  void AddSecret(std::string_view secret);
  std::string Redact(std::string_view text) const;

  // Command output (stdout). `text` is written as is (add the newline yourself).
  void Print(std::string_view text);
  void PrintLine(std::string_view line) { Print(std::string(line) + "\n"); }
  void Log(LogLevel level, std::string_view message);
  // The one-line error of a failed command: "syncagent: <command>: <message>".
  void Error(std::string_view command, std::string_view message);

  // The live progress line; a no-op unless stderr is a terminal.
  bool progress_enabled() const { return err_is_tty_; }
  void SetProgress(std::string_view line);
  void ClearProgress();

 private:
  void WriteErrLocked(const std::string& line);

  std::FILE* out_;
  std::FILE* err_;
  bool err_is_tty_;
  mutable std::mutex mu_;
  LogLevel level_ = LogLevel::kInfo;
  std::vector<std::string> secrets_;
  std::string progress_;  // currently drawn progress line ("" = none)
};

// "one line": newlines folded into "; ", trailing whitespace removed.
std::string OneLine(std::string_view text);

}  // namespace syncagent::cli

#endif  // SYNCAGENT_AGENT_CLI_CONSOLE_H_
