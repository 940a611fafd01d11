#include "tools/faults/server_main.h"

#include <pthread.h>
#include <signal.h>

#include <charconv>
#include <cstdio>

namespace syncagent::faults {

StatusOr<bool> FlagReader::Next(std::string* flag, std::string* value) {
  if (next_ >= args_.size()) return false;
  *flag = args_[next_++];
  value->clear();
  bool inline_value = false;
  if (const auto eq = flag->find('='); flag->rfind("--", 0) == 0 && eq != std::string::npos) {
    *value = flag->substr(eq + 1);
    *flag = flag->substr(0, eq);
    inline_value = true;
  }
  if (booleans_.count(*flag) > 0) {
    if (inline_value) return InvalidArgumentError(*flag + " takes no value");
    return true;
  }
  if (with_values_.count(*flag) == 0) return InvalidArgumentError("unknown flag " + *flag);
  if (!inline_value) {
    if (next_ >= args_.size()) return InvalidArgumentError(*flag + " needs a value");
    *value = args_[next_++];
  }
  if (value->empty()) return InvalidArgumentError(*flag + " needs a non-empty value");
  return true;
}

Status FlagReader::ForEach(
    const std::function<Status(const std::string& flag, const std::string& value)>& apply) {
  std::string flag;
  std::string value;
  while (true) {
    SYNCAGENT_ASSIGN_OR_RETURN(bool more, Next(&flag, &value));
    if (!more) return Status::Ok();
    SYNCAGENT_RETURN_IF_ERROR(apply(flag, value));
  }
}

StatusOr<long long> ParseFlagNumber(const std::string& flag, const std::string& text, long long min,
                                    long long max) {
  long long value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || value < min || value > max) {
    return InvalidArgumentError(flag + ": expected an integer in " + std::to_string(min) + ".." +
                                std::to_string(max) + ", got \"" + text + "\"");
  }
  return value;
}

int ServeUntilSignal(const std::string& program, const std::function<StatusOr<Serving>()>& start) {
  sigset_t stop_signals, previous;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, &previous);

  StatusOr<Serving> serving = start();
  if (!serving.ok()) {
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    std::fprintf(stderr, "%s: %s\n", program.c_str(), serving.status().ToString().c_str());
    return 1;
  }
  std::printf("listening on %s\n", serving->url.c_str());
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  serving->stop();
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  return 0;
}

std::vector<std::string> ArgsOf(int argc, char** argv) {
  return std::vector<std::string>(argv + (argc > 0 ? 1 : 0), argv + argc);
}

}  // namespace syncagent::faults
