// The server section's cross-field rules (config/server_checks.cc): server.protocol and the keys
// that mean nothing for it, the keys of each auth type, basic auth's password sources and
// secrecy, basic auth over http://, and the CouchDB database of each collection.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config.h"
#include "tests/config/config_test_util.h"

namespace syncagent {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using testing_config::Errors;
using testing_config::TestOptions;
using testing_config::Warnings;
using testing_config::With;
using Json = nlohmann::ordered_json;

// A valid couchdb config (one collection, notes) with basic auth whose password comes from
// COUCH_PASSWORD.
Json Couch() {
  Json doc = With("sync.collections", {"notes"}, With("server.protocol", "couchdb"));
  doc["server"]["auth"] = {{"type", "basic"}, {"username", "app"}, {"password_env", "COUCH_PASSWORD"}};
  return doc;
}
ConfigOptions CouchEnv() { return TestOptions({{"COUCH_PASSWORD", "pa55-Word"}}); }

TEST(ServerChecksTest, ProtocolDefaultsToSyncagentAndParsesCouchdb) {
  StatusOr<AgentConfig> plain = ParseConfig(testing_config::Minimal().dump(), TestOptions());
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_EQ(plain->server.protocol, ServerProtocol::kSyncagent);

  Json doc = Couch();
  doc["server"]["couchdb"] = {{"databases", {{"notes", "app-notes"}}}, {"create_databases", true}};
  StatusOr<AgentConfig> couch = ParseConfig(doc.dump(), CouchEnv());
  ASSERT_TRUE(couch.ok()) << couch.status().ToString();
  EXPECT_EQ(couch->server.protocol, ServerProtocol::kCouchdb);
  EXPECT_TRUE(couch->server.couchdb.create_databases);
  EXPECT_EQ(couch->server.couchdb.DatabaseFor("notes"), "app-notes");
  EXPECT_EQ(couch->server.couchdb.DatabaseFor("tasks"), "tasks");
  EXPECT_EQ(couch->server.auth.type, AuthType::kBasic);
  EXPECT_EQ(couch->server.auth.username, "app");
  EXPECT_EQ(couch->server.auth.password.reveal(), "pa55-Word");
  EXPECT_TRUE(couch->server.auth.password_from_environment);
}

TEST(ServerChecksTest, KeysOfTheOtherProtocolAreRefused) {
  EXPECT_THAT(Errors(With("server.couchdb.create_databases", true)),
              ElementsAre("server.couchdb: only used when server.protocol is \"couchdb\"; got "
                          "\"syncagent\" (the default)"));
  EXPECT_THAT(Errors(With("server.couchdb.databases", Json::object(),
                          With("server.protocol", "syncagent"))),
              ElementsAre("server.couchdb: only used when server.protocol is \"couchdb\"; got "
                          "\"syncagent\""));
  EXPECT_THAT(Errors(With("sync.skip_own_changes", true, Couch()), CouchEnv()),
              ElementsAre("sync.skip_own_changes: only used when server.protocol is "
                          "\"syncagent\" (a CouchDB changes feed cannot leave out one device's "
                          "writes); got \"couchdb\""));
  Json basic = With("server.auth", {{"type", "basic"}, {"username", "u"}, {"password", "p"}});
  EXPECT_THAT(Errors(basic),
              ElementsAre("server.auth.type: \"basic\" is only used when server.protocol is "
                          "\"couchdb\" (a syncagent/1 server takes \"bearer\"); got \"syncagent\" "
                          "(the default)"));
  // Bearer stays valid for couchdb (CouchDB 3's JWT).
  EXPECT_THAT(Errors(With("server.auth", {{"type", "bearer"}, {"token", "jwt"}}, Couch())),
              IsEmpty());
}

TEST(ServerChecksTest, EachAuthTypeTakesOnlyItsKeys) {
  EXPECT_THAT(Errors(With("server.auth.token", "t", Couch()), CouchEnv()),
              ElementsAre("server.auth.token: only used when server.auth.type is \"bearer\"; got "
                          "type \"basic\""));
  Json bearer = With("server.auth", {{"type", "bearer"}, {"token", "t"}, {"username", "u"}});
  EXPECT_THAT(Errors(bearer), ElementsAre("server.auth.username: only used when "
                                          "server.auth.type is \"basic\"; got type \"bearer\""));
  EXPECT_THAT(Errors(With("server.auth.password_env", "P")),
              ElementsAre("server.auth.password_env: only used when server.auth.type is "
                          "\"basic\"; got type \"none\""));
}

TEST(ServerChecksTest, BasicNeedsAUsernameAndOnePasswordSource) {
  Json doc = Couch();
  doc["server"]["auth"] = {{"type", "basic"}, {"password", "pw"}};
  EXPECT_THAT(Errors(doc), ElementsAre("server.auth: type \"basic\" needs username"));
  doc["server"]["auth"] = {{"type", "basic"}, {"username", "u"}};
  EXPECT_THAT(Errors(doc), ElementsAre("server.auth: type \"basic\" needs exactly one of password "
                                       "and password_env; neither is set"));
  doc["server"]["auth"]["password"] = "pw";
  doc["server"]["auth"]["password_env"] = "COUCH_PASSWORD";
  EXPECT_THAT(Errors(doc, CouchEnv()),
              ElementsAre("server.auth: type \"basic\" needs exactly one of password and "
                          "password_env; both are set"));
  EXPECT_THAT(Errors(Couch()), ElementsAre("server.auth.password_env: environment variable "
                                           "COUCH_PASSWORD is not set"));
  EXPECT_THAT(Errors(Couch(), TestOptions({{"COUCH_PASSWORD", ""}})),
              ElementsAre("server.auth.password_env: environment variable COUCH_PASSWORD is "
                          "empty"));
  EXPECT_THAT(Errors(With("server.auth.username", "a:b", Couch()), CouchEnv()),
              ElementsAre("server.auth.username: a basic-auth user name must not contain ':' (it "
                          "separates the name from the password)"));
}

TEST(ServerChecksTest, ThePasswordNeverAppearsInAMessage) {
  const std::string secret = "Hunter2Secret";
  const Json cases[] = {
      {{"type", "basic"}, {"username", "u"}, {"password", secret + "\n"}},
      {{"type", "basic"}, {"username", "u"}, {"password_env", "BAD"}},
      {{"type", "basic"}, {"username", "u"}, {"password", {secret}}},
      {{"type", "basic"}, {"username", "u"}, {"password", secret}, {"password_env", "GOOD"}},
      {{"type", "none"}, {"password", secret}},
      {{"type", "basic"}, {"username", "u"}, {"password", secret}},  // plain text: a warning
  };
  const ConfigOptions options = TestOptions({{"BAD", secret + "\x01"}, {"GOOD", secret}});
  for (const Json& auth : cases) {
    SCOPED_TRACE(auth.dump());
    Json doc = With("server.auth", auth, Couch());
    std::string messages;
    for (const std::string& line : Warnings(doc, TargetPlatform::kAny, options)) {
      messages += line + "\n";
    }
    EXPECT_THAT(messages, HasSubstr("server.auth"));
    EXPECT_THAT(messages, Not(HasSubstr("Hunter2"))) << messages;
  }
}

TEST(ServerChecksTest, APasswordInTheFileIsAWarningAndFromTheEnvironmentIsNot) {
  EXPECT_THAT(Warnings(With("server.auth.password", "pw",
                            With("server.auth", {{"type", "basic"}, {"username", "u"}}, Couch()))),
              ElementsAre("server.auth.password: the password is stored in plain text in the "
                          "config; use server.auth.password_env or \"${VAR}\" to read it from the "
                          "environment"));
  EXPECT_THAT(Warnings(Couch(), TargetPlatform::kAny, CouchEnv()), IsEmpty());
  Json expanded = With("server.auth", {{"type", "basic"}, {"username", "u"},
                                        {"password", "${COUCH_PASSWORD}"}}, Couch());
  EXPECT_THAT(Warnings(expanded, TargetPlatform::kAny, CouchEnv()), IsEmpty());
}

TEST(ServerChecksTest, BasicOverHttpIsRefusedExceptOnLoopback) {
  Json doc = With("server.allow_insecure_http", true, Couch());
  doc["server"]["base_url"] = "http://couch.example.com:5984";
  EXPECT_THAT(Errors(doc, CouchEnv()),
              ElementsAre("server.auth.type: \"basic\" sends the password with every request, "
                          "readable on the network over http:// to couch.example.com; use "
                          "https://, or a loopback host (localhost, 127.0.0.0/8, [::1])"));
  for (const char* url : {"http://127.0.0.1:5984", "http://localhost:5984", "http://[::1]:5984"}) {
    doc["server"]["base_url"] = url;
    EXPECT_THAT(Errors(doc, CouchEnv()), IsEmpty()) << url;
  }
  doc["server"]["base_url"] = "https://couch.example.com";
  EXPECT_THAT(Errors(doc, CouchEnv()), IsEmpty());
}

TEST(ServerChecksTest, CouchdbNeedsTheCollectionsListed) {
  EXPECT_THAT(Errors(With("sync.collections", Json::array(), Couch()), CouchEnv()),
              ElementsAre("sync.collections: server.protocol \"couchdb\" needs the collections "
                          "listed (each is a database on the server, and a CouchDB server cannot "
                          "list them for the agent); got [] (every collection)"));
}

TEST(ServerChecksTest, EachCollectionHasItsOwnValidDatabase) {
  Json doc = With("sync.collections", {"notes", "Tasks", "todo"}, Couch());
  EXPECT_THAT(Errors(doc, CouchEnv()),
              ElementsAre("sync.collections[1]: collection \"Tasks\" is not a valid CouchDB "
                          "database name (a lowercase letter, then a-z, 0-9, _$()+-/); map it to "
                          "one in server.couchdb.databases"));
  doc["server"]["couchdb"]["databases"] = {{"Tasks", "tasks"}, {"notes", "todo"}, {"other", "x"}};
  EXPECT_THAT(Errors(doc, CouchEnv()),
              ElementsAre("server.couchdb.databases.other: collection \"other\" is not listed in "
                          "sync.collections",
                          "sync.collections[2]: collection \"todo\" uses the database of its own "
                          "name, which server.couchdb.databases gives to collection \"notes\""));
  doc["server"]["couchdb"]["databases"] = {{"Tasks", "shared"}, {"notes", "shared"}};
  EXPECT_THAT(Errors(doc, CouchEnv()),
              ElementsAre("server.couchdb.databases.notes: database \"shared\" is already the "
                          "database of collection \"Tasks\"; each collection needs its own "
                          "database"));
  doc["server"]["couchdb"]["databases"] = {{"Tasks", "Bad Name"}};
  EXPECT_THAT(Errors(doc, CouchEnv()),
              ElementsAre(HasSubstr("server.couchdb.databases.Tasks: expected a CouchDB database "
                                    "name")));
}

TEST(ServerChecksTest, SecretValuesListThePasswordTheTokenAndTheHeaderValues) {
  ServerConfig server;
  EXPECT_THAT(SecretValues(server), IsEmpty());
  server.auth.password = Secret("pw-1");
  server.auth.token = Secret("tok-2");
  server.headers = {{"X-Api-Key", "key-3"}, {"X-Empty", ""}};
  EXPECT_THAT(SecretValues(server), ElementsAre("tok-2", "pw-1", "key-3"));
}

}  // namespace
}  // namespace syncagent
