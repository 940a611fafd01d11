// Secret: a string that must not end up in logs, error messages or lint output.
//
// Why: the bearer token travels from the config file (or the environment) to the HTTP layer.
// Holding it in a plain std::string invites `LOG << config.server.auth.token` and error messages
// that quote it. A Secret has no implicit conversion to a string: the only way to read the value is
// the deliberately greppable `reveal()`. Streaming or ToString() always print "***".
//
// Thread safety: a value type; distinct objects may be used from distinct threads, and a const
// object may be read from several threads.
#ifndef SYNCAGENT_CONFIG_SECRET_H_
#define SYNCAGENT_CONFIG_SECRET_H_

#include <iosfwd>
#include <string>

namespace syncagent {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  Secret(const Secret&) = default;
  Secret& operator=(const Secret&) = default;
  Secret(Secret&& other) noexcept;
  Secret& operator=(Secret&& other) noexcept;
  // Overwrites the held characters before the memory is released.
  ~Secret();

  // The secret value itself. Call it only where the value is handed to its consumer (e.g. the
  // Authorization header), never to build a message.
  const std::string& reveal() const { return value_; }
  bool empty() const { return value_.empty(); }

  // Always "***", whatever the value (also when empty), so it is safe in any message.
  std::string ToString() const { return "***"; }

  friend bool operator==(const Secret& a, const Secret& b) { return a.value_ == b.value_; }

 private:
  void Wipe() noexcept;

  std::string value_;
};

// Prints "***".
std::ostream& operator<<(std::ostream& out, const Secret& secret);

}  // namespace syncagent

#endif  // SYNCAGENT_CONFIG_SECRET_H_
