#include "agent/live_queries.h"

#include <utility>

namespace syncagent {

struct LiveQueries::Watch {
  int64_t id = 0;
  std::string collection;
  query::QuerySpec spec;
  bool due = true;  // guarded by LiveQueries::mu_
  // Held while the callback runs; guards fn and last.
  std::recursive_mutex callback_mu;
  WatchFn fn;                              // empty once removed
  std::optional<query::QueryResult> last;  // the result last delivered
};

LiveQueries::LiveQueries() = default;
LiveQueries::~LiveQueries() { RemoveAll(); }

int64_t LiveQueries::Add(std::string collection, query::QuerySpec spec, WatchFn fn) {
  auto watch = std::make_shared<Watch>();
  watch->collection = std::move(collection);
  watch->spec = std::move(spec);
  watch->fn = std::move(fn);
  std::lock_guard<std::mutex> lock(mu_);
  watch->id = next_id_++;
  watches_[watch->id] = watch;
  return watch->id;
}

Status LiveQueries::Remove(int64_t id) {
  std::shared_ptr<Watch> watch;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = watches_.find(id);
    if (it == watches_.end()) {
      return NotFoundError("watch " + std::to_string(id) +
                           ": no such watch (never returned by Watch, or already unwatched)");
    }
    watch = std::move(it->second);
    watches_.erase(it);
  }
  std::lock_guard<std::recursive_mutex> lock(watch->callback_mu);  // waits for a running callback
  watch->fn = nullptr;
  return Status::Ok();
}

void LiveQueries::RemoveAll() {
  std::map<int64_t, std::shared_ptr<Watch>> all;
  {
    std::lock_guard<std::mutex> lock(mu_);
    all.swap(watches_);
  }
  for (auto& [id, watch] : all) {
    std::lock_guard<std::recursive_mutex> lock(watch->callback_mu);
    watch->fn = nullptr;
  }
}

bool LiveQueries::MarkTouched(const std::set<DocumentKey>& keys) {
  std::lock_guard<std::mutex> lock(mu_);
  bool any = false;
  for (auto& [id, watch] : watches_) {
    // The keys are sorted by collection first: the first key of the collection is the test.
    auto it = keys.lower_bound(DocumentKey{watch->collection, ""});
    if (it != keys.end() && it->collection == watch->collection) watch->due = true;
    any = any || watch->due;
  }
  return any;
}

bool LiveQueries::AnyDue() const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [id, watch] : watches_) {
    if (watch->due) return true;
  }
  return false;
}

std::vector<std::shared_ptr<LiveQueries::Watch>> LiveQueries::TakeDue() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::shared_ptr<Watch>> due;
  for (auto& [id, watch] : watches_) {
    if (!watch->due) continue;
    watch->due = false;
    due.push_back(watch);
  }
  return due;
}

void LiveQueries::Evaluate(Watch& watch, const QueryFn& query) {
  std::lock_guard<std::recursive_mutex> lock(watch.callback_mu);
  if (!watch.fn) return;  // removed since it was taken
  StatusOr<query::QueryResult> result = query(watch.collection, watch.spec);
  if (result.ok()) {
    if (watch.last && SameQueryResult(*watch.last, *result)) return;  // nothing the app sees
    watch.last = *result;
  } else {
    watch.last.reset();  // the next good result is delivered whatever it is
  }
  const WatchFn fn = watch.fn;  // a copy: the callback may remove its own watch
  try {
    fn(watch.id, result);
  } catch (...) {
    // The app's exception must not unwind through the delivery; the call is dropped.
  }
}

bool SameQueryResult(const query::QueryResult& a, const query::QueryResult& b) {
  if (a.bookmark != b.bookmark || a.rows.size() != b.rows.size()) return false;
  for (size_t i = 0; i < a.rows.size(); ++i) {
    const query::QueryRow& x = a.rows[i];
    const query::QueryRow& y = b.rows[i];
    if (x.key != y.key || x.rev != y.rev || x.sync_state != y.sync_state || x.data != y.data) {
      return false;
    }
  }
  return true;
}

}  // namespace syncagent
