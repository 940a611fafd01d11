// LeaseTable: named single-flight leases (`leases` table), e.g. "sync" so that two headless
// runs — in one process or in two — never overlap.
//
// Acquire(name, owner, ttl) succeeds when the lease is free, expired (expires_at <= now, wall
// clock) or already held by `owner` (then it is renewed to now + ttl). The Store runs it inside
// BEGIN IMMEDIATE, so the check and the claim are atomic across connections and processes.
// Release(name, owner) frees a lease held by owner; releasing a free lease is OK; releasing
// another owner's lease is kAborted and changes nothing.
//
// Thread safety: not thread-safe; used under the Store's lock.
#ifndef SYNCAGENT_STORAGE_LEASE_TABLE_H_
#define SYNCAGENT_STORAGE_LEASE_TABLE_H_

#include <cstdint>
#include <string_view>

#include "storage/store_context.h"
#include "syncagent/status.h"

namespace syncagent {

class LeaseTable {
 public:
  explicit LeaseTable(const StoreContext& context) : ctx_(context) {}

  // REQUIRES: an IMMEDIATE transaction is open; name and owner non-empty; ttl_ms > 0.
  StatusOr<bool> Acquire(std::string_view name, std::string_view owner, int64_t ttl_ms);
  Status Release(std::string_view name, std::string_view owner);

 private:
  StoreContext ctx_;
};

}  // namespace syncagent

#endif  // SYNCAGENT_STORAGE_LEASE_TABLE_H_
