#include "storage/seq_allocator.h"

namespace syncagent {

namespace {
constexpr char kRead[] = "SELECT value FROM meta WHERE name = 'seq'";
constexpr char kWrite[] = "UPDATE meta SET value = ?1 WHERE name = 'seq'";
}  // namespace

StatusOr<int64_t> SeqAllocator::Next() {
  SYNCAGENT_CHECK(db_.InTransaction());
  if (!loaded_) {
    SYNCAGENT_ASSIGN_OR_RETURN(last_, db_.QueryInt(kRead));
    loaded_ = true;
  }
  dirty_ = true;
  return ++last_;
}

Status SeqAllocator::Flush() {
  if (!dirty_) return Status::Ok();
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(kWrite));
  stmt.BindInt(1, last_);
  SYNCAGENT_RETURN_IF_ERROR(stmt.Run());
  dirty_ = false;
  return Status::Ok();
}

}  // namespace syncagent
