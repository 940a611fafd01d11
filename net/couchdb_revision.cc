#include "net/couchdb_revision.h"

#include <openssl/evp.h>

#include <algorithm>
#include <charconv>

namespace syncagent::couchdb {

std::optional<Revision> ParseRevision(std::string_view text) {
  const size_t dash = text.find('-');
  if (dash == std::string_view::npos || dash == 0 || dash > 18 || dash + 1 == text.size()) {
    return std::nullopt;
  }
  const std::string_view digits = text.substr(0, dash);
  if (digits[0] == '0') return std::nullopt;
  Revision rev;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(),
                                         rev.generation);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  const std::string_view hash = text.substr(dash + 1);
  const bool printable = std::all_of(hash.begin(), hash.end(), [](char c) {
    return static_cast<unsigned char>(c) > 0x20 && static_cast<unsigned char>(c) < 0x7F &&
           c != '|';
  });
  if (!printable) return std::nullopt;
  rev.hash = std::string(hash);
  return rev;
}

std::string EncodeLeafToken(std::string_view on, const std::vector<std::string>& others) {
  std::string token(on);
  for (const std::string& other : others) token += "|" + other;
  return token;
}

LeafToken ParseLeafToken(std::string_view token) {
  LeafToken out;
  size_t start = 0;
  for (;;) {
    const size_t bar = token.find('|', start);
    const std::string_view part = token.substr(start, bar == std::string_view::npos
                                                          ? std::string_view::npos
                                                          : bar - start);
    if (!ParseRevision(part)) return LeafToken{std::string(token), {}};
    (start == 0 ? out.on : out.others.emplace_back()) = std::string(part);
    if (bar == std::string_view::npos) return out;
    start = bar + 1;
  }
}

RevisionOrder CompareRevisions(std::string_view local_token, std::string_view remote_token) {
  if (local_token == remote_token) return RevisionOrder::kSame;
  const std::string local = ParseLeafToken(local_token).on;
  const std::string remote = ParseLeafToken(remote_token).on;
  if (local == remote) return RevisionOrder::kSame;
  const std::optional<Revision> a = ParseRevision(local);
  const std::optional<Revision> b = ParseRevision(remote);
  if (!a || !b || a->generation == b->generation) return RevisionOrder::kDiverged;
  return a->generation < b->generation ? RevisionOrder::kRemoteNewer : RevisionOrder::kLocalNewer;
}

int CompareForWinner(const Revision& a, const Revision& b) {
  if (a.generation != b.generation) return a.generation < b.generation ? -1 : 1;
  const int by_hash = a.hash.compare(b.hash);
  return by_hash < 0 ? -1 : (by_hash > 0 ? 1 : 0);
}

std::string Md5Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  // EVP_Digest only fails on allocation failure; an empty digest then makes no valid revision.
  if (EVP_Digest(data.data(), data.size(), digest, &size, EVP_md5(), nullptr) != 1) return "";
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(size * 2);
  for (unsigned int i = 0; i < size; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0x0F];
  }
  return hex;
}

StatusOr<std::string> CanonicalText(const nlohmann::json& body) {
  try {
    // nlohmann::json keeps object members sorted by key: dump() is canonical.
    return body.dump();
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgumentError(std::string("document body cannot be serialised: ") + e.what());
  }
}

StatusOr<std::string> NextRevision(std::string_view parent_rev, const nlohmann::json& body) {
  SYNCAGENT_ASSIGN_OR_RETURN(const std::string serialized, CanonicalText(body));
  return NextRevisionOfText(parent_rev, serialized);
}

StatusOr<std::string> NextRevisionOfText(std::string_view parent_rev,
                                         std::string_view serialized_body) {
  uint64_t generation = 1;
  if (!parent_rev.empty()) {
    const std::optional<Revision> parent = ParseRevision(parent_rev);
    if (!parent) {
      return InvalidArgumentError("parent revision \"" + std::string(parent_rev) +
                                  "\" is not a CouchDB revision (N-hash)");
    }
    generation = parent->generation + 1;
  }
  std::string canonical;
  canonical.reserve(17 + parent_rev.size() + serialized_body.size());
  canonical.append("syncagent-rev/1\n").append(parent_rev).append("\n").append(serialized_body);
  const std::string hash = Md5Hex(canonical);
  if (hash.empty()) return InternalError("MD5 failed");
  return std::to_string(generation) + "-" + hash;
}

StatusOr<std::string> TombstoneRevision(std::string_view leaf, std::string_view id) {
  return NextRevision(leaf, {{"_deleted", true}, {"_id", std::string(id)}});
}

nlohmann::json RevisionsField(std::string_view rev, std::string_view parent_rev) {
  const std::optional<Revision> self = ParseRevision(rev);
  if (!self) return nullptr;
  nlohmann::json ids = nlohmann::json::array({self->hash});
  const std::optional<Revision> parent = ParseRevision(parent_rev);
  if (parent && parent->generation + 1 == self->generation) ids.push_back(parent->hash);
  return {{"start", self->generation}, {"ids", std::move(ids)}};
}

}  // namespace syncagent::couchdb
