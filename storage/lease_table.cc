#include "storage/lease_table.h"

#include "platform/clock.h"
#include "storage/sqlite_db.h"

namespace syncagent {

namespace {
constexpr char kGet[] = "SELECT owner, expires_at FROM leases WHERE name = ?1";
constexpr char kClaim[] =
    "INSERT INTO leases (name, owner, acquired_at, expires_at) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, "
    "acquired_at = CASE WHEN leases.owner = excluded.owner THEN leases.acquired_at "
    "ELSE excluded.acquired_at END, expires_at = excluded.expires_at";
constexpr char kRelease[] = "DELETE FROM leases WHERE name = ?1 AND owner = ?2";
}  // namespace

StatusOr<bool> LeaseTable::Acquire(std::string_view name, std::string_view owner,
                                   int64_t ttl_ms) {
  if (name.empty() || owner.empty() || ttl_ms <= 0) {
    return InvalidArgumentError("AcquireLease: name and owner must be non-empty and ttl > 0 (name \"" +
                                std::string(name) + "\", owner \"" + std::string(owner) + "\")");
  }
  const int64_t now = ctx_.clock->WallMs();
  {
    SYNCAGENT_ASSIGN_OR_RETURN(Statement get, ctx_.db->Prepare(kGet));
    get.BindTextStatic(1, name);
    SYNCAGENT_ASSIGN_OR_RETURN(bool held, get.Step());
    if (held && get.TextView(0) != owner && get.Int(1) > now) return false;
  }
  SYNCAGENT_ASSIGN_OR_RETURN(Statement claim, ctx_.db->Prepare(kClaim));
  claim.BindTextStatic(1, name);
  claim.BindTextStatic(2, owner);
  claim.BindInt(3, now);
  claim.BindInt(4, now + ttl_ms);
  SYNCAGENT_RETURN_IF_ERROR(claim.Run());
  return true;
}

Status LeaseTable::Release(std::string_view name, std::string_view owner) {
  {
    SYNCAGENT_ASSIGN_OR_RETURN(Statement release, ctx_.db->Prepare(kRelease));
    release.BindTextStatic(1, name);
    release.BindTextStatic(2, owner);
    SYNCAGENT_RETURN_IF_ERROR(release.Run());
    if (release.Changes() > 0) return Status::Ok();
  }
  SYNCAGENT_ASSIGN_OR_RETURN(Statement get, ctx_.db->Prepare(kGet));
  get.BindTextStatic(1, name);
  SYNCAGENT_ASSIGN_OR_RETURN(bool held, get.Step());
  if (held) {
    return AbortedError("lease \"" + std::string(name) + "\" is held by \"" + get.Text(0) +
                        "\", not by \"" + std::string(owner) + "\"");
  }
  return Status::Ok();
}

}  // namespace syncagent
