// Status and StatusOr<T>: the error model of syncagent.
//
// Every fallible operation inside syncagent returns a Status (or a StatusOr<T> carrying a value on
// success). No exception crosses a module boundary. A Status carries:
//   - a code (what kind of failure),
//   - a human-readable message that names what is wrong and where (JSON path, file, field),
//   - a retry class that tells the caller what to do about it (retry soon, wait for connectivity,
//     refresh credentials, or give up on this item).
//
// Messages never contain secrets: code that builds a Status from user data must redact tokens first.
//
// Thread safety: Status and StatusOr are values; distinct objects may be used from distinct threads.
#ifndef SYNCAGENT_INCLUDE_SYNCAGENT_STATUS_H_
#define SYNCAGENT_INCLUDE_SYNCAGENT_STATUS_H_

#include <cstdlib>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace syncagent {

// What went wrong. Stable numeric values: they are exported through the C API.
enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument = 1,     // the caller passed something malformed (bad config, bad JSON, bad key)
  kNotFound = 2,            // the thing asked for does not exist
  kAlreadyExists = 3,       // a create over something that exists
  kFailedPrecondition = 4,  // the system is not in a state where this can run
  kAborted = 5,             // a concurrency conflict (version mismatch, lease held elsewhere)
  kUnavailable = 6,         // a service or resource cannot be reached right now
  kDeadlineExceeded = 7,    // the time budget ran out
  kCancelled = 8,           // the operation was cancelled by its caller
  kPermissionDenied = 9,    // the OS or the server refused access
  kUnauthenticated = 10,    // credentials missing or rejected
  kResourceExhausted = 11,  // disk full, size cap reached, quota, rate limited
  kDataLoss = 12,           // a file is corrupt or a reply is truncated
  kInternal = 13,           // an invariant broke inside syncagent
  kIoError = 14,            // the OS reported an I/O failure
};

// What the caller should do about a failure (see ARCHITECTURE.md, "Error model").
enum class RetryClass : int {
  kNone = 0,       // not retryable as such (success, or a local usage error)
  kTransient = 1,  // try again soon with backoff (timeouts, resets, 408/429/5xx)
  kNetwork = 2,    // no connectivity: wait for the network rather than burn retries
  kAuth = 3,       // credentials: refresh the token once, then fail
  kPermanent = 4,  // never succeeds as sent: dead-letter the item, do not block the queue
};

inline std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kInvalidArgument: return "INVALID_ARGUMENT";
    case StatusCode::kNotFound: return "NOT_FOUND";
    case StatusCode::kAlreadyExists: return "ALREADY_EXISTS";
    case StatusCode::kFailedPrecondition: return "FAILED_PRECONDITION";
    case StatusCode::kAborted: return "ABORTED";
    case StatusCode::kUnavailable: return "UNAVAILABLE";
    case StatusCode::kDeadlineExceeded: return "DEADLINE_EXCEEDED";
    case StatusCode::kCancelled: return "CANCELLED";
    case StatusCode::kPermissionDenied: return "PERMISSION_DENIED";
    case StatusCode::kUnauthenticated: return "UNAUTHENTICATED";
    case StatusCode::kResourceExhausted: return "RESOURCE_EXHAUSTED";
    case StatusCode::kDataLoss: return "DATA_LOSS";
    case StatusCode::kInternal: return "INTERNAL";
    case StatusCode::kIoError: return "IO_ERROR";
  }
  return "UNKNOWN";
}

inline std::string_view RetryClassName(RetryClass retry_class) {
  switch (retry_class) {
    case RetryClass::kNone: return "none";
    case RetryClass::kTransient: return "transient";
    case RetryClass::kNetwork: return "network";
    case RetryClass::kAuth: return "auth";
    case RetryClass::kPermanent: return "permanent";
  }
  return "unknown";
}

class [[nodiscard]] Status {
 public:
  // An OK status.
  Status() = default;
  Status(StatusCode code, std::string message, RetryClass retry_class = RetryClass::kNone)
      : code_(code), retry_class_(retry_class), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  RetryClass retry_class() const { return retry_class_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message is "<context>: <message>"; code and class are kept.
  Status WithContext(std::string_view context) const {
    if (ok()) return *this;
    std::string message(context);
    message += ": ";
    message += message_;
    return Status(code_, std::move(message), retry_class_);
  }
  // Returns a copy with another retry class.
  Status WithRetryClass(RetryClass retry_class) const {
    Status copy = *this;
    copy.retry_class_ = retry_class;
    return copy;
  }

  // "OK", or "<CODE> [<class>]: <message>" (the class only when it is not kNone).
  std::string ToString() const {
    if (ok()) return "OK";
    std::string out(StatusCodeName(code_));
    if (retry_class_ != RetryClass::kNone) {
      out += " [";
      out += RetryClassName(retry_class_);
      out += "]";
    }
    out += ": ";
    out += message_;
    return out;
  }

  // Explicitly discards a status whose failure is deliberately ignored.
  void IgnoreError() const {}

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.retry_class_ == b.retry_class_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  RetryClass retry_class_ = RetryClass::kNone;
  std::string message_;
};

// Convenience constructors.
inline Status InvalidArgumentError(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status NotFoundError(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status AlreadyExistsError(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
inline Status FailedPreconditionError(std::string m) {
  return {StatusCode::kFailedPrecondition, std::move(m)};
}
inline Status AbortedError(std::string m) { return {StatusCode::kAborted, std::move(m)}; }
inline Status UnavailableError(std::string m, RetryClass rc = RetryClass::kTransient) {
  return {StatusCode::kUnavailable, std::move(m), rc};
}
inline Status DeadlineExceededError(std::string m) {
  return {StatusCode::kDeadlineExceeded, std::move(m), RetryClass::kTransient};
}
inline Status CancelledError(std::string m) { return {StatusCode::kCancelled, std::move(m)}; }
inline Status PermissionDeniedError(std::string m) {
  return {StatusCode::kPermissionDenied, std::move(m)};
}
inline Status UnauthenticatedError(std::string m) {
  return {StatusCode::kUnauthenticated, std::move(m), RetryClass::kAuth};
}
inline Status ResourceExhaustedError(std::string m) {
  return {StatusCode::kResourceExhausted, std::move(m)};
}
inline Status DataLossError(std::string m) { return {StatusCode::kDataLoss, std::move(m)}; }
inline Status InternalError(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
inline Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }

namespace internal {
// Never compiled out: an invariant violation aborts with its location.
[[noreturn]] inline void CheckFailed(const char* file, int line, const char* expr,
                                     const char* detail) {
  std::fprintf(stderr, "syncagent: invariant failed at %s:%d: %s%s%s\n", file, line, expr,
               (detail && *detail) ? ": " : "", detail ? detail : "");
  std::fflush(stderr);
  std::abort();
}
}  // namespace internal

// A value of type T, or the Status explaining why there is none.
template <typename T>
class [[nodiscard]] StatusOr {
  static_assert(!std::is_same_v<std::remove_cv_t<T>, Status>, "StatusOr<Status> is not allowed");

 public:
  // REQUIRES: !status.ok()
  StatusOr(Status status) : rep_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    if (std::get<Status>(rep_).ok()) {
      internal::CheckFailed(__FILE__, __LINE__, "!status.ok()",
                            "StatusOr constructed from an OK status without a value");
    }
  }
  StatusOr(const T& value) : rep_(value) {}       // NOLINT(google-explicit-constructor)
  StatusOr(T&& value) : rep_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  template <typename U,
            typename = std::enable_if_t<std::is_constructible_v<T, U&&> &&
                                        !std::is_same_v<std::decay_t<U>, T> &&
                                        !std::is_same_v<std::decay_t<U>, Status> &&
                                        !std::is_same_v<std::decay_t<U>, StatusOr<T>>>>
  StatusOr(U&& value) : rep_(T(std::forward<U>(value))) {}  // NOLINT

  bool ok() const { return std::holds_alternative<T>(rep_); }

  // OK when a value is held.
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(rep_); }

  // REQUIRES: ok()
  const T& value() const& {
    CheckHasValue();
    return std::get<T>(rep_);
  }
  T& value() & {
    CheckHasValue();
    return std::get<T>(rep_);
  }
  T&& value() && {
    CheckHasValue();
    return std::get<T>(std::move(rep_));
  }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  template <typename U>
  T value_or(U&& fallback) const& {
    return ok() ? std::get<T>(rep_) : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  void CheckHasValue() const {
    if (!ok()) {
      internal::CheckFailed(__FILE__, __LINE__, "ok()",
                            std::get<Status>(rep_).ToString().c_str());
    }
  }

  std::variant<Status, T> rep_;
};

}  // namespace syncagent

// Invariant check that is never compiled out (house rule: asserts stay in release builds).
#define SYNCAGENT_CHECK(expr)                                                   \
  do {                                                                          \
    if (!(expr)) ::syncagent::internal::CheckFailed(__FILE__, __LINE__, #expr, ""); \
  } while (0)

// Returns from the enclosing function when `expr` (a Status) is not OK.
#define SYNCAGENT_RETURN_IF_ERROR(expr)                 \
  do {                                                  \
    ::syncagent::Status syncagent_status_ = (expr);     \
    if (!syncagent_status_.ok()) return syncagent_status_; \
  } while (0)

#define SYNCAGENT_STATUS_CONCAT_INNER_(a, b) a##b
#define SYNCAGENT_STATUS_CONCAT_(a, b) SYNCAGENT_STATUS_CONCAT_INNER_(a, b)

// `SYNCAGENT_ASSIGN_OR_RETURN(auto x, Foo());` declares x from the value of a StatusOr, or returns
// its Status from the enclosing function.
#define SYNCAGENT_ASSIGN_OR_RETURN(lhs, expr)                                         \
  SYNCAGENT_ASSIGN_OR_RETURN_IMPL_(SYNCAGENT_STATUS_CONCAT_(syncagent_or_, __LINE__), lhs, expr)
#define SYNCAGENT_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                     \
  if (!tmp.ok()) return tmp.status();                    \
  lhs = std::move(tmp).value()

#endif  // SYNCAGENT_INCLUDE_SYNCAGENT_STATUS_H_
