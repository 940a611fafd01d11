#include "net/couchdb_conflicts.h"

#include <algorithm>
#include <set>

#include "common/json_limits.h"
#include "net/wire_json.h"

namespace syncagent::couchdb {
namespace {

using nlohmann::json;
using wire::FieldError;
using wire::IndexPath;
using wire::ObjectReader;

constexpr std::string_view kBulkGet = "_bulk_get answer";

// _revisions {"start": N, "ids": [newest, ...]} as revisions, newest first; empty when absent.
StatusOr<std::vector<std::string>> ReadHistory(const ObjectReader& doc) {
  std::vector<std::string> history;
  const json* revisions = doc.Find("_revisions");
  if (revisions == nullptr) return history;
  const std::string path = doc.Path("_revisions");
  if (!revisions->is_object()) return FieldError(kBulkGet, path, "an object", revisions);
  const ObjectReader reader(kBulkGet, path, *revisions);
  SYNCAGENT_ASSIGN_OR_RETURN(int64_t start, reader.Integer("start", 1));
  const json* ids = reader.Find("ids");
  if (ids == nullptr || !ids->is_array() || static_cast<int64_t>(ids->size()) > start) {
    return FieldError(kBulkGet, reader.Path("ids"), "an array of at most start ids", ids);
  }
  for (size_t i = 0; i < ids->size(); ++i) {
    const json& id = (*ids)[i];
    const std::string rev = id.is_string()
                                ? std::to_string(start - static_cast<int64_t>(i)) + "-" +
                                      id.get<std::string>()
                                : "";
    if (!ParseRevision(rev)) return FieldError(kBulkGet, IndexPath(reader.Path("ids"), i),
                                               "a revision hash", &id);
    history.push_back(rev);
  }
  return history;
}

// One entry of a result's docs: the live document of an {"ok": doc} entry, else nullopt.
StatusOr<std::optional<RevisionBody>> ReadBulkGetEntry(const json& entry,
                                                       const std::string& path) {
  if (!entry.is_object()) return FieldError(kBulkGet, path, "an object", &entry);
  const ObjectReader reader(kBulkGet, path, entry);
  const json* ok = reader.Find("ok");
  if (ok == nullptr) {
    if (reader.Find("missing") == nullptr && reader.Find("error") == nullptr) {
      return FieldError(kBulkGet, path, "an ok, missing or error member", &entry);
    }
    return std::optional<RevisionBody>();
  }
  RevisionBody body;
  SYNCAGENT_ASSIGN_OR_RETURN(body.doc, SplitDocument(*ok, kBulkGet, reader.Path("ok")));
  SYNCAGENT_ASSIGN_OR_RETURN(body.history,
                             ReadHistory(ObjectReader(kBulkGet, reader.Path("ok"), *ok)));
  if (body.doc.deleted || !DocumentTextProblem(body.doc.data.dump()).empty()) {
    return std::optional<RevisionBody>();
  }
  return std::optional<RevisionBody>(std::move(body));
}

// The leaves of a contested row that `leaves` holds: its winner first, then its losers best
// first; empty when the row is not contested or its winner was not read.
std::vector<const RevisionBody*> ReadLeaves(const ChangeRow& row,
                                            const std::map<RevisionRef, RevisionBody>& leaves) {
  std::vector<const RevisionBody*> found;
  if (!row.doc || row.doc->deleted || row.doc->conflicts.empty()) return found;
  auto winner = leaves.find(RevisionRef(row.id, row.doc->rev));
  if (winner == leaves.end()) return found;
  for (const std::string& rev : row.doc->conflicts) {
    auto it = leaves.find(RevisionRef(row.id, rev));
    if (it != leaves.end()) found.push_back(&it->second);
  }
  std::sort(found.begin(), found.end(), [](const RevisionBody* a, const RevisionBody* b) {
    return CompareForWinner(*ParseRevision(a->doc.rev), *ParseRevision(b->doc.rev)) > 0;
  });
  if (!found.empty()) found.insert(found.begin(), &winner->second);
  return found;
}

}  // namespace

std::string EncodeBulkGet(const std::vector<RevisionRef>& wanted) {
  json docs = json::array();
  for (const auto& [id, rev] : wanted) docs.push_back({{"id", id}, {"rev", rev}});
  return json{{"docs", std::move(docs)}}.dump();
}

StatusOr<std::map<RevisionRef, RevisionBody>> ParseBulkGet(std::string_view body,
                                                           const std::vector<RevisionRef>& wanted,
                                                           const CodecLimits& limits) {
  // results[i].docs[j].ok is nesting level 6: its document may nest kMaxDocumentDepth more.
  std::set<size_t> deep_items;
  SYNCAGENT_ASSIGN_OR_RETURN(json root,
                             ProtocolCodec(limits).ParseReply(body, kBulkGet, "results", "docs",
                                                              5 + kMaxDocumentDepth, &deep_items));
  if (!root.is_object()) return FieldError(kBulkGet, "(root)", "an object", &root);
  const json* results = ObjectReader(kBulkGet, "", root).Find("results");
  if (results == nullptr || !results->is_array()) {
    return FieldError(kBulkGet, "results", "an array", results);
  }
  const std::set<RevisionRef> asked(wanted.begin(), wanted.end());
  std::map<RevisionRef, RevisionBody> found;
  for (size_t i = 0; i < results->size(); ++i) {
    const std::string path = IndexPath("results", i);
    const json& result = (*results)[i];
    if (!result.is_object()) return FieldError(kBulkGet, path, "an object", &result);
    const ObjectReader reader(kBulkGet, path, result);
    SYNCAGENT_ASSIGN_OR_RETURN(std::string id, reader.String("id"));
    const json* docs = reader.Find("docs");
    if (docs == nullptr || !docs->is_array()) {
      return FieldError(kBulkGet, reader.Path("docs"), "an array", docs);
    }
    if (deep_items.count(i) > 0) continue;  // its bodies were dropped while parsing
    for (size_t j = 0; j < docs->size(); ++j) {
      SYNCAGENT_ASSIGN_OR_RETURN(std::optional<RevisionBody> doc,
                                 ReadBulkGetEntry((*docs)[j], IndexPath(reader.Path("docs"), j)));
      if (!doc) continue;
      if (doc->doc.id != id) {
        return FieldError(kBulkGet, IndexPath(reader.Path("docs"), j) + ".ok._id",
                          "the result's id", &(*docs)[j].at("ok").at("_id"));
      }
      RevisionRef ref{id, doc->doc.rev};
      if (asked.count(ref) > 0) found.emplace(std::move(ref), std::move(*doc));
    }
  }
  return found;
}

std::vector<RevisionRef> LeavesToRead(const ChangesPage& page) {
  std::vector<RevisionRef> leaves;
  for (const ChangeRow& row : page.rows) {
    if (!row.doc || row.doc->deleted || row.doc->conflicts.empty()) continue;
    leaves.emplace_back(row.id, row.doc->rev);
    for (const std::string& rev : row.doc->conflicts) leaves.emplace_back(row.id, rev);
  }
  return leaves;
}

std::optional<std::string> CommonAncestor(const std::vector<const RevisionBody*>& leaves) {
  if (leaves.empty() || leaves[0]->history.empty()) return std::nullopt;
  // The first history's revisions, newest first: the first one all the others hold.
  for (const std::string& rev : leaves[0]->history) {
    const bool shared = std::all_of(leaves.begin() + 1, leaves.end(), [&rev](const RevisionBody* b) {
      return std::find(b->history.begin(), b->history.end(), rev) != b->history.end();
    });
    if (shared) return rev;
  }
  return std::nullopt;
}

std::vector<RevisionRef> AncestorsToRead(const ChangesPage& page,
                                         const std::map<RevisionRef, RevisionBody>& leaves) {
  std::vector<RevisionRef> ancestors;
  for (const ChangeRow& row : page.rows) {
    if (auto ancestor = CommonAncestor(ReadLeaves(row, leaves))) {
      ancestors.emplace_back(row.id, *ancestor);
    }
  }
  return ancestors;
}

void AddRivals(const ChangeRow& row, const std::map<RevisionRef, RevisionBody>& leaves,
               const std::map<RevisionRef, RevisionBody>& ancestors, RemoteChange* change) {
  const std::vector<const RevisionBody*> found = ReadLeaves(row, leaves);
  if (found.size() < 2 || !change->unusable.empty()) return;
  // Each version's token: itself, then every other leaf, in the same order.
  auto token = [&found](size_t self) {
    std::vector<std::string> others;
    for (size_t i = 0; i < found.size(); ++i) {
      if (i != self) others.push_back(found[i]->doc.rev);
    }
    return EncodeLeafToken(found[self]->doc.rev, others);
  };
  change->rev = token(0);
  for (size_t i = 1; i < found.size(); ++i) {
    RemoteChange rival;
    rival.collection = change->collection;
    rival.key = change->key;
    rival.rev = token(i);
    rival.data = found[i]->doc.data;
    change->rivals.push_back(std::move(rival));
  }
  if (auto ancestor = CommonAncestor(found)) {
    auto it = ancestors.find(RevisionRef(row.id, *ancestor));
    if (it != ancestors.end()) {
      change->ancestor_rev = *ancestor;
      change->ancestor_data = it->second.doc.data;
    }
  }
}

bool CoversLiveLeaves(const LeafToken& base, const DocumentState& state) {
  auto named = [&base](const std::string& leaf) {
    return leaf == base.on || std::find(base.others.begin(), base.others.end(), leaf) !=
                                  base.others.end();
  };
  if (!named(state.rev)) return false;
  if (!state.doc) return true;  // no body (too deep): its conflicts are unknown
  return std::all_of(state.doc->conflicts.begin(), state.doc->conflicts.end(), named);
}

}  // namespace syncagent::couchdb
