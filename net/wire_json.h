// Reading a server's JSON answer strictly, for every protocol codec (syncagent/1's ProtocolCodec,
// the CouchDB codec): errors that name the answer and the field (`_changes answer:
// results[3].id: expected a non-empty string, got 5`), and text a server chose made safe to put
// in a message. A malformed answer is a Status of class transient (kDataLoss): worth another try,
// and nothing of it is taken.
//
// Thread safety: pure functions; an ObjectReader reads one object from one thread.
#ifndef SYNCAGENT_NET_WIRE_JSON_H_
#define SYNCAGENT_NET_WIRE_JSON_H_

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "syncagent/status.h"

namespace syncagent::wire {

// What a JSON value is, for "got ...": `a string "x"`, `an object`, `an array`, `null`, or the
// number or boolean itself; cut to about 40 bytes.
std::string Describe(const nlohmann::json& value);

// `what: path: expected <expected>, got <found>` (found null: "nothing (missing)").
Status FieldError(std::string_view what, const std::string& path, std::string_view expected,
                  const nlohmann::json* found);

// A body that does not parse: truncated or malformed, worth another try.
Status NotJson(std::string_view what, size_t bytes);

// The path of an array element: `parent[index]`.
std::string IndexPath(std::string_view parent, size_t index);

// Text a server chose, safe in an error message and a log line: control characters become '?',
// and it is cut at 200 bytes on a UTF-8 boundary, marked with "...".
std::string ServerText(std::string text);

// Reads typed members of one JSON object, naming `path` in every error.
// REQUIRES: `object` outlives the reader.
class ObjectReader {
 public:
  ObjectReader(std::string_view what, std::string path, const nlohmann::json& object)
      : what_(what), path_(std::move(path)), object_(object) {}

  // The member `name`, or null when absent.
  const nlohmann::json* Find(const char* name) const;
  // "path.name" ("name" at the top).
  std::string Path(const char* name) const;

  StatusOr<std::string> String(const char* name, bool allow_empty = false) const;
  // A string, or "" when the member is absent or null.
  StatusOr<std::string> OptionalString(const char* name) const;
  StatusOr<int64_t> Integer(const char* name, int64_t min) const;
  StatusOr<bool> Bool(const char* name) const;
  // A boolean, or `fallback` when the member is absent.
  StatusOr<bool> OptionalBool(const char* name, bool fallback) const;

  std::string_view what() const { return what_; }

 private:
  std::string_view what_;
  std::string path_;
  const nlohmann::json& object_;
};

}  // namespace syncagent::wire

#endif  // SYNCAGENT_NET_WIRE_JSON_H_
