// StoreContext: the collaborators a Store's components share (one connection, one clock, one
// HLC, one id generator and the two row accessors), bundled so each component receives them in
// one argument.
//
// Thread safety: the pointed-to objects are not thread-safe; every component runs under the
// owning Store's lock.
#ifndef SYNCAGENT_STORAGE_STORE_CONTEXT_H_
#define SYNCAGENT_STORAGE_STORE_CONTEXT_H_

#include "storage/revision.h"

namespace syncagent {

class Clock;
class DocumentRows;
class HybridLogicalClock;
class OutboxRows;
class RandomIdGenerator;
class SeqAllocator;
class SqliteDb;

struct StoreContext {
  SqliteDb* db = nullptr;
  Clock* clock = nullptr;
  HybridLogicalClock* hlc = nullptr;
  RandomIdGenerator* ids = nullptr;
  DocumentRows* docs = nullptr;
  OutboxRows* outbox = nullptr;
  SeqAllocator* seqs = nullptr;
  const RevisionComparator* revisions = nullptr;  // orders server revisions (OrderRevisions)
  const WriteBackRule* write_back = nullptr;       // may point to a null rule: never
};

}  // namespace syncagent

#endif  // SYNCAGENT_STORAGE_STORE_CONTEXT_H_
