// storage.indexes (config/index_list.h): parsed into AgentConfig, every problem reported with the
// JSON path of the offending item.
#include "config/index_list.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config.h"
#include "tests/config/config_test_util.h"

namespace syncagent {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing_config::Errors;
using testing_config::TestOptions;
using testing_config::With;
using Json = nlohmann::ordered_json;

TEST(IndexListTest, ParsesIntoTheStorageConfig) {
  const Json doc = With("storage.indexes", Json::parse(R"([
      {"collection": "notes", "fields": ["done", "updated"]},
      {"collection": "tasks", "fields": ["owner.name"]}])"));
  auto config = ParseConfig(doc.dump(), TestOptions());
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  ASSERT_EQ(config->storage.indexes.size(), 2u);
  EXPECT_EQ(config->storage.indexes[0], (IndexConfig{"notes", {"done", "updated"}}));
  EXPECT_EQ(config->storage.indexes[1], (IndexConfig{"tasks", {"owner.name"}}));
  EXPECT_THAT(Errors(With("storage.indexes", Json::array())), IsEmpty());
}

TEST(IndexListTest, ErrorsNameTheItem) {
  EXPECT_THAT(Errors(With("storage.indexes", Json::parse(R"([{"collection": "notes"}])"))),
              ElementsAre("storage.indexes[0]: an index needs both \"collection\" and \"fields\""));
  EXPECT_THAT(
      Errors(With("storage.indexes",
                  Json::parse(R"([{"collection": "no tes", "fields": ["a..b", 3], "x": 1}])"))),
      ElementsAre("storage.indexes[0].x: unknown key; expected collection or fields",
                  "storage.indexes[0].collection: expected a collection name: 1 to 64 letters, "
                  "digits, '_', '.' or '-'",
                  "storage.indexes[0].fields[0]: field name \"a..b\" has an empty part",
                  "storage.indexes[0].fields[1]: expected a field name (a string)"));
  EXPECT_THAT(Errors(With("storage.indexes", Json::parse(R"([{"collection": "n", "fields": []}])"))),
              ElementsAre("storage.indexes[0].fields: expected an array of 1 to 8 field names"));
  EXPECT_THAT(
      Errors(With("storage.indexes", Json::parse(R"([{"collection": "n", "fields": ["a", "a"]}])"))),
      ElementsAre("storage.indexes[0].fields[1]: the field \"a\" is listed twice"));
  EXPECT_THAT(Errors(With("storage.indexes", Json::parse(R"([{"collection": "n", "fields": ["a"]},
                                                              {"collection": "n", "fields": ["a"]}])"))),
              ElementsAre("storage.indexes[1]: duplicate of storage.indexes[0]"));
  EXPECT_THAT(Errors(With("storage.indexes", Json::parse(R"([1])"))),
              ElementsAre("storage.indexes[0]: expected an object {\"collection\": ..., "
                          "\"fields\": [...]}"));
}

TEST(IndexListTest, SchemaDescribesTheItems) {
  const nlohmann::json schema = config_internal::IndexListSchema("^x$");
  EXPECT_EQ(schema["type"], "array");
  EXPECT_EQ(schema["items"]["required"], nlohmann::json({"collection", "fields"}));
  EXPECT_EQ(schema["items"]["properties"]["collection"]["pattern"], "^x$");
  EXPECT_EQ(schema["items"]["properties"]["fields"]["maxItems"], 8);
}

}  // namespace
}  // namespace syncagent
