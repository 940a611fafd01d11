#include "storage/outbox.h"

#include <set>
#include <utility>

#include "storage/hybrid_logical_clock.h"
#include "storage/json_merge_patch.h"
#include "storage/validation.h"

namespace syncagent {

int64_t Outbox::EstimateWireBytes(const OutboxRow& row) {
  // Member names, quotes, seq/base_rev digits and separators: ~160 bytes per mutation.
  constexpr int64_t kOverhead = 160;
  return kOverhead + static_cast<int64_t>(row.mutation_id.size() + row.collection.size() +
                                          row.key.size() + row.hlc.size() +
                                          (row.data ? row.data->size() : 4));
}

StatusOr<std::vector<Mutation>> Outbox::PeekBatch(int max_count, int64_t max_bytes,
                                                  int64_t after_seq,
                                                  const std::vector<Mutation>* in_flight) {
  if (max_count < 1) {
    return InvalidArgumentError("PeekBatch: max_count must be >= 1, got " +
                                std::to_string(max_count));
  }
  SYNCAGENT_ASSIGN_OR_RETURN(std::vector<OutboxRow> rows,
                             ctx_.outbox->Oldest(max_count, after_seq));
  std::vector<Mutation> batch;
  std::set<std::pair<std::string, std::string>> documents;
  // A document of the batch on the wire counts as already in this batch: the batch stops there.
  if (in_flight) {
    for (const Mutation& m : *in_flight) documents.emplace(m.collection, m.key);
  }
  int64_t total = 0;
  for (const OutboxRow& row : rows) {
    const int64_t size = EstimateWireBytes(row);
    if (!batch.empty() && total + size > max_bytes) break;
    if (!documents.emplace(row.collection, row.key).second) break;
    total += size;
    SYNCAGENT_ASSIGN_OR_RETURN(Mutation mutation, OutboxRows::ToMutation(row));
    batch.push_back(std::move(mutation));
  }
  return batch;
}

StatusOr<int64_t> Outbox::MarkAttempted(const std::vector<std::string>& mutation_ids,
                                        std::string_view error) {
  return ctx_.outbox->MarkAttempted(mutation_ids, error);
}

Status Outbox::MarkTaken(const std::vector<Mutation>& batch) {
  std::vector<int64_t> seqs;
  seqs.reserve(batch.size());
  for (const Mutation& m : batch) seqs.push_back(m.seq);
  SYNCAGENT_ASSIGN_OR_RETURN(int64_t marked, ctx_.outbox->MarkSeqsAttempted(seqs));
  if (marked != static_cast<int64_t>(seqs.size())) {
    return InternalError("marking a batch attempted: " + std::to_string(seqs.size() - marked) +
                         " of its rows are gone");
  }
  return Status::Ok();
}

StatusOr<bool> Outbox::Ack(const AckInfo& ack) {
  OutboxRow row;
  SYNCAGENT_ASSIGN_OR_RETURN(bool found, ctx_.outbox->LoadById(ack.mutation_id, &row));
  if (!found) return false;
  SYNCAGENT_RETURN_IF_ERROR(ctx_.outbox->Remove(row.seq));
  if (!ack.server_hlc.empty()) {
    auto stamp = HybridLogicalClock::Parse(ack.server_hlc);
    if (stamp.ok()) ctx_.hlc->Observe(*stamp);
  }
  DocumentRow doc;
  SYNCAGENT_ASSIGN_OR_RETURN(bool exists, ctx_.docs->Load(row.collection, row.key, &doc));
  if (!exists) return true;
  doc.RemovePending(row.seq);
  const bool others = doc.HasPending();
  const RevisionOrder order = OrderRevisions(*ctx_.revisions, doc.rev, ack.server_rev);
  // A write on no server version (a create, or a put after a delete) when none was pulled since:
  // its answer is the document's revision whatever the order says, since a CouchDB put after a
  // delete starts a new revision root, of a lower generation than the tombstone the document
  // still names (net/couchdb_remote.h). Later mutations are rebased onto it.
  const bool created_on_nothing = !row.base_rev && !doc.base_rev;
  if (created_on_nothing || order == RevisionOrder::kSame ||
      order == RevisionOrder::kRemoteNewer) {
    doc.rev = ack.server_rev;
    if (row.op == MutationOp::kDelete) {
      doc.base_rev.reset();
    } else {
      doc.base_rev = ack.server_rev;
    }
    if (!others) {
      doc.base_data = doc.deleted ? std::nullopt : doc.data;
    } else {
      // The server body after this mutation, when it applied cleanly on the old base.
      if (row.op == MutationOp::kPut) {
        doc.base_data = row.data;
      } else if (row.op == MutationOp::kDelete) {
        doc.base_data.reset();
      } else {
        SYNCAGENT_ASSIGN_OR_RETURN(
            nlohmann::json base,
            ParseStoredJson(doc.base_data.value_or("{}"), row.collection, row.key, "base_data"));
        SYNCAGENT_ASSIGN_OR_RETURN(
            nlohmann::json patch,
            ParseStoredJson(row.data.value_or("{}"), row.collection, row.key, "mutation data"));
        ApplyMergePatch(base, patch);
        std::string text;
        SYNCAGENT_RETURN_IF_ERROR(DumpJson(base, row.collection, row.key, &text));
        doc.base_data = std::move(text);
      }
      SYNCAGENT_RETURN_IF_ERROR(ctx_.outbox->Rebase(doc.PendingSeqs(), doc.base_rev));
    }
  }
  SYNCAGENT_RETURN_IF_ERROR(ctx_.docs->Save(doc));
  return true;
}

StatusOr<int64_t> Outbox::DeadLetter(std::string_view mutation_id, std::string_view code,
                                     std::string_view message) {
  OutboxRow row;
  SYNCAGENT_ASSIGN_OR_RETURN(bool found, ctx_.outbox->LoadById(mutation_id, &row));
  if (!found) {
    return NotFoundError("mutation " + std::string(mutation_id) + " is not in the outbox");
  }
  SYNCAGENT_ASSIGN_OR_RETURN(int64_t id, dead_letters_.Add(row, code, message));
  SYNCAGENT_RETURN_IF_ERROR(ctx_.outbox->Remove(row.seq));
  DocumentRow doc;
  SYNCAGENT_ASSIGN_OR_RETURN(bool exists, ctx_.docs->Load(row.collection, row.key, &doc));
  if (exists) {
    doc.RemovePending(row.seq);
    SYNCAGENT_RETURN_IF_ERROR(ctx_.docs->Save(doc));
  }
  return id;
}

}  // namespace syncagent
