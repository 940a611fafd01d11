// QueueWrite: appends one mutation for a document that the storage layer itself decides to send
// (not an app write): a fresh mutation id and seq, the document's current body (put) or none
// (delete), its HLC stamp. Used after the server lost its data (server_reset.h) and when a delete
// the server never recorded meets an older version of the document (remote_applier.h).
//
// Thread safety: not thread-safe; used under the Store's lock, in the caller's transaction.
#ifndef SYNCAGENT_STORAGE_QUEUED_WRITE_H_
#define SYNCAGENT_STORAGE_QUEUED_WRITE_H_

#include <cstdint>
#include <optional>

#include "storage/document_rows.h"
#include "storage/store_context.h"
#include "storage/store_types.h"
#include "syncagent/status.h"

namespace syncagent {

// REQUIRES: op is kPut (doc live) or kDelete. Adds the mutation to *doc's pending list; the caller
// saves *doc.
Status QueueWrite(const StoreContext& ctx, DocumentRow* doc, MutationOp op,
                  std::optional<std::string> base_rev);

}  // namespace syncagent

#endif  // SYNCAGENT_STORAGE_QUEUED_WRITE_H_
