// The key table is the single source of truth: the checked-in schema, docs/config.md and the
// defaults of AgentConfig must all agree with it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "config/config.h"
#include "config/key_table.h"
#include "config/text_util.h"
#include "tests/config/config_test_util.h"

namespace syncagent {
namespace {

using config_internal::ConfigKeys;
using config_internal::DocDefault;
using config_internal::DocTypeName;
using config_internal::FindKey;
using config_internal::KeyDescriptor;
using config_internal::KeyType;
using config_internal::ParentPath;
using nlohmann::json;
using ::testing::ElementsAre;

constexpr const char* kSchemaFile = SYNCAGENT_SOURCE_DIR "/config/syncagent.schema.json";
constexpr const char* kDocFile = SYNCAGENT_SOURCE_DIR "/docs/config.md";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string Trim(std::string text) {
  const size_t begin = text.find_first_not_of(' ');
  const size_t end = text.find_last_not_of(' ');
  return begin == std::string::npos ? "" : text.substr(begin, end - begin + 1);
}

TEST(ConfigSchemaTest, CheckedInSchemaIsUpToDate) {
  const std::string expected = ConfigSchemaText();
  if (std::getenv("SYNCAGENT_REGENERATE_SCHEMA") != nullptr) {
    std::ofstream(kSchemaFile, std::ios::binary | std::ios::trunc) << expected;
  }
  EXPECT_EQ(ReadFile(kSchemaFile), expected)
      << "config/syncagent.schema.json is out of date. Regenerate it with\n"
         "  build/bin/config_schema_gen config/syncagent.schema.json\n"
         "or run config_test once with SYNCAGENT_REGENERATE_SCHEMA=1.";
}

TEST(ConfigSchemaTest, SchemaDescribesTheTable) {
  const json schema = GenerateConfigSchema();
  EXPECT_EQ(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
  EXPECT_EQ(schema["type"], "object");
  EXPECT_EQ(schema["additionalProperties"], false);
  EXPECT_EQ(schema["required"], json({"server", "storage"}));
  EXPECT_EQ(schema["properties"]["server"]["required"], json({"base_url"}));
  EXPECT_EQ(schema["properties"]["storage"]["required"], json({"path"}));
  EXPECT_FALSE(schema["properties"]["schedule"].contains("required"));

  const json& interval = schema["properties"]["schedule"]["properties"]["minimum_interval_minutes"];
  EXPECT_EQ(interval["type"], "integer");
  EXPECT_EQ(interval["minimum"], 15);
  EXPECT_EQ(interval["default"], 15);
  EXPECT_FALSE(interval.contains("maximum"));
  const json& token = schema["properties"]["server"]["properties"]["auth"]["properties"]["token"];
  EXPECT_EQ(token["writeOnly"], true);
  EXPECT_FALSE(token.contains("default"));
  const json& policy = schema["properties"]["sync"]["properties"]["conflict"]["properties"];
  EXPECT_EQ(policy["default"]["enum"],
            json({"server_wins", "client_wins", "last_writer_wins", "merge", "manual"}));
  EXPECT_EQ(policy["per_collection"]["additionalProperties"]["enum"], policy["default"]["enum"]);
  EXPECT_EQ(schema["properties"]["sync"]["properties"]["collections"]["uniqueItems"], true);

  // Every key of the table is in the schema, with a description, and objects are closed.
  for (const KeyDescriptor& key : ConfigKeys()) {
    SCOPED_TRACE(key.path);
    std::string pointer;
    std::string_view rest = key.path;
    while (!rest.empty()) {
      const size_t dot = rest.find('.');
      pointer += "/properties/" + std::string(rest.substr(0, dot));
      rest = dot == std::string_view::npos ? std::string_view() : rest.substr(dot + 1);
    }
    const json& node = schema.at(json::json_pointer(pointer));
    EXPECT_EQ(node["description"], key.description);
    if (key.type == KeyType::kObject) {
      EXPECT_EQ(node["additionalProperties"], false);
    }
    if (!key.default_value.is_null()) {
      EXPECT_EQ(node["default"], key.default_value);
    }
  }
}

TEST(ConfigKeyTableTest, TableIsWellFormed) {
  std::set<std::string> paths;
  for (const KeyDescriptor& key : ConfigKeys()) {
    SCOPED_TRACE(key.path);
    EXPECT_TRUE(paths.insert(key.path).second) << "duplicate path";
    const std::string parent(ParentPath(key.path));
    if (!parent.empty()) {
      ASSERT_NE(FindKey(parent), nullptr) << "parent comes first";
      EXPECT_EQ(FindKey(parent)->type, KeyType::kObject);
      EXPECT_TRUE(paths.count(parent)) << "parents are listed before their keys";
    }
    EXPECT_FALSE(key.description.empty());
    EXPECT_EQ(key.description.find('\n'), std::string::npos);
    EXPECT_EQ(key.description.find('|'), std::string::npos) << "breaks the docs table";
    if (key.type == KeyType::kObject) continue;
    ASSERT_TRUE(key.store && key.load);
    EXPECT_FALSE(key.required && !key.default_value.is_null()) << "required keys have no default";
    for (const std::string* pattern : {&key.pattern, &key.value_pattern}) {
      if (pattern->empty()) continue;
      EXPECT_NO_THROW(std::regex(*pattern, std::regex::ECMAScript));
      EXPECT_EQ(pattern->front(), '^');
      EXPECT_EQ(pattern->back(), '$');
    }
    if (!key.pattern.empty()) {
      EXPECT_FALSE(key.pattern_hint.empty());
    }
    if (!key.value_pattern.empty()) {
      EXPECT_FALSE(key.value_pattern_hint.empty());
    }
    const json& d = key.default_value;
    if (key.type == KeyType::kEnum) {
      ASSERT_TRUE(d.is_string());
      EXPECT_THAT(key.enum_values, testing::Contains(d.get<std::string>()));
    }
    if (key.type == KeyType::kInteger) {
      ASSERT_TRUE(d.is_number_integer());
      if (key.minimum) {
        EXPECT_GE(d.get<int64_t>(), *key.minimum);
      }
      if (key.maximum) {
        EXPECT_LE(d.get<int64_t>(), *key.maximum);
      }
    }
    if (key.type == KeyType::kString && d.is_string() && !key.pattern.empty()) {
      EXPECT_TRUE(std::regex_search(d.get<std::string>(), std::regex(key.pattern)));
    }
  }
}

TEST(ConfigDefaultsTest, ParsedMinimalConfigHasTheTableDefaults) {
  StatusOr<AgentConfig> parsed =
      ParseConfig(testing_config::Minimal().dump(), testing_config::TestOptions());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  const AgentConfig defaults;
  int compared = 0;
  for (const KeyDescriptor& key : ConfigKeys()) {
    if (key.type == KeyType::kObject || key.required) continue;
    SCOPED_TRACE(key.path);
    // A key without a default is unset (null) when absent.
    EXPECT_EQ(key.load(*parsed), key.default_value);
    EXPECT_EQ(key.load(defaults), key.default_value) << "AgentConfig's member initializer";
    ++compared;
  }
  EXPECT_EQ(compared, 52);  // every optional key
}

TEST(ConfigDefaultsTest, StoreThenLoadRoundTripsEveryDefault) {
  for (const KeyDescriptor& key : ConfigKeys()) {
    if (key.type == KeyType::kObject || key.default_value.is_null()) continue;
    SCOPED_TRACE(key.path);
    AgentConfig config;
    key.store(config, key.default_value);
    EXPECT_EQ(key.load(config), key.default_value);
  }
}

// The rows of the key tables in docs/config.md: path -> {type, default, whole row}.
struct DocRow {
  std::string type;
  std::string default_cell;
  std::string row;
};
std::map<std::string, DocRow> DocRows(const std::string& doc, std::vector<std::string>* dupes) {
  std::map<std::string, DocRow> rows;
  std::istringstream in(doc);
  std::string line;
  const std::regex row_re(R"(^\| `([^`]+)` \|([^|]*)\|([^|]*)\|)");
  while (std::getline(in, line)) {
    std::smatch m;
    if (!std::regex_search(line, m, row_re)) continue;
    const std::string path = m[1];
    if (rows.count(path)) dupes->push_back(path);
    rows[path] = {Trim(m[2]), Trim(m[3]), line};
  }
  return rows;
}

TEST(ConfigDocTest, EveryKeyIsDocumentedWithItsTypeAndDefault) {
  const std::string doc = ReadFile(kDocFile);
  ASSERT_FALSE(doc.empty()) << kDocFile;
  std::vector<std::string> dupes;
  const std::map<std::string, DocRow> rows = DocRows(doc, &dupes);
  EXPECT_THAT(dupes, testing::IsEmpty());
  for (const KeyDescriptor& key : ConfigKeys()) {
    if (key.type == KeyType::kObject) continue;
    SCOPED_TRACE(key.path);
    auto it = rows.find(key.path);
    ASSERT_NE(it, rows.end()) << "docs/config.md has no row | `" << key.path << "` | ...";
    EXPECT_EQ(it->second.type, DocTypeName(key));
    EXPECT_EQ(it->second.default_cell, DocDefault(key));
    for (const std::string& value : key.enum_values) {
      EXPECT_THAT(it->second.row, testing::HasSubstr("`" + value + "`"))
          << "the meaning cell lists every allowed value";
    }
  }
  for (const auto& [path, row] : rows) {
    const KeyDescriptor* key = FindKey(path);
    EXPECT_TRUE(key != nullptr && key->type != KeyType::kObject)
        << "docs/config.md documents `" << path << "`, which is not a key";
  }
}

TEST(ConfigDocTest, DocExamplesAreValid) {
  // Every ```json block of the doc that has a "server" key parses without errors.
  const std::string doc = ReadFile(kDocFile);
  const std::regex block_re("```json\\n([\\s\\S]*?)```");
  int checked = 0;
  for (auto it = std::sregex_iterator(doc.begin(), doc.end(), block_re);
       it != std::sregex_iterator(); ++it) {
    const std::string text = (*it)[1];
    if (text.find("\"server\"") == std::string::npos) continue;
    SCOPED_TRACE(text);
    ConfigOptions options = testing_config::TestOptions(
        {{"SYNC_TOKEN", "example-token"}, {"COUCH_PASSWORD", "example-password"}});
    options.base_dir = SYNCAGENT_SOURCE_DIR;
    ConfigResult result = CheckConfig(text, options);
    EXPECT_THAT(result.errors, testing::IsEmpty()) << result.ErrorText();
    ++checked;
  }
  EXPECT_GE(checked, 2);
}

}  // namespace
}  // namespace syncagent
