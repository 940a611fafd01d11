// Bookmarks (storage/query/bookmark.h): round trip, and refusal of anything else.
#include "storage/query/bookmark.h"

#include <gtest/gtest.h>

namespace syncagent::query {
namespace {

std::vector<SortKey> SortBy(const std::string& field, bool descending) {
  return {SortKey{FieldPath{{field}}, descending}};
}

TEST(BookmarkTest, RoundTripsEveryValueType) {
  const std::vector<SortKey> sort = {SortKey{FieldPath{{"a"}}, false},
                                     SortKey{FieldPath{{"b"}}, true}};
  // (rank, value) of a = 2.5, of b = null, then the key.
  const std::vector<SqlValue> two = {int64_t{3}, 2.5, int64_t{0}, SqlValue{}, std::string("k")};
  const std::string bookmark = EncodeBookmark("notes", sort, two);
  auto decoded = DecodeBookmark(bookmark, "notes", sort);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, two);
}

TEST(BookmarkTest, BelongsToItsCollectionAndSort) {
  const std::vector<SqlValue> position = {int64_t{4}, std::string("x"), std::string("k")};
  const std::string bookmark = EncodeBookmark("notes", SortBy("a", false), position);
  EXPECT_TRUE(DecodeBookmark(bookmark, "notes", SortBy("a", false)).ok());
  EXPECT_FALSE(DecodeBookmark(bookmark, "tasks", SortBy("a", false)).ok());
  EXPECT_FALSE(DecodeBookmark(bookmark, "notes", SortBy("a", true)).ok());
  EXPECT_FALSE(DecodeBookmark(bookmark, "notes", {}).ok());
}

TEST(BookmarkTest, RefusesGarbage) {
  for (const std::string& bad : std::vector<std::string>{"", "zz", "abc", "5b5d", std::string(4000, '5') + "b"}) {
    auto decoded = DecodeBookmark(bad, "notes", {});
    ASSERT_FALSE(decoded.ok()) << bad;
    EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(decoded.status().message().rfind("bookmark: ", 0), 0u);
  }
}

}  // namespace
}  // namespace syncagent::query
