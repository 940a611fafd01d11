// Fuzzes ProtocolCodec::DecodePullPage and DecodePullPageText (net/protocol_codec.h). Properties:
// no crash, no escaping exception; on success a non-empty cursor and every change names a
// collection and a key, has a version >= 1, and carries an object unless it is a tombstone; and
// the text decoder (the scanner fast path, net/json_scanner.h) succeeds exactly when the DOM
// decoder does, with the same fields and document text that parses to exactly the same value, or
// both mark the same document unusable (docs/protocol.md §2.1: too deep, or left out).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_util.h"
#include "net/protocol_codec.h"
#include "storage/json_equal.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const syncagent::ProtocolCodec codec(syncagent::CodecLimits{1 << 20, 64});
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto page = codec.DecodePullPage(body);
  auto text = codec.DecodePullPageText(body);
  // Error bodies go through the same parser limits.
  (void)codec.DecodeError(body);
  if (page.ok() != text.ok()) {
    syncagent::fuzz::PropertyViolated("both decoders agree on validity", std::string(body));
  }
  if (!page.ok()) {
    if (page.status().message() != text.status().message()) {
      syncagent::fuzz::PropertyViolated("the same error from both decoders", std::string(body));
    }
    return 0;
  }
  if (text->cursor != page->cursor || text->has_more != page->has_more ||
      text->changes.size() != page->changes.size()) {
    syncagent::fuzz::PropertyViolated("the same page from both decoders", std::string(body));
  }
  for (size_t i = 0; i < page->changes.size(); ++i) {
    const syncagent::WireChange& a = page->changes[i];
    const syncagent::WireChange& b = text->changes[i];
    bool same = a.collection == b.collection && a.key == b.key &&
                a.document.version == b.document.version &&
                a.document.deleted == b.document.deleted && a.document.hlc == b.document.hlc &&
                a.document.unusable == b.document.unusable;
    if (same && !a.document.unusable.empty()) {
      same = a.document.data.is_null() && b.document.data_text.empty();
    } else if (same && !a.document.deleted) {
      const auto parsed = nlohmann::json::parse(b.document.data_text, nullptr, false);
      same = !parsed.is_discarded() && syncagent::JsonEqual(parsed, a.document.data);
    }
    if (same && a.document.deleted) same = b.document.data_text.empty();
    if (!same) {
      syncagent::fuzz::PropertyViolated("the same change from both decoders", std::string(body));
    }
  }
  if (page->cursor.empty()) syncagent::fuzz::PropertyViolated("cursor set", std::string(body));
  for (const syncagent::WireChange& c : page->changes) {
    if (c.collection.empty() || c.key.empty() || c.document.version < 1 ||
        (!c.document.deleted && c.document.unusable.empty() && !c.document.data.is_object()) ||
        (c.document.deleted && !c.document.data.is_null())) {
      syncagent::fuzz::PropertyViolated("a well-formed change", std::string(body));
    }
  }
  return 0;
}
