// SignalWatcher: turns SIGINT/SIGTERM into a callback on a dedicated thread, so `run` can cancel
// its cycle and `daemon` can stop its scheduler cleanly.
//
// What: the constructor blocks SIGINT and SIGTERM in the calling thread (threads created later
// inherit the mask, so only the watcher sees them) and starts a thread that waits on a signalfd;
// each signal calls `on_signal(signo)`. The destructor stops the thread and restores the mask.
//
// Thread safety: construct on the main thread before any other thread is started; the callback
// runs on the watcher's thread.
#ifndef SYNCAGENT_AGENT_CLI_SIGNAL_WATCHER_H_
#define SYNCAGENT_AGENT_CLI_SIGNAL_WATCHER_H_

#include <signal.h>

#include <functional>
#include <thread>

namespace syncagent::cli {

class SignalWatcher {
 public:
  explicit SignalWatcher(std::function<void(int)> on_signal);
  ~SignalWatcher();

  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

 private:
  void Loop();

  std::function<void(int)> on_signal_;
  sigset_t previous_mask_;
  int signal_fd_ = -1;
  int wake_fd_ = -1;
  std::thread thread_;
};

}  // namespace syncagent::cli

#endif  // SYNCAGENT_AGENT_CLI_SIGNAL_WATCHER_H_
