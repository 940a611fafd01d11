#include "tests/soak/hostile.h"

namespace syncagent::soak {
namespace {

using nlohmann::json;

// {"d":[[...]]} nested `depth` levels (the object is level 1).
std::string NestedText(int depth) {
  return "{\"d\":" + std::string(depth - 1, '[') + std::string(depth - 1, ']') + "}";
}

bool IsIsolated(const std::string& key) { return key.rfind("deep", 0) == 0 || key == "huge"; }

}  // namespace

bool PlantHostileDocuments(const ServerProcess& server, bool big, std::string* error) {
  for (int depth : {40, 62}) {
    const json doc = json::parse(NestedText(depth));
    const std::string path =
        std::string("/_admin/docs/") + kHostileCollection + "/deep" + std::to_string(depth);
    if (!server.Admin("PUT", path, &doc, error)) return false;
  }
  const json huge = {{"blob", std::string(1500 * 1000, 'h')}};
  if (!server.Admin("PUT", std::string("/_admin/docs/") + kHostileCollection + "/huge", &huge,
                    error)) {
    return false;
  }
  if (!big) return true;
  const std::string blob(350 * 1000, 'b');
  for (int i = 0; i < 10; ++i) {
    const json doc = {{"i", i}, {"blob", blob}};
    const std::string path =
        std::string("/_admin/docs/") + kHostileCollection + "/big" + std::to_string(i);
    if (!server.Admin("PUT", path, &doc, error)) return false;
  }
  return true;
}

bool RefusesDeepWrite(Client& client, std::string* error) {
  const ProcessResult put =
      client.Command({"put", kHostileCollection, "mine", NestedText(40)}, "deep_put");
  if (!put.spawned || !put.exit.exited || put.exit.code != 2) {
    *error = "c" + std::to_string(client.index()) +
             ": a local put nested 40 levels deep was not refused with exit 2";
    return false;
  }
  const ProcessResult get = client.Command({"get", kHostileCollection, "mine"}, "deep_get");
  if (!get.exit.exited || get.exit.code != 1) {
    *error = "c" + std::to_string(client.index()) + ": the refused deep put left a document";
    return false;
  }
  return true;
}

json WithoutIsolated(const json& docs) {
  json out = docs;
  if (!out.contains("documents") || !out["documents"].is_array()) return out;
  json kept = json::array();
  for (const json& d : out["documents"]) {
    if (d.value("collection", "") == kHostileCollection && IsIsolated(d.value("key", ""))) {
      continue;
    }
    kept.push_back(d);
  }
  out["documents"] = std::move(kept);
  return out;
}

}  // namespace syncagent::soak
