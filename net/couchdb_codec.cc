#include "net/couchdb_codec.h"

#include <algorithm>
#include <set>
#include <utility>

#include "common/json_limits.h"
#include "net/couchdb_revision.h"
#include "net/wire_json.h"

namespace syncagent::couchdb {
namespace {

using nlohmann::json;
using wire::FieldError;
using wire::IndexPath;
using wire::ObjectReader;

constexpr std::string_view kChanges = "_changes answer";
constexpr std::string_view kBulkDocs = "_bulk_docs answer";
constexpr std::string_view kRevsDiff = "_revs_diff answer";
constexpr std::string_view kAllDocs = "_all_docs answer";

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

std::string Quoted(std::string_view text) {
  return json(std::string(text)).dump(-1, ' ', false, json::error_handler_t::replace);
}

Status Malformed(std::string_view what, const std::string& message) {
  return Status(StatusCode::kDataLoss, std::string(what) + ": " + message, RetryClass::kTransient);
}

// A member that must be a CouchDB revision.
StatusOr<std::string> ReadRevision(const ObjectReader& reader, const char* name) {
  SYNCAGENT_ASSIGN_OR_RETURN(std::string rev, reader.String(name));
  if (!ParseRevision(rev)) {
    return FieldError(reader.what(), reader.Path(name), "a revision (N-hash)", reader.Find(name));
  }
  return rev;
}

// A sequence (a row's seq, the page's last_seq): an integer >= 0 or a non-empty string, kept
// as its JSON text.
StatusOr<std::string> ReadSequence(const ObjectReader& reader, const char* name) {
  const json* v = reader.Find(name);
  const bool integer = v && v->is_number_integer() && v->get<int64_t>() >= 0;
  const bool text = v && v->is_string() && !v->get_ref<const std::string&>().empty();
  if (!integer && !text) {
    return FieldError(reader.what(), reader.Path(name), "an integer >= 0 or a non-empty string", v);
  }
  return v->dump();
}

StatusOr<std::vector<std::string>> ReadConflicts(const ObjectReader& reader) {
  std::vector<std::string> conflicts;
  const json* v = reader.Find("_conflicts");
  if (v == nullptr) return conflicts;
  if (!v->is_array()) return FieldError(reader.what(), reader.Path("_conflicts"), "an array", v);
  for (size_t i = 0; i < v->size(); ++i) {
    const json& rev = (*v)[i];
    if (!rev.is_string() || !ParseRevision(rev.get_ref<const std::string&>())) {
      return FieldError(reader.what(), IndexPath(reader.Path("_conflicts"), i),
                        "a revision (N-hash)", &rev);
    }
    conflicts.push_back(rev.get<std::string>());
  }
  return conflicts;
}

// changes: [{"rev": "..."}, ...], at least one.
StatusOr<std::vector<std::string>> ReadChangeRevisions(const ObjectReader& row) {
  const json* changes = row.Find("changes");
  if (changes == nullptr || !changes->is_array() || changes->empty()) {
    return FieldError(row.what(), row.Path("changes"), "a non-empty array", changes);
  }
  std::vector<std::string> revs;
  for (size_t i = 0; i < changes->size(); ++i) {
    const json& change = (*changes)[i];
    const std::string path = IndexPath(row.Path("changes"), i);
    if (!change.is_object()) return FieldError(row.what(), path, "an object", &change);
    SYNCAGENT_ASSIGN_OR_RETURN(std::string rev,
                               ReadRevision(ObjectReader(row.what(), path, change), "rev"));
    revs.push_back(std::move(rev));
  }
  return revs;
}

// The row's doc (include_docs): an object for the row's id, deleted as the row is, at one of the
// row's revisions.
// Its data members are moved out of `row` (a page's document is read once).
Status ReadRowDocument(const ObjectReader& reader, json& row, ChangeRow* out) {
  const auto found = row.find("doc");
  if (found == row.end() || found->is_null()) return Status::Ok();
  json* doc = &*found;
  SYNCAGENT_ASSIGN_OR_RETURN(DocumentParts parts,
                             SplitDocument(std::move(*doc), reader.what(), reader.Path("doc")));
  if (parts.id != out->id) {
    return FieldError(reader.what(), reader.Path("doc") + "._id", Quoted(out->id),
                      &doc->at("_id"));
  }
  if (parts.deleted != out->deleted) {
    return FieldError(reader.what(), reader.Path("doc") + "._deleted",
                      out->deleted ? "true, as the row is deleted" : "absent or false",
                      doc->contains("_deleted") ? &doc->at("_deleted") : nullptr);
  }
  if (std::find(out->revs.begin(), out->revs.end(), parts.rev) == out->revs.end()) {
    return FieldError(reader.what(), reader.Path("doc") + "._rev", "one of the row's changes",
                      &doc->at("_rev"));
  }
  out->doc = std::move(parts);
  return Status::Ok();
}

StatusOr<ChangeRow> ReadChangeRow(json& row, const std::string& path, bool too_deep) {
  if (!row.is_object()) return FieldError(kChanges, path, "an object", &row);
  ObjectReader reader(kChanges, path, row);
  ChangeRow out;
  SYNCAGENT_ASSIGN_OR_RETURN(out.id, reader.String("id"));
  SYNCAGENT_ASSIGN_OR_RETURN(out.revs, ReadChangeRevisions(reader));
  SYNCAGENT_ASSIGN_OR_RETURN(out.seq, ReadSequence(reader, "seq"));
  SYNCAGENT_ASSIGN_OR_RETURN(out.deleted, reader.OptionalBool("deleted", false));
  if (too_deep) {
    out.unusable = "nested deeper than " + std::to_string(kMaxDocumentDepth) + " levels";
    return out;
  }
  SYNCAGENT_RETURN_IF_ERROR(ReadRowDocument(reader, row, &out));
  return out;
}

StatusOr<BulkDocsEntry> ReadBulkDocsEntry(const json& entry, const std::string& path) {
  if (!entry.is_object()) return FieldError(kBulkDocs, path, "an object", &entry);
  ObjectReader reader(kBulkDocs, path, entry);
  BulkDocsEntry out;
  SYNCAGENT_ASSIGN_OR_RETURN(out.id, reader.String("id"));
  if (reader.Find("error") != nullptr) {
    SYNCAGENT_ASSIGN_OR_RETURN(out.error, reader.String("error"));
    SYNCAGENT_ASSIGN_OR_RETURN(std::string reason, reader.OptionalString("reason"));
    out.error = wire::ServerText(std::move(out.error));
    out.reason = wire::ServerText(std::move(reason));
    return out;
  }
  const json* ok = reader.Find("ok");
  if (ok == nullptr || *ok != true) {
    return FieldError(kBulkDocs, reader.Path("ok"), "true (or an error member)", ok);
  }
  out.ok = true;
  SYNCAGENT_ASSIGN_OR_RETURN(out.rev, ReadRevision(reader, "rev"));
  return out;
}

StatusOr<DocumentState> ReadAllDocsRow(const json& row, const std::string& path,
                                       const std::string& id) {
  if (!row.is_object()) return FieldError(kAllDocs, path, "an object", &row);
  ObjectReader reader(kAllDocs, path, row);
  SYNCAGENT_ASSIGN_OR_RETURN(std::string key, reader.String("key"));
  if (key != id) return FieldError(kAllDocs, reader.Path("key"), Quoted(id), reader.Find("key"));
  DocumentState state;
  if (const json* error = reader.Find("error")) {
    if (*error != "not_found") {
      return FieldError(kAllDocs, reader.Path("error"), "\"not_found\"", error);
    }
    return state;
  }
  const json* value = reader.Find("value");
  if (value == nullptr || !value->is_object()) {
    return FieldError(kAllDocs, reader.Path("value"), "an object", value);
  }
  ObjectReader value_reader(kAllDocs, reader.Path("value"), *value);
  state.exists = true;
  SYNCAGENT_ASSIGN_OR_RETURN(state.rev, ReadRevision(value_reader, "rev"));
  SYNCAGENT_ASSIGN_OR_RETURN(state.deleted, value_reader.OptionalBool("deleted", false));
  const json* doc = reader.Find("doc");
  if (state.deleted || doc == nullptr || doc->is_null()) return state;
  SYNCAGENT_ASSIGN_OR_RETURN(DocumentParts parts, SplitDocument(*doc, kAllDocs, reader.Path("doc")));
  if (parts.id != id || parts.rev != state.rev || parts.deleted) {
    return FieldError(kAllDocs, reader.Path("doc"),
                      "the live document " + Quoted(id) + " at " + state.rev, doc);
  }
  state.doc = std::move(parts);
  return state;
}

}  // namespace

IdKind ClassifyId(std::string_view id) {
  if (StartsWith(id, "_design/")) return IdKind::kDesign;
  if (StartsWith(id, "_local/")) return IdKind::kLocal;
  if (StartsWith(id, "_")) return IdKind::kReserved;
  return IdKind::kData;
}

StatusOr<std::string> DocumentIdOf(std::string_view key) {
  if (key.empty()) return InvalidArgumentError("key \"\": a CouchDB document id cannot be empty");
  if (key[0] == '_') {
    return InvalidArgumentError("key " + Quoted(key) +
                                ": a CouchDB document id cannot start with '_' (CouchDB reserves "
                                "those ids)");
  }
  return std::string(key);
}

Status CheckWritableData(const json& data) {
  if (!data.is_object()) return InvalidArgumentError("data: expected a JSON object");
  for (const auto& [name, value] : data.items()) {
    if (!name.empty() && name[0] == '_') {
      return InvalidArgumentError(
          "field " + Quoted(name) +
          ": a document synced with CouchDB cannot have top-level fields whose names start "
          "with '_' (CouchDB reserves them)");
    }
  }
  return Status::Ok();
}

namespace {

// SplitDocument's members other than data.
StatusOr<DocumentParts> ReadParts(const json& doc, std::string_view what,
                                  const std::string& path) {
  if (!doc.is_object()) return FieldError(what, path, "an object", &doc);
  ObjectReader reader(what, path, doc);
  DocumentParts parts;
  SYNCAGENT_ASSIGN_OR_RETURN(parts.id, reader.String("_id"));
  SYNCAGENT_ASSIGN_OR_RETURN(parts.rev, ReadRevision(reader, "_rev"));
  SYNCAGENT_ASSIGN_OR_RETURN(parts.deleted, reader.OptionalBool("_deleted", false));
  SYNCAGENT_ASSIGN_OR_RETURN(parts.conflicts, ReadConflicts(reader));
  if (const json* attachments = reader.Find("_attachments")) {
    if (!attachments->is_object()) {
      return FieldError(what, reader.Path("_attachments"), "an object", attachments);
    }
    parts.attachments = *attachments;
  }
  return parts;
}

bool IsDataMember(const std::string& name) { return name.empty() || name[0] != '_'; }

}  // namespace

StatusOr<DocumentParts> SplitDocument(const json& doc, std::string_view what,
                                      const std::string& path) {
  SYNCAGENT_ASSIGN_OR_RETURN(DocumentParts parts, ReadParts(doc, what, path));
  if (parts.deleted) return parts;
  parts.data = json::object();
  for (const auto& [name, value] : doc.items()) {
    if (IsDataMember(name)) parts.data[name] = value;
  }
  return parts;
}

StatusOr<DocumentParts> SplitDocument(json&& doc, std::string_view what,
                                      const std::string& path) {
  SYNCAGENT_ASSIGN_OR_RETURN(DocumentParts parts, ReadParts(doc, what, path));
  if (parts.deleted) return parts;
  parts.data = json::object();
  for (auto& [name, value] : doc.items()) {
    if (IsDataMember(name)) parts.data[name] = std::move(value);
  }
  return parts;
}

json BuildBody(std::string_view id, const json& data, const json& attachments, bool deleted) {
  json body = deleted ? json::object() : data;
  body["_id"] = std::string(id);
  if (deleted) {
    body["_deleted"] = true;
  } else if (!attachments.is_null()) {
    body["_attachments"] = attachments;
  }
  return body;
}

StatusOr<ChangesPage> ParseChanges(std::string_view body, const CodecLimits& limits) {
  // results[i].doc is nesting level 4: its document may nest kMaxDocumentDepth more.
  std::set<size_t> deep_items;
  SYNCAGENT_ASSIGN_OR_RETURN(json root,
                             ProtocolCodec(limits).ParseReply(body, kChanges, "results", "doc",
                                                              3 + kMaxDocumentDepth, &deep_items));
  if (!root.is_object()) return FieldError(kChanges, "(root)", "an object", &root);
  ObjectReader top(kChanges, "", root);
  if (const json* found = top.Find("results"); found == nullptr || !found->is_array()) {
    return FieldError(kChanges, "results", "an array", found);
  }
  json* results = &root["results"];  // its rows' documents are moved out as they are read
  ChangesPage page;
  SYNCAGENT_ASSIGN_OR_RETURN(page.last_seq, ReadSequence(top, "last_seq"));
  for (size_t i = 0; i < results->size(); ++i) {
    SYNCAGENT_ASSIGN_OR_RETURN(
        ChangeRow row, ReadChangeRow((*results)[i], IndexPath("results", i), deep_items.count(i)));
    if (ClassifyId(row.id) != IdKind::kData) {
      ++page.skipped;
      continue;
    }
    page.rows.push_back(std::move(row));
  }
  return page;
}

std::optional<ChangesShape> PeekChanges(std::string_view body) {
  // One pass over the text that tracks strings and nesting only: the top object's members are at
  // depth 1, `results`' rows at depth 2.
  ChangesShape shape;
  int depth = 0;
  bool key_next = false;        // the next string at depth 1 is a member's name
  std::string_view member;      // the depth-1 member whose value is being read
  bool in_results = false, saw_results = false, any_row = false;
  int commas = 0;               // between `results`' rows
  size_t seq_start = std::string_view::npos;
  auto end_seq = [&](size_t end) {
    if (seq_start == std::string_view::npos) return true;
    if (!shape.last_seq.empty()) return false;  // twice
    const json seq = json::parse(body.substr(seq_start, end - seq_start), nullptr, false);
    seq_start = std::string_view::npos;
    if (seq.is_discarded()) return false;
    shape.last_seq = seq.dump();
    return true;
  };
  for (size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (c == '"') {
      size_t j = i + 1;
      while (j < body.size() && body[j] != '"') j += body[j] == '\\' ? 2 : 1;
      if (j >= body.size()) return std::nullopt;
      if (depth == 1 && key_next) {
        member = body.substr(i + 1, j - i - 1);
        key_next = false;
      }
      any_row = any_row || (in_results && depth == 2);
      i = j;
      continue;
    }
    switch (c) {
      case '{':
      case '[':
        any_row = any_row || (in_results && depth == 2);
        if (depth == 0 && c != '{') return std::nullopt;
        if (depth == 1 && member == "results" && c == '[') {
          if (saw_results) return std::nullopt;  // twice
          in_results = saw_results = true;
        }
        key_next = depth == 0;
        ++depth;
        break;
      case '}':
      case ']':
        if (--depth < 0) return std::nullopt;
        if (depth == 1) in_results = false;
        if (depth == 0 && !end_seq(i)) return std::nullopt;
        if (depth == 0) {
          shape.rows = any_row ? commas + 1 : 0;
          if (!saw_results || shape.last_seq.empty()) return std::nullopt;
          return shape;
        }
        break;
      case ',':
        if (depth == 1 && !end_seq(i)) return std::nullopt;
        key_next = depth == 1;
        commas += in_results && depth == 2;
        break;
      case ':':
        if (depth == 1 && member == "last_seq") seq_start = i + 1;
        break;
      default:
        any_row = any_row || (in_results && depth == 2 && c != ' ' && c != '\n' && c != '\r' &&
                              c != '\t');
        break;
    }
  }
  return std::nullopt;  // the object never closed
}

StatusOr<std::string> SinceValue(std::string_view last_seq) {
  if (last_seq.empty()) return std::string("0");
  const json seq = json::parse(last_seq.begin(), last_seq.end(), nullptr, false);
  if (seq.is_number_integer() && seq.get<int64_t>() >= 0) return seq.dump();
  if (seq.is_string() && !seq.get_ref<const std::string&>().empty()) return seq.get<std::string>();
  return InvalidArgumentError("stored last_seq " + Quoted(last_seq) +
                              " is neither an integer nor a string in JSON");
}

StatusOr<std::vector<RemoteChange>> ToRemoteChanges(std::string_view collection,
                                                    const ChangesPage& page) {
  std::vector<RemoteChange> changes;
  changes.reserve(page.rows.size());
  for (const ChangeRow& row : page.rows) {
    RemoteChange change;
    change.collection = std::string(collection);
    change.key = row.id;
    change.rev = row.doc ? row.doc->rev : row.revs.front();
    if (!row.unusable.empty()) {
      change.unusable = row.unusable;
    } else if (row.doc && !row.doc->deleted) {
      // The text checked for the document limits is the text the store keeps (data_text): the
      // document is serialised once, and the store neither walks nor serialises it again.
      std::string text = row.doc->data.dump();
      change.unusable = DocumentTextProblem(text);
      if (change.unusable.empty()) change.data_text = std::move(text);
    } else if (row.deleted) {
      change.deleted = true;
    } else {
      return Malformed(kChanges, "the row of " + Quoted(row.id) +
                                     " has no doc (the page was not asked with include_docs)");
    }
    changes.push_back(std::move(change));
  }
  return changes;
}

StatusOr<std::vector<DocumentState>> ParseAllDocs(std::string_view body,
                                                  const std::vector<std::string>& ids,
                                                  const CodecLimits& limits) {
  std::set<size_t> deep_items;
  SYNCAGENT_ASSIGN_OR_RETURN(json root,
                             ProtocolCodec(limits).ParseReply(body, kAllDocs, "rows", "doc",
                                                              3 + kMaxDocumentDepth, &deep_items));
  if (!root.is_object()) return FieldError(kAllDocs, "(root)", "an object", &root);
  const json* rows = ObjectReader(kAllDocs, "", root).Find("rows");
  if (rows == nullptr || !rows->is_array() || rows->size() != ids.size()) {
    return FieldError(kAllDocs, "rows", "an array of " + std::to_string(ids.size()) + " rows",
                      rows);
  }
  std::vector<DocumentState> states;
  for (size_t i = 0; i < ids.size(); ++i) {
    SYNCAGENT_ASSIGN_OR_RETURN(DocumentState state,
                               ReadAllDocsRow((*rows)[i], IndexPath("rows", i), ids[i]));
    if (deep_items.count(i) > 0 && state.exists && !state.deleted) {
      // Its body was dropped while parsing: the document is there, but not usable.
      state.unusable = "nested deeper than " + std::to_string(kMaxDocumentDepth) + " levels";
    }
    states.push_back(std::move(state));
  }
  return states;
}

RemoteChange ToRemoteChange(std::string_view collection, std::string_view key,
                            const DocumentState& state) {
  RemoteChange change;
  change.collection = std::string(collection);
  change.key = std::string(key);
  if (!state.exists) return change;
  change.rev = state.rev;
  if (state.deleted) {
    change.deleted = true;
    return change;
  }
  if (!state.doc) {
    change.unusable = state.unusable.empty() ? "the server sent no body for it" : state.unusable;
    return change;
  }
  change.data = state.doc->data;
  change.unusable = DocumentTextProblem(change.data.dump());
  if (!change.unusable.empty()) change.data = nullptr;
  return change;
}

StatusOr<std::vector<std::optional<BulkDocsEntry>>> ParseBulkDocs(
    std::string_view body, const std::vector<std::string>& sent_ids, bool new_edits) {
  SYNCAGENT_ASSIGN_OR_RETURN(json root, ProtocolCodec().ParseJson(body, kBulkDocs));
  const std::string expected =
      new_edits ? "an array of " + std::to_string(sent_ids.size()) + " entries" : "an array";
  if (!root.is_array() || (new_edits && root.size() != sent_ids.size())) {
    return FieldError(kBulkDocs, "(root)", expected, &root);
  }
  std::vector<std::optional<BulkDocsEntry>> entries(sent_ids.size());
  for (size_t i = 0; i < root.size(); ++i) {
    const std::string path = IndexPath("", i);
    SYNCAGENT_ASSIGN_OR_RETURN(BulkDocsEntry entry, ReadBulkDocsEntry(root[i], path));
    size_t slot = i;
    if (!new_edits) {
      slot = 0;
      while (slot < sent_ids.size() && (sent_ids[slot] != entry.id || entries[slot])) ++slot;
    }
    if (slot >= sent_ids.size() || sent_ids[slot] != entry.id) {
      return FieldError(kBulkDocs, path + ".id",
                        new_edits ? Quoted(sent_ids[i]) : "an id sent once and answered once",
                        &root[i].at("id"));
    }
    entries[slot] = std::move(entry);
  }
  return entries;
}

std::string EncodeRevsDiff(const std::map<std::string, std::vector<std::string>>& revs) {
  json request = json::object();
  for (const auto& [id, list] : revs) request[id] = list;
  return request.dump();
}

StatusOr<std::map<std::string, std::vector<std::string>>> ParseRevsDiff(
    std::string_view body, const std::map<std::string, std::vector<std::string>>& asked) {
  SYNCAGENT_ASSIGN_OR_RETURN(json root, ProtocolCodec().ParseJson(body, kRevsDiff));
  if (!root.is_object()) return FieldError(kRevsDiff, "(root)", "an object", &root);
  std::map<std::string, std::vector<std::string>> missing;
  for (const auto& [id, entry] : root.items()) {
    auto it = asked.find(id);
    if (it == asked.end()) return Malformed(kRevsDiff, Quoted(id) + ": an id that was not asked");
    const std::string path = Quoted(id) + ".missing";
    const json* list = entry.is_object() && entry.contains("missing") ? &entry["missing"] : nullptr;
    if (list == nullptr || !list->is_array()) {
      return FieldError(kRevsDiff, path, "an array", list);
    }
    for (size_t i = 0; i < list->size(); ++i) {
      const json& rev = (*list)[i];
      if (!rev.is_string() ||
          std::find(it->second.begin(), it->second.end(), rev.get<std::string>()) ==
              it->second.end()) {
        return FieldError(kRevsDiff, IndexPath(path, i), "a revision that was asked", &rev);
      }
      missing[id].push_back(rev.get<std::string>());
    }
  }
  return missing;
}

}  // namespace syncagent::couchdb
