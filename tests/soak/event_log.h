// The soak's event log: timestamped lines (seconds since the start) appended to <dir>/soak.log,
// and echoed to stderr with --verbose. Thread-safe.
#ifndef SYNCAGENT_TESTS_SOAK_EVENT_LOG_H_
#define SYNCAGENT_TESTS_SOAK_EVENT_LOG_H_

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <mutex>
#include <string>

namespace syncagent::soak {

class EventLog {
 public:
  EventLog(const std::string& path, bool verbose)
      : out_(path, std::ios::app), verbose_(verbose), start_(std::chrono::steady_clock::now()) {}

  void Line(const std::string& text) {
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    char stamp[32];
    std::snprintf(stamp, sizeof(stamp), "[%8.3f] ", s);
    std::lock_guard<std::mutex> lock(mu_);
    out_ << stamp << text << '\n';
    out_.flush();
    if (verbose_) std::cerr << stamp << text << '\n';
  }

  // Always to stderr (progress), and to the file.
  void Progress(const std::string& text) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      std::cerr << "soak: " << text << '\n';
    }
    Line(text);
  }

  double Seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::mutex mu_;
  std::ofstream out_;
  bool verbose_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace syncagent::soak

#endif  // SYNCAGENT_TESTS_SOAK_EVENT_LOG_H_
