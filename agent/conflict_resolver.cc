#include "agent/conflict_resolver.h"

#include "storage/json_equal.h"

namespace syncagent {
namespace {

ConflictDecision Write(const ConflictSide& side, std::string policy) {
  ConflictDecision d;
  d.kind = ConflictDecision::Kind::kWrite;
  d.deleted = !side.exists || side.deleted;
  if (!d.deleted) d.data = side.data;
  d.policy = std::move(policy);
  return d;
}

ConflictDecision TakeRemote(std::string policy) {
  ConflictDecision d;
  d.kind = ConflictDecision::Kind::kTakeRemote;
  d.policy = std::move(policy);
  return d;
}

ConflictDecision LeaveOpen(std::string policy) {
  ConflictDecision d;
  d.kind = ConflictDecision::Kind::kLeaveOpen;
  d.policy = std::move(policy);
  return d;
}

MergeSide AsMergeSide(const ConflictSide& side) {
  return MergeSide{!side.exists || side.deleted, side.data};
}

bool SameAs(const ConflictSide& a, bool deleted, const nlohmann::json& data) {
  const bool a_deleted = !a.exists || a.deleted;
  if (a_deleted != deleted) return false;
  return deleted || JsonEqual(a.data, data);
}

}  // namespace

std::string_view ResolutionPolicyName(ResolutionPolicy policy) {
  switch (policy) {
    case ResolutionPolicy::kServerWins: return "server_wins";
    case ResolutionPolicy::kClientWins: return "client_wins";
    case ResolutionPolicy::kLastWriterWins: return "last_writer_wins";
    case ResolutionPolicy::kMerge: return "merge";
    case ResolutionPolicy::kManual: return "manual";
  }
  return "server_wins";
}

ConflictSides SidesOf(const Conflict& c) {
  ConflictSides s;
  s.collection = c.collection;
  s.key = c.key;
  // A base body without a base revision: the last body synced with a server that has since lost
  // its data (storage/server_reset.h). Still the common ancestor of what the device holds.
  s.base.exists = c.base_data.is_object();
  s.base.deleted = !s.base.exists;
  s.base.data = s.base.exists ? c.base_data : nlohmann::json();
  s.base.rev = c.base_rev.value_or("");
  s.local.exists = true;
  s.local.deleted = c.local_deleted;
  s.local.data = c.local_deleted ? nlohmann::json() : c.local_data;
  s.local.hlc = c.local_hlc;
  s.remote.exists = !c.remote_rev.empty();
  s.remote.deleted = c.remote_deleted || c.remote_rev.empty();
  s.remote.data = s.remote.deleted ? nlohmann::json() : c.remote_data;
  s.remote.hlc = c.remote_hlc;
  s.remote.rev = c.remote_rev;
  return s;
}

ConflictResolver::ConflictResolver(ResolutionPolicy default_policy,
                                   std::map<std::string, ResolutionPolicy> per_collection,
                                   TieRule merge_tie, CustomResolverFn custom)
    : default_policy_(default_policy),
      per_collection_(std::move(per_collection)),
      merge_tie_(merge_tie),
      custom_(std::move(custom)) {}

ResolutionPolicy ConflictResolver::PolicyFor(const std::string& collection) const {
  auto it = per_collection_.find(collection);
  return it == per_collection_.end() ? default_policy_ : it->second;
}

ConflictDecision ConflictResolver::DecideByPolicy(ResolutionPolicy policy,
                                                  const ConflictSides& sides) const {
  const std::string name(ResolutionPolicyName(policy));
  // A side that did not change since the common base has nothing to defend, whatever the
  // policy: e.g. a clean copy re-uploaded after the server lost its data must not overwrite a
  // newer version another device wrote meanwhile.
  if (policy != ResolutionPolicy::kManual && sides.base.exists &&
      SameAs(sides.local, sides.base.deleted, sides.base.data)) {
    return TakeRemote("unchanged");
  }
  switch (policy) {
    case ResolutionPolicy::kServerWins:
      return TakeRemote(name);
    case ResolutionPolicy::kClientWins:
      return Write(sides.local, name);
    case ResolutionPolicy::kLastWriterWins:
      // Later stamp wins; equal stamps (which only one writer can produce) go to the server.
      return sides.local.hlc > sides.remote.hlc ? Write(sides.local, name) : TakeRemote(name);
    case ResolutionPolicy::kMerge: {
      MergeOutcome merged =
          ThreeWayMerge(AsMergeSide(sides.base), AsMergeSide(sides.local),
                        AsMergeSide(sides.remote), merge_tie_, sides.local.hlc > sides.remote.hlc);
      ConflictDecision d;
      if (SameAs(sides.remote, merged.deleted, merged.data)) {
        d = TakeRemote(name);
      } else {
        d.kind = ConflictDecision::Kind::kWrite;
        d.deleted = merged.deleted;
        d.data = std::move(merged.data);
        d.policy = name;
      }
      d.tied_paths = std::move(merged.tied_paths);
      return d;
    }
    case ResolutionPolicy::kManual:
      return LeaveOpen(name);
  }
  return TakeRemote(name);
}

ConflictDecision ConflictResolver::Decide(const Conflict& conflict) const {
  const ConflictSides sides = SidesOf(conflict);
  const ResolutionPolicy policy = PolicyFor(conflict.collection);
  if (!custom_) return DecideByPolicy(policy, sides);

  StatusOr<CustomResolution> answer = custom_(sides);
  if (!answer.ok()) return LeaveOpen("custom: " + answer.status().message());
  switch (answer->kind) {
    case CustomResolution::Kind::kDefer:
      return DecideByPolicy(policy, sides);
    case CustomResolution::Kind::kTakeRemote:
      return TakeRemote("custom");
    case CustomResolution::Kind::kKeepLocal:
      return Write(sides.local, "custom");
    case CustomResolution::Kind::kUse: {
      if (!answer->data.is_object()) {
        return LeaveOpen("custom: the resolver returned data that is not a JSON object");
      }
      ConflictSide side{true, false, answer->data, "", ""};
      if (SameAs(sides.remote, false, answer->data)) return TakeRemote("custom");
      return Write(side, "custom");
    }
    case CustomResolution::Kind::kDelete: {
      if (SameAs(sides.remote, true, nullptr)) return TakeRemote("custom");
      ConflictSide side{true, true, nullptr, "", ""};
      return Write(side, "custom");
    }
    case CustomResolution::Kind::kLeaveOpen:
      return LeaveOpen("custom");
  }
  return LeaveOpen("custom: unknown answer");
}

}  // namespace syncagent
