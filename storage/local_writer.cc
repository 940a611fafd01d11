#include "storage/local_writer.h"

#include "platform/clock.h"
#include "storage/hybrid_logical_clock.h"
#include "storage/json_merge_patch.h"
#include "storage/random_id.h"
#include "storage/seq_allocator.h"
#include "storage/validation.h"

namespace syncagent {

std::optional<nlohmann::json> LocalWriter::ComposePatches(const nlohmann::json& first,
                                                          const nlohmann::json& second) {
  if (!first.is_object() || !second.is_object()) return std::nullopt;
  nlohmann::json result = first;
  for (auto it = second.begin(); it != second.end(); ++it) {
    if (!it.value().is_object()) {
      result[it.key()] = it.value();  // replace or remove (null): same effect either way
      continue;
    }
    auto found = result.find(it.key());
    if (found == result.end()) {
      result[it.key()] = it.value();  // first left the member alone: second applies as is
    } else if (found->is_object()) {
      std::optional<nlohmann::json> inner = ComposePatches(*found, it.value());
      if (!inner) return std::nullopt;
      *found = std::move(*inner);
    } else {
      // first removed or replaced the member; second merges into the fresh value. One merge
      // patch cannot say "replace this object", so the composition is not expressible.
      return std::nullopt;
    }
  }
  return result;
}

Status LocalWriter::Apply(MutationOp op, std::string_view collection, std::string_view key,
                          const nlohmann::json& data) {
  SYNCAGENT_RETURN_IF_ERROR(ValidateDocumentId(collection, key));
  if (op != MutationOp::kDelete) {
    SYNCAGENT_RETURN_IF_ERROR(
        ValidateObject(collection, key, data, op == MutationOp::kPut ? "data" : "patch"));
  }
  SYNCAGENT_ASSIGN_OR_RETURN(bool exists, ctx_.docs->Load(collection, key, &doc_));
  const bool live = exists && !doc_.deleted;
  if (op != MutationOp::kPut && !live) {
    return NotFoundError(std::string(op == MutationOp::kPatch ? "patch" : "delete") + " of " +
                         DocName(collection, key) + ": document " +
                         (exists ? "is deleted" : "does not exist"));
  }
  if (op == MutationOp::kPut) {
    SYNCAGENT_RETURN_IF_ERROR(DumpJson(data, collection, key, &new_data_));
    SYNCAGENT_RETURN_IF_ERROR(CheckDocumentSize(new_data_, collection, key, "data"));
  } else if (op == MutationOp::kPatch) {
    SYNCAGENT_ASSIGN_OR_RETURN(nlohmann::json current,
                               ParseStoredJson(doc_.data.value_or("{}"), collection, key, "data"));
    ApplyMergePatch(current, data);
    SYNCAGENT_RETURN_IF_ERROR(DumpJson(data, collection, key, &patch_text_));
    SYNCAGENT_RETURN_IF_ERROR(DumpJson(current, collection, key, &new_data_));
    SYNCAGENT_RETURN_IF_ERROR(CheckDocumentSize(new_data_, collection, key, "patched data"));
  }
  const std::string& stamp = ctx_.hlc->NowText();
  const int64_t now = ctx_.clock->WallMs();
  if (!exists) {
    doc_.rev.clear();
    doc_.base_rev.reset();
    doc_.base_data.reset();
    doc_.ClearPending();
  }

  Fold fold = Fold::kAppend;
  if (doc_.HasPending()) {
    SYNCAGENT_ASSIGN_OR_RETURN(fold, Coalesce(op, data, stamp));
    if (fold == Fold::kCancelled) return Status::Ok();
  }
  if (fold == Fold::kAppend) {
    SYNCAGENT_ASSIGN_OR_RETURN(append_.seq, ctx_.seqs->Next());
    ctx_.ids->NewUuidInto(&append_.mutation_id);
    append_.collection = collection;
    append_.key = key;
    append_.op = op;
    append_.base_rev = doc_.base_rev;
    if (op == MutationOp::kPut) {
      append_.data = new_data_;
    } else if (op == MutationOp::kPatch) {
      append_.data = patch_text_;
    } else {
      append_.data.reset();
    }
    append_.hlc = stamp;
    append_.created_at = now;
    SYNCAGENT_RETURN_IF_ERROR(ctx_.outbox->Insert(append_));
    doc_.AddPending(append_.seq);
  }

  if (op == MutationOp::kDelete) {
    doc_.deleted = true;
    doc_.data.reset();
  } else {
    doc_.deleted = false;
    doc_.data = std::move(new_data_);
  }
  doc_.hlc = stamp;
  doc_.updated_at = now;
  return ctx_.docs->Save(doc_);
}

StatusOr<LocalWriter::Fold> LocalWriter::Coalesce(MutationOp op, const nlohmann::json& patch,
                                                  const std::string& stamp) {
  const int64_t newest = doc_.NewestPending().value_or(0);
  SYNCAGENT_ASSIGN_OR_RETURN(bool found, ctx_.outbox->LoadBySeq(newest, &pending_));
  if (!found) {
    return InternalError("document " + DocName(doc_.collection, doc_.key) +
                         " points at outbox seq " + std::to_string(newest) +
                         ", which does not exist");
  }
  if (pending_.attempts != 0) return Fold::kAppend;  // in flight: never altered
  pending_.hlc = stamp;
  switch (op) {
    case MutationOp::kPut:
      pending_.op = MutationOp::kPut;
      pending_.data = new_data_;
      break;
    case MutationOp::kPatch: {
      std::optional<nlohmann::json> composed;
      if (pending_.op == MutationOp::kPatch && pending_.data) {
        SYNCAGENT_ASSIGN_OR_RETURN(
            nlohmann::json first,
            ParseStoredJson(*pending_.data, doc_.collection, doc_.key, "mutation data"));
        composed = ComposePatches(first, patch);
      }
      if (composed) {
        std::string text;
        SYNCAGENT_RETURN_IF_ERROR(DumpJson(*composed, doc_.collection, doc_.key, &text));
        pending_.data = std::move(text);
      } else {
        pending_.op = MutationOp::kPut;  // put after put, or an inexpressible composition
        pending_.data = new_data_;
      }
      break;
    }
    case MutationOp::kDelete: {
      if (pending_.op == MutationOp::kPut && !pending_.base_rev) {
        // A create that never left the device: cancel it instead of sending create + delete.
        SYNCAGENT_RETURN_IF_ERROR(ctx_.outbox->Remove(pending_.seq));
        doc_.RemovePending(pending_.seq);
        if (!doc_.HasPending()) {
          if (doc_.rev.empty()) {
            SYNCAGENT_RETURN_IF_ERROR(ctx_.docs->Erase(doc_.collection, doc_.key));
            return Fold::kCancelled;
          }
          // The server knows this document as a tombstone: back to that clean state.
          doc_.deleted = true;
          doc_.data.reset();
          doc_.hlc = stamp;
          doc_.updated_at = ctx_.clock->WallMs();
          SYNCAGENT_RETURN_IF_ERROR(ctx_.docs->Save(doc_));
          return Fold::kCancelled;
        }
        // An older attempted mutation may still create the document on the server: the delete
        // has to be sent. Re-insert it as a delete with a fresh seq after the older ones.
        pending_.op = MutationOp::kDelete;
        pending_.data.reset();
        SYNCAGENT_ASSIGN_OR_RETURN(pending_.seq, ctx_.seqs->Next());
        SYNCAGENT_RETURN_IF_ERROR(ctx_.outbox->Insert(pending_));
        doc_.AddPending(pending_.seq);
        return Fold::kFolded;
      }
      pending_.op = MutationOp::kDelete;
      pending_.data.reset();
      break;
    }
  }
  SYNCAGENT_RETURN_IF_ERROR(ctx_.outbox->UpdateContent(pending_));
  return Fold::kFolded;
}

}  // namespace syncagent
