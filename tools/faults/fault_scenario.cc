#include "tools/faults/fault_scenario.h"

#include <fstream>
#include <sstream>

namespace syncagent::faults {
namespace {

using nlohmann::json;

struct KindName {
  FaultKind kind;
  std::string_view name;
};
constexpr KindName kKindNames[] = {
    {FaultKind::kStatus, "status"},
    {FaultKind::kDelay, "delay"},
    {FaultKind::kCloseBeforeResponse, "close_before_response"},
    {FaultKind::kResetMidBody, "reset_mid_body"},
    {FaultKind::kTruncatedBody, "truncated_body"},
    {FaultKind::kMalformedJson, "malformed_json"},
    {FaultKind::kOversizedBody, "oversized_body"},
    {FaultKind::kWrongContentType, "wrong_content_type"},
    {FaultKind::kHang, "hang"},
    {FaultKind::kDrip, "drip"},
};

// Reads optional member `name` of `object` into `out`, checking its type.
class Reader {
 public:
  Reader(const json& object, std::string path) : object_(object), path_(std::move(path)) {}

  Status Int(const char* name, int64_t min, int64_t* out) const {
    auto it = object_.find(name);
    if (it == object_.end()) return Status::Ok();
    if (!it->is_number_integer() || it->get<int64_t>() < min) {
      return Error(name, "must be an integer >= " + std::to_string(min));
    }
    *out = it->get<int64_t>();
    return Status::Ok();
  }
  Status String(const char* name, std::string* out) const {
    auto it = object_.find(name);
    if (it == object_.end()) return Status::Ok();
    if (!it->is_string()) return Error(name, "must be a string");
    *out = it->get<std::string>();
    return Status::Ok();
  }
  Status Bool(const char* name, bool* out) const {
    auto it = object_.find(name);
    if (it == object_.end()) return Status::Ok();
    if (!it->is_boolean()) return Error(name, "must be a boolean");
    *out = it->get<bool>();
    return Status::Ok();
  }
  Status Error(const char* name, const std::string& what) const {
    return InvalidArgumentError(path_ + "." + name + ": " + what);
  }
  bool Has(const char* name) const { return object_.contains(name); }
  const json& Get(const char* name) const { return object_.at(name); }

 private:
  const json& object_;
  std::string path_;
};

Status ParseMatch(const json& match, const std::string& path, FaultMatch* out) {
  if (!match.is_object()) return InvalidArgumentError(path + ": must be an object");
  Reader r(match, path);
  SYNCAGENT_RETURN_IF_ERROR(r.String("method", &out->method));
  SYNCAGENT_RETURN_IF_ERROR(r.String("path", &out->path));
  if (out->path.empty()) return r.Error("path", "must not be empty");
  SYNCAGENT_RETURN_IF_ERROR(r.Int("nth", 1, &out->nth));
  if (r.Has("probability")) {
    const json& p = r.Get("probability");
    if (!p.is_number() || p.get<double>() < 0.0 || p.get<double>() > 1.0) {
      return r.Error("probability", "must be a number in [0, 1]");
    }
    out->probability = p.get<double>();
    out->times = -1;  // random mode: unlimited unless `times` says otherwise
  }
  SYNCAGENT_RETURN_IF_ERROR(r.Int("times", -1, &out->times));
  if (out->times == 0) return r.Error("times", "must be >= 1, or -1 for forever");
  int64_t seed = 0;
  SYNCAGENT_RETURN_IF_ERROR(r.Int("seed", 0, &seed));
  out->seed = static_cast<uint64_t>(seed);
  return Status::Ok();
}

Status ParseAction(const json& action, const std::string& path, FaultAction* out) {
  if (!action.is_object()) return InvalidArgumentError(path + ": must be an object");
  Reader r(action, path);
  std::string kind;
  SYNCAGENT_RETURN_IF_ERROR(r.String("kind", &kind));
  bool known = false;
  for (const auto& entry : kKindNames) {
    if (entry.name == kind) {
      out->kind = entry.kind;
      known = true;
    }
  }
  if (!known) return r.Error("kind", "unknown fault kind \"" + kind + "\"");
  int64_t status = out->status;
  SYNCAGENT_RETURN_IF_ERROR(r.Int("status", 100, &status));
  if (status > 599) return r.Error("status", "must be an HTTP status code (100..599)");
  out->status = static_cast<int>(status);
  if (r.Has("retry_after")) {
    const json& value = r.Get("retry_after");
    if (value.is_number_integer() && value.get<int64_t>() >= 0) {
      out->retry_after = std::to_string(value.get<int64_t>());
    } else {
      SYNCAGENT_RETURN_IF_ERROR(r.String("retry_after", &out->retry_after));
    }
  }
  if (r.Has("body")) out->body = r.Get("body");
  if (r.Has("headers")) {
    out->headers = r.Get("headers");
    if (!out->headers.is_object()) return r.Error("headers", "must be an object of strings");
    for (const auto& [name, value] : out->headers.items()) {
      if (!value.is_string()) return r.Error("headers", "value of " + name + " must be a string");
    }
  }
  SYNCAGENT_RETURN_IF_ERROR(r.Int("delay_ms", 0, &out->delay_ms));
  SYNCAGENT_RETURN_IF_ERROR(r.Int("bytes", 16, &out->bytes));
  SYNCAGENT_RETURN_IF_ERROR(r.Int("max_ms", 0, &out->max_ms));
  SYNCAGENT_RETURN_IF_ERROR(r.Int("bytes_per_second", 1, &out->bytes_per_second));
  SYNCAGENT_RETURN_IF_ERROR(r.Bool("after_processing", &out->after_processing));
  if (out->after_processing && !IsReplacingFault(out->kind)) {
    return r.Error("after_processing", "only applies to kinds that replace the response");
  }
  return Status::Ok();
}

}  // namespace

std::string_view FaultKindName(FaultKind kind) {
  for (const auto& entry : kKindNames) {
    if (entry.kind == kind) return entry.name;
  }
  return "unknown";
}

bool IsReplacingFault(FaultKind kind) {
  switch (kind) {
    case FaultKind::kStatus:
    case FaultKind::kCloseBeforeResponse:
    case FaultKind::kMalformedJson:
    case FaultKind::kOversizedBody:
    case FaultKind::kWrongContentType:
    case FaultKind::kHang:
      return true;
    case FaultKind::kDelay:
    case FaultKind::kResetMidBody:
    case FaultKind::kTruncatedBody:
    case FaultKind::kDrip:
      return false;
  }
  return false;
}

bool PathMatches(std::string_view pattern, std::string_view path) {
  if (!pattern.empty() && pattern.back() == '*') {
    pattern.remove_suffix(1);
    return path.substr(0, pattern.size()) == pattern;
  }
  return pattern == path;
}

StatusOr<std::vector<FaultRule>> ParseFaultScenario(const json& scenario) {
  if (!scenario.is_object() || !scenario.contains("faults") || !scenario["faults"].is_array()) {
    return InvalidArgumentError("faults: a scenario must be an object with a \"faults\" array");
  }
  std::vector<FaultRule> rules;
  const json& faults = scenario["faults"];
  for (size_t i = 0; i < faults.size(); ++i) {
    const std::string path = "faults[" + std::to_string(i) + "]";
    const json& fault = faults[i];
    if (!fault.is_object()) return InvalidArgumentError(path + ": must be an object");
    FaultRule rule;
    if (fault.contains("match")) {
      SYNCAGENT_RETURN_IF_ERROR(ParseMatch(fault["match"], path + ".match", &rule.match));
    }
    if (!fault.contains("action")) return InvalidArgumentError(path + ".action: missing");
    SYNCAGENT_RETURN_IF_ERROR(ParseAction(fault["action"], path + ".action", &rule.action));
    rules.push_back(std::move(rule));
  }
  return rules;
}

StatusOr<std::vector<FaultRule>> LoadFaultScenarioFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFoundError("cannot read fault scenario " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  json scenario = json::parse(buffer.str(), nullptr, /*allow_exceptions=*/false);
  if (scenario.is_discarded()) return InvalidArgumentError(path + ": not valid JSON");
  auto rules = ParseFaultScenario(scenario);
  if (!rules.ok()) return rules.status().WithContext(path);
  return rules;
}

json FaultRuleToJson(const FaultRule& rule) {
  json match = {{"path", rule.match.path}, {"nth", rule.match.nth}, {"times", rule.match.times}};
  if (!rule.match.method.empty()) match["method"] = rule.match.method;
  if (rule.match.probability) {
    match["probability"] = *rule.match.probability;
    match["seed"] = rule.match.seed;
  }
  const FaultAction& a = rule.action;
  json action = {{"kind", FaultKindName(a.kind)}};
  switch (a.kind) {
    case FaultKind::kStatus:
      action["status"] = a.status;
      if (!a.retry_after.empty()) action["retry_after"] = a.retry_after;
      if (!a.body.is_null()) action["body"] = a.body;
      if (!a.headers.empty()) action["headers"] = a.headers;
      break;
    case FaultKind::kDelay:
      action["delay_ms"] = a.delay_ms;
      break;
    case FaultKind::kOversizedBody:
      action["bytes"] = a.bytes;
      break;
    case FaultKind::kHang:
      action["max_ms"] = a.max_ms;
      break;
    case FaultKind::kDrip:
      action["bytes_per_second"] = a.bytes_per_second;
      break;
    default:
      break;
  }
  if (IsReplacingFault(a.kind)) action["after_processing"] = a.after_processing;
  return {{"match", std::move(match)}, {"action", std::move(action)}};
}

}  // namespace syncagent::faults
