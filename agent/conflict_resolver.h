// ConflictResolver: decides how a recorded conflict (storage's Conflict: base, local, remote) is
// settled, by the policy configured for its collection:
//   server_wins       → take the server's document;
//   client_wins       → keep the local document and push it over the server's version;
//   last_writer_wins  → whichever side has the later hybrid-logical-clock stamp (stamps compare
//                       as strings; equal stamps fall back to the server: deterministic);
//   merge             → field-level three-way merge (three_way_merge.h) with the tie rule;
//   manual            → leave the conflict open for the app (nothing of that document is pushed
//                       until the app resolves it).
// Before any policy but manual: a local side equal to the common base (it did not change) takes
// the server's document ("unchanged"): there is nothing local to keep.
// A custom callback, when installed, is asked first and may defer to the configured policy.
//
// Thread safety: Decide() is const and may run concurrently; the custom callback must be too.
#ifndef SYNCAGENT_AGENT_CONFLICT_RESOLVER_H_
#define SYNCAGENT_AGENT_CONFLICT_RESOLVER_H_

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/three_way_merge.h"
#include "storage/sync_records.h"
#include "syncagent/status.h"

namespace syncagent {

enum class ResolutionPolicy { kServerWins, kClientWins, kLastWriterWins, kMerge, kManual };
std::string_view ResolutionPolicyName(ResolutionPolicy policy);

// One side of a conflict as handed to a custom resolver.
struct ConflictSide {
  bool exists = false;   // false: never existed / no base
  bool deleted = false;  // tombstone
  nlohmann::json data;   // object when exists && !deleted, else null
  std::string hlc;
  std::string rev;  // the server revision (storage/revision.h); "" = none
};

struct ConflictSides {
  std::string collection;
  std::string key;
  ConflictSide base;
  ConflictSide local;
  ConflictSide remote;
};

// What a custom resolver returns.
struct CustomResolution {
  enum class Kind {
    kDefer,       // use the configured policy
    kTakeRemote,  // the server's document wins
    kKeepLocal,   // the local document wins
    kUse,         // `data` (an object) becomes the document on both sides
    kDelete,      // the document is deleted on both sides
    kLeaveOpen,   // record it for the app (manual)
  };
  Kind kind = Kind::kDefer;
  nlohmann::json data;
};

using CustomResolverFn = std::function<StatusOr<CustomResolution>(const ConflictSides&)>;

// The outcome of Decide.
struct ConflictDecision {
  enum class Kind {
    kTakeRemote,  // document := remote; drop pending local mutations
    kWrite,       // document := (deleted ? tombstone : data) on both sides (pushed with the
                  // remote version as base)
    kLeaveOpen,   // manual
  };
  Kind kind = Kind::kTakeRemote;
  bool deleted = false;
  nlohmann::json data;
  std::string policy;                    // which policy decided ("merge", "custom", ...)
  std::vector<std::string> tied_paths;  // merge: fields decided by the tie rule
};

class ConflictResolver {
 public:
  ConflictResolver(ResolutionPolicy default_policy,
                   std::map<std::string, ResolutionPolicy> per_collection, TieRule merge_tie,
                   CustomResolverFn custom = nullptr);

  ResolutionPolicy PolicyFor(const std::string& collection) const;

  // A custom resolver that fails, or returns an invalid answer, leaves the conflict open with
  // the error in `policy` ("custom: <message>"), so nothing is lost.
  ConflictDecision Decide(const Conflict& conflict) const;

  void SetCustom(CustomResolverFn custom) { custom_ = std::move(custom); }

 private:
  ConflictDecision DecideByPolicy(ResolutionPolicy policy, const ConflictSides& sides) const;

  ResolutionPolicy default_policy_;
  std::map<std::string, ResolutionPolicy> per_collection_;
  TieRule merge_tie_;
  CustomResolverFn custom_;
};

// The sides of a stored conflict.
ConflictSides SidesOf(const Conflict& conflict);

}  // namespace syncagent

#endif  // SYNCAGENT_AGENT_CONFLICT_RESOLVER_H_
