// A downstream C++ program using the installed public C++ API (syncagent/agent.h) only: opens an
// agent on a store in DIR (no server needed), writes, reads back, reads the status, and checks
// that a bad config is a Status, not an exception.
// Usage: consumer_cxx DIR   (exit 0 when everything is as expected)
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>
#include <syncagent/agent.h>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: consumer_cxx DIR\n");
    return 2;
  }
  auto bad = syncagent::SyncAgent::OpenJson(R"({"storage": {"path": "x.db"}})");
  if (bad.ok() || bad.status().code() != syncagent::StatusCode::kInvalidArgument) {
    std::fprintf(stderr, "expected INVALID_ARGUMENT for a bad config\n");
    return 1;
  }
  const nlohmann::json config = {
      {"server", {{"base_url", "http://127.0.0.1:1"}, {"allow_insecure_http", true}}},
      {"storage", {{"path", std::string(argv[1]) + "/cxx-consumer.db"}}}};
  auto agent = syncagent::SyncAgent::OpenJson(config.dump());
  if (!agent.ok()) {
    std::fprintf(stderr, "open: %s\n", agent.status().ToString().c_str());
    return 1;
  }
  if (!(*agent)->Put("notes", "n1", {{"title", "hello"}}).ok()) return 1;
  auto doc = (*agent)->Get("notes", "n1");
  auto status = (*agent)->GetStatus();
  if (!doc.ok() || !doc->has_value() || (**doc)["title"] != "hello" || !status.ok() ||
      (*status)["queue_depth"] != 1) {
    std::fprintf(stderr, "unexpected document or status\n");
    return 1;
  }
  std::printf("C++ consumer: %s\n", status->dump().c_str());
  return 0;
}
