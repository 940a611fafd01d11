// Input validation and JSON text conversion for the storage layer.
//
// Rules (every failure is kInvalidArgument naming the offending collection/key):
//   collection: 1..64 bytes of [A-Za-z0-9_.-]
//   key:        1..512 bytes, valid UTF-8, no control characters (U+0000..U+001F, U+007F)
//   data:       a JSON object (put data, patch documents, merged resolutions, remote changes)
//               nested at most kMaxDocumentDepth levels and, as compact text, at most
//               kMaxDocumentBytes (common/json_limits.h)
// nlohmann::json throws on invalid UTF-8 while serialising; DumpJson catches that at this
// boundary and returns a Status instead (no exception leaves the storage module).
//
// Thread safety: pure functions.
#ifndef SYNCAGENT_STORAGE_VALIDATION_H_
#define SYNCAGENT_STORAGE_VALIDATION_H_

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "syncagent/status.h"

namespace syncagent {

inline constexpr size_t kMaxCollectionBytes = 64;
inline constexpr size_t kMaxKeyBytes = 512;

// "notes/n1" with both parts escaped and shortened for messages.
std::string DocName(std::string_view collection, std::string_view key);

Status ValidateCollection(std::string_view collection);
// Validates both parts of a document address.
Status ValidateDocumentId(std::string_view collection, std::string_view key);
// Fails unless `data` is a JSON object within kMaxDocumentDepth (checked without recursion, so
// any depth is safe to pass). `what` says which value ("data").
Status ValidateObject(std::string_view collection, std::string_view key,
                      const nlohmann::json& data, std::string_view what);

// kInvalidArgument when a document's compact text is over kMaxDocumentBytes.
Status CheckDocumentSize(std::string_view text, std::string_view collection, std::string_view key,
                         std::string_view what);

// Serialises compactly into `out`; kInvalidArgument (naming the document) on invalid UTF-8.
Status DumpJson(const nlohmann::json& value, std::string_view collection, std::string_view key,
                std::string* out);
// Parses stored JSON text; kDataLoss (naming the document and `what`) when it is not JSON.
StatusOr<nlohmann::json> ParseStoredJson(std::string_view text, std::string_view collection,
                                         std::string_view key, std::string_view what);

}  // namespace syncagent

#endif  // SYNCAGENT_STORAGE_VALIDATION_H_
