// Fuzzes ProtocolCodec::DecodePullPage (net/protocol_codec.h). Properties: no crash, no escaping
// exception; on success a non-empty cursor and every change names a collection and a key, has a
// version >= 1, and carries an object unless it is a tombstone.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_util.h"
#include "net/protocol_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const syncagent::ProtocolCodec codec(syncagent::CodecLimits{1 << 20, 64});
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto page = codec.DecodePullPage(body);
  // Error bodies go through the same parser limits.
  (void)codec.DecodeError(body);
  if (!page.ok()) return 0;
  if (page->cursor.empty()) syncagent::fuzz::PropertyViolated("cursor set", std::string(body));
  for (const syncagent::WireChange& c : page->changes) {
    if (c.collection.empty() || c.key.empty() || c.document.version < 1 ||
        (!c.document.deleted && !c.document.data.is_object()) ||
        (c.document.deleted && !c.document.data.is_null())) {
      syncagent::fuzz::PropertyViolated("a well-formed change", std::string(body));
    }
  }
  return 0;
}
