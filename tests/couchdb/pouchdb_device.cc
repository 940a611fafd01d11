#include "tests/couchdb/pouchdb_device.h"

namespace syncagent::couch_testing {

using nlohmann::json;

StatusOr<std::unique_ptr<PouchDbDevice>> PouchDbDevice::Start(std::string modules_dir) {
  if (modules_dir.empty()) modules_dir = DefaultModulesDir();
  SYNCAGENT_ASSIGN_OR_RETURN(
      std::unique_ptr<NodeChild> child,
      NodeChild::Start("pouchdb_device.js", modules_dir, "pouchdb-replication", {}));
  auto line = child->ReadLine(std::chrono::seconds(60));
  if (!line.ok() || *line != "ready") {
    child->Stop();
    return UnavailableError("the PouchDB device did not start (" +
                            (line.ok() ? "first line \"" + *line + "\"" : line.status().message()) +
                            "); its stderr: " + child->Stderr() + "; " + kInstallPeersHint);
  }
  return std::unique_ptr<PouchDbDevice>(new PouchDbDevice(std::move(child)));
}

StatusOr<json> PouchDbDevice::Call(const json& command) {
  SYNCAGENT_RETURN_IF_ERROR(child_->WriteLine(command.dump()));
  SYNCAGENT_ASSIGN_OR_RETURN(std::string line, child_->ReadLine());
  json answer = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!answer.is_object()) {
    return InternalError("the PouchDB device answered " + line + " to " + command.dump());
  }
  if (answer.contains("error")) {
    return InternalError("the PouchDB device failed " + command.dump() + ": " +
                         answer["error"].dump());
  }
  answer.erase("ok");
  return answer;
}

StatusOr<std::string> PouchDbDevice::Put(const std::string& id, const json& data) {
  SYNCAGENT_ASSIGN_OR_RETURN(json answer, Call({{"op", "put"}, {"id", id}, {"data", data}}));
  return answer.value("rev", "");
}

StatusOr<std::string> PouchDbDevice::Delete(const std::string& id) {
  SYNCAGENT_ASSIGN_OR_RETURN(json answer, Call({{"op", "delete"}, {"id", id}}));
  return answer.value("rev", "");
}

StatusOr<DeviceDocument> PouchDbDevice::Get(const std::string& id) {
  SYNCAGENT_ASSIGN_OR_RETURN(json answer, Call({{"op", "get"}, {"id", id}}));
  DeviceDocument doc;
  doc.data = answer["data"];
  doc.rev = answer.value("rev", "");
  doc.conflicts = answer.value("conflicts", std::vector<std::string>());
  return doc;
}

Status PouchDbDevice::PutMany(const std::string& prefix, int count) {
  return Call({{"op", "put_many"}, {"prefix", prefix}, {"count", count}}).status();
}

StatusOr<json> PouchDbDevice::All(std::vector<std::string>* conflicted) {
  SYNCAGENT_ASSIGN_OR_RETURN(json answer, Call({{"op", "all"}}));
  if (conflicted != nullptr) *conflicted = answer.value("conflicted", std::vector<std::string>());
  return answer["docs"];
}

Status PouchDbDevice::Sync(const std::string& database_url) {
  return Call({{"op", "sync"}, {"url", database_url}}).status();
}

}  // namespace syncagent::couch_testing
