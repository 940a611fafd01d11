#include "storage/seq_allocator.h"

namespace syncagent {

namespace {
constexpr char kRead[] = "SELECT value FROM meta WHERE name = ?1";
constexpr char kWrite[] = "UPDATE meta SET value = ?1 WHERE name = ?2";
}  // namespace

StatusOr<int64_t> SeqAllocator::Next() {
  SYNCAGENT_CHECK(db_.InTransaction());
  if (!loaded_) {
    SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(kRead));
    stmt.BindTextStatic(1, meta_name_);
    SYNCAGENT_ASSIGN_OR_RETURN(bool found, stmt.Step());
    if (!found) return DataLossError(db_.path() + ": meta lacks the '" + meta_name_ + "' row");
    last_ = stmt.Int(0);
    loaded_ = true;
  }
  dirty_ = true;
  return ++last_;
}

Status SeqAllocator::Flush() {
  if (!dirty_) return Status::Ok();
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(kWrite));
  stmt.BindInt(1, last_);
  stmt.BindTextStatic(2, meta_name_);
  SYNCAGENT_RETURN_IF_ERROR(stmt.Run());
  dirty_ = false;
  return Status::Ok();
}

}  // namespace syncagent
