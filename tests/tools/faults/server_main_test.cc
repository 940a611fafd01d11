// FlagReader and ParseFlagNumber: the flag handling of the mock server and the fault proxy.
#include "tools/faults/server_main.h"

#include <gtest/gtest.h>

namespace syncagent::faults {
namespace {

std::vector<std::pair<std::string, std::string>> ReadAll(FlagReader reader, Status* error) {
  std::vector<std::pair<std::string, std::string>> flags;
  std::string flag, value;
  while (true) {
    StatusOr<bool> more = reader.Next(&flag, &value);
    if (!more.ok()) {
      *error = more.status();
      return flags;
    }
    if (!*more) return flags;
    flags.emplace_back(flag, value);
  }
}

TEST(FlagReaderTest, ReadsSeparateInlineAndBooleanFlags) {
  Status error;
  auto flags = ReadAll(FlagReader({"--port", "80", "--admin", "--faults=f.json"}, {"--admin"},
                                  {"--port", "--faults"}),
                       &error);
  EXPECT_TRUE(error.ok()) << error.ToString();
  EXPECT_EQ(flags, (std::vector<std::pair<std::string, std::string>>{
                       {"--port", "80"}, {"--admin", ""}, {"--faults", "f.json"}}));
}

TEST(FlagReaderTest, EachMistakeNamesTheFlag) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--bogus"}, "unknown flag --bogus"},
      {{"--port"}, "--port needs a value"},
      {{"--port="}, "--port needs a non-empty value"},
      {{"--admin=yes"}, "--admin takes no value"},
  };
  for (const auto& [args, message] : cases) {
    Status error;
    ReadAll(FlagReader(args, {"--admin"}, {"--port"}), &error);
    EXPECT_EQ(error.code(), StatusCode::kInvalidArgument) << message;
    EXPECT_EQ(error.message(), message);
  }
}

TEST(FlagReaderTest, NumbersAreRangeChecked) {
  EXPECT_EQ(*ParseFlagNumber("--port", "8080", 0, 65535), 8080);
  EXPECT_EQ(ParseFlagNumber("--port", "70000", 0, 65535).status().message(),
            "--port: expected an integer in 0..65535, got \"70000\"");
  EXPECT_FALSE(ParseFlagNumber("--port", "12x", 0, 65535).ok());
  EXPECT_FALSE(ParseFlagNumber("--port", "", 0, 65535).ok());
  EXPECT_EQ(ArgsOf(0, nullptr), std::vector<std::string>{});
}

}  // namespace
}  // namespace syncagent::faults
