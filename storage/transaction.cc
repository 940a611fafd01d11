#include "storage/transaction.h"

namespace syncagent {

namespace {
constexpr char kBeginImmediate[] = "BEGIN IMMEDIATE";
constexpr char kBeginDeferred[] = "BEGIN DEFERRED";
constexpr char kCommit[] = "COMMIT";
constexpr char kRollback[] = "ROLLBACK";
}  // namespace

Transaction::~Transaction() {
  if (open_ && db_.InTransaction()) {
    auto stmt = db_.Prepare(kRollback);
    if (stmt.ok()) stmt->Run().IgnoreError();
  }
}

Status Transaction::Begin(Mode mode) {
  SYNCAGENT_CHECK(!open_);
  SYNCAGENT_CHECK(!db_.InTransaction());
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt,
                             db_.Prepare(mode == Mode::kImmediate ? kBeginImmediate : kBeginDeferred));
  SYNCAGENT_RETURN_IF_ERROR(stmt.Run());
  open_ = true;
  return Status::Ok();
}

Status Transaction::Commit() {
  SYNCAGENT_CHECK(open_);
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(kCommit));
  SYNCAGENT_RETURN_IF_ERROR(stmt.Run());
  open_ = false;
  return Status::Ok();
}

}  // namespace syncagent
