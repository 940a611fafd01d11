// LiveQueries: the registered watches of one agent (Agent::Watch) — each a collection, a query
// and the app's callback — and how one is brought up to date: re-run its query and call back
// only when the result differs from the one it last delivered (coalesced).
//
// A watch's callback runs under the watch's own (recursive) mutex, which Remove also takes: so
// once Remove returns, the callback is not running and never runs again. Remove from inside the
// watch's own callback does not wait (the thread already holds the mutex); the callback returns
// as usual.
//
// Thread safety: every method may be called from any thread. Evaluate must not be called for
// one watch from two threads at once (ChangeDispatcher has one delivering thread at a time).
#ifndef SYNCAGENT_AGENT_LIVE_QUERIES_H_
#define SYNCAGENT_AGENT_LIVE_QUERIES_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "storage/query/query_spec.h"
#include "storage/store_types.h"
#include "syncagent/status.h"

namespace syncagent {

// Runs a query against the store (Store::Query).
using QueryFn = std::function<StatusOr<query::QueryResult>(std::string_view collection,
                                                           const query::QuerySpec& spec)>;
// Called with the watch's id and its new result, or the error that re-running it met (the
// watch stays; the next change re-runs it).
using WatchFn = std::function<void(int64_t watch_id, const StatusOr<query::QueryResult>& result)>;

class LiveQueries {
 public:
  struct Watch;  // one registered watch (live_queries.cc)

  LiveQueries();
  ~LiveQueries();
  LiveQueries(const LiveQueries&) = delete;
  LiveQueries& operator=(const LiveQueries&) = delete;

  // Registers a watch, due for its first evaluation; returns its id (1, 2, ...).
  int64_t Add(std::string collection, query::QuerySpec spec, WatchFn fn);
  // kNotFound for an id that is not registered (never returned by Add, or already removed).
  // Waits for the watch's running callback, unless called from it.
  Status Remove(int64_t id);
  // Removes every watch (as Remove each).
  void RemoveAll();

  // Marks the watches of the collections in `keys` due. Returns true when any watch is due.
  bool MarkTouched(const std::set<DocumentKey>& keys);
  bool AnyDue() const;
  // The due watches, no longer marked due.
  std::vector<std::shared_ptr<Watch>> TakeDue();
  // Re-runs the watch's query with `query` and calls back when the result changed (or failed).
  // A watch removed meanwhile is skipped.
  static void Evaluate(Watch& watch, const QueryFn& query);

 private:
  mutable std::mutex mu_;
  int64_t next_id_ = 1;
  std::map<int64_t, std::shared_ptr<Watch>> watches_;
};

// Same rows (key, rev, sync state, data) in the same order, and the same bookmark.
bool SameQueryResult(const query::QueryResult& a, const query::QueryResult& b);

}  // namespace syncagent

#endif  // SYNCAGENT_AGENT_LIVE_QUERIES_H_
