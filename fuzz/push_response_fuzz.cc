// Fuzzes ProtocolCodec::DecodePushResponse (net/protocol_codec.h) against a fixed request of three
// mutations. Properties: no crash, no escaping exception; on success exactly one result per
// mutation, in order, with matching mutation ids.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_util.h"
#include "net/protocol_codec.h"

namespace {

syncagent::PushRequest MakeRequest() {
  syncagent::PushRequest request;
  request.client_id = "client-1";
  request.batch_id = "batch-1";
  const char* ids[] = {"m1", "m2", "m3"};
  const syncagent::WireOp ops[] = {syncagent::WireOp::kPut, syncagent::WireOp::kPatch,
                                   syncagent::WireOp::kDelete};
  for (int i = 0; i < 3; ++i) {
    syncagent::WireMutation m;
    m.mutation_id = ids[i];
    m.seq = i + 1;
    m.collection = "notes";
    m.key = "k" + std::to_string(i);
    m.op = ops[i];
    m.base_version = i == 0 ? std::nullopt : std::optional<int64_t>(i);
    m.data = ops[i] == syncagent::WireOp::kDelete ? nlohmann::json(nullptr)
                                                  : nlohmann::json{{"title", "t"}};
    m.hlc = "0000000000001-0000-client-1";
    request.mutations.push_back(std::move(m));
  }
  return request;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const syncagent::PushRequest request = MakeRequest();
  static const syncagent::ProtocolCodec codec(syncagent::CodecLimits{1 << 20, 64});
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto decoded = codec.DecodePushResponse(body, request);
  if (!decoded.ok()) {
    if (decoded.status().message().empty()) {
      syncagent::fuzz::PropertyViolated("an error has a message", std::string(body));
    }
    return 0;
  }
  if (decoded->results.size() != request.mutations.size()) {
    syncagent::fuzz::PropertyViolated("one result per mutation", std::string(body));
  }
  for (size_t i = 0; i < decoded->results.size(); ++i) {
    const syncagent::PushResult& r = decoded->results[i];
    if (r.mutation_id != request.mutations[i].mutation_id) {
      syncagent::fuzz::PropertyViolated("results follow request order", std::string(body));
    }
    if (r.kind == syncagent::PushResult::Kind::kConflict && !r.current.deleted &&
        !r.current.data.is_object()) {
      syncagent::fuzz::PropertyViolated("a live conflict document is an object", std::string(body));
    }
    if (r.kind == syncagent::PushResult::Kind::kApplied && r.version < 0) {
      syncagent::fuzz::PropertyViolated("an applied version is >= 0", std::string(body));
    }
  }
  return 0;
}
