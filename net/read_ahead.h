// ReadAhead: one GET request sent before the caller asks for it, on a thread and an HttpSession
// of its own (over the caller's HttpClient), so that its answer travels while the caller is busy
// with the previous one; e.g. CouchdbRemote asks for the next `_changes` page while it parses the
// current one.
//
// A speculation, never a source of errors: the request is made once (no retry, no backoff
// sleep), and Take() hands over its body only when it is for the very path asked and came back
// 2xx; anything else (another path, a failure, a cancelled wait) is dropped and the caller makes
// the request itself, with its own retries and error handling.
//
// The request outlives the call that started it, so it keeps no reference to that call: it
// copies the deadline and is cancelled by a token of its own (Drop, the destructor, a Take for
// another path), or by the caller's token while Take waits for it. Its transfers count in
// stats() once it is over and collected (Take or Drop).
//
// Thread safety: one caller at a time (like the remote that owns it); the request's own thread
// touches only its session and the result it hands over through a future. The HttpClient must
// accept Send() from two threads (CurlHttpClient serialises them) and the TokenProvider
// GetToken() from two threads.
#ifndef SYNCAGENT_NET_READ_AHEAD_H_
#define SYNCAGENT_NET_READ_AHEAD_H_

#include <future>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "net/http_session.h"
#include "platform/cancel_token.h"

namespace syncagent {

class ReadAhead {
 public:
  // `http`, `clock` and `tokens` (may be null) must outlive it. `options.retry` is replaced by a
  // single attempt.
  ReadAhead(HttpClient* http, Clock* clock, TokenProvider* tokens, HttpSessionOptions options);
  ~ReadAhead();  // Drop()
  ReadAhead(const ReadAhead&) = delete;
  ReadAhead& operator=(const ReadAhead&) = delete;

  // Sends GET `path_and_query` (under base_url, with the session's headers) on its own thread,
  // bounded by `deadline`. A request already running for the same path is kept; one for another
  // path is dropped first. Does nothing when no thread can be had.
  void Start(const std::string& path_and_query, std::optional<MonoTime> deadline);
  // The 2xx body of the request for `path_and_query`, waiting for it to finish; nullopt when
  // none was started for that path, it failed, or `cancel` (may be null) is cancelled while
  // waiting. Whatever was running is over and collected afterwards.
  std::optional<std::string> Take(std::string_view path_and_query, const CancelToken* cancel);
  // Cancels the request running, if any, and waits for its thread.
  void Drop();
  // Whether a request was started and not yet taken or dropped.
  bool pending() const { return running_ != nullptr; }

  // The transfers of the requests collected so far.
  const TransferStats& stats() const { return collected_; }

 private:
  struct Running;

  // Waits for the running request's thread; its result, and its transfers in collected_.
  std::optional<std::string> Collect();

  HttpSession session_;  // used by the running request's thread alone
  std::unique_ptr<Running> running_;
  TransferStats collected_;
};

}  // namespace syncagent

#endif  // SYNCAGENT_NET_READ_AHEAD_H_
