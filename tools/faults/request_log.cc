#include "tools/faults/request_log.h"

#include <chrono>
#include <ctime>

namespace syncagent::faults {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string IsoTime(int64_t ms) {
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buffer;
}

}  // namespace

nlohmann::json RequestLogEntry::ToJson() const {
  return {{"id", id},
          {"method", method},
          {"path", path},
          {"query", query},
          {"headers", headers},
          {"status", status},
          {"request_bytes", request_bytes},
          {"response_bytes", response_bytes},
          {"time_ms", time_ms},
          {"time", IsoTime(time_ms)},
          {"fault", fault.empty() ? nlohmann::json() : nlohmann::json(fault)},
          {"completed", completed}};
}

int64_t RequestLog::Begin(std::string method, std::string path, std::string query,
                          nlohmann::json headers) {
  std::lock_guard<std::mutex> lock(mu_);
  RequestLogEntry entry;
  entry.id = next_id_++;
  entry.method = std::move(method);
  entry.path = std::move(path);
  entry.query = std::move(query);
  entry.headers = std::move(headers);
  entry.time_ms = NowMs();
  entries_.push_back(std::move(entry));
  ++total_;
  if (entries_.size() > kMaxEntries) entries_.pop_front();
  return entries_.back().id;
}

RequestLogEntry* RequestLog::FindLocked(int64_t id) {
  if (entries_.empty() || id < entries_.front().id) return nullptr;
  const auto index = static_cast<size_t>(id - entries_.front().id);
  return index < entries_.size() && entries_[index].id == id ? &entries_[index] : nullptr;
}

void RequestLog::SetStatus(int64_t id, int status) {
  std::lock_guard<std::mutex> lock(mu_);
  if (RequestLogEntry* entry = FindLocked(id)) entry->status = status;
}

void RequestLog::Finish(int64_t id, const RequestLogEntry& outcome) {
  std::lock_guard<std::mutex> lock(mu_);
  RequestLogEntry* entry = id >= 0 ? FindLocked(id) : nullptr;
  if (!entry) {
    if (id >= 0) return;  // cleared meanwhile
    RequestLogEntry added = outcome;
    added.id = next_id_++;
    added.time_ms = NowMs();
    entries_.push_back(std::move(added));
    ++total_;
    if (entries_.size() > kMaxEntries) entries_.pop_front();
    entry = &entries_.back();
  }
  entry->status = outcome.status;
  entry->request_bytes = outcome.request_bytes;
  entry->response_bytes = outcome.response_bytes;
  entry->fault = outcome.fault;
  entry->completed = true;
}

std::vector<RequestLogEntry> RequestLog::Entries() const {
  std::lock_guard<std::mutex> lock(mu_);
  return {entries_.begin(), entries_.end()};
}

nlohmann::json RequestLog::ToJson() const {
  nlohmann::json requests = nlohmann::json::array();
  for (const auto& entry : Entries()) requests.push_back(entry.ToJson());
  return {{"requests", std::move(requests)}};
}

int64_t RequestLog::total() const {
  std::lock_guard<std::mutex> lock(mu_);
  return total_;
}

void RequestLog::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  entries_.clear();
  total_ = 0;
}

}  // namespace syncagent::faults
