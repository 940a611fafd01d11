#include "tests/capi/cxx_server.h"

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <memory>

#include "tools/mock_server/mock_server.h"

namespace syncagent::cxx_test {
namespace {

std::unique_ptr<mock::MockServer>& Server() {
  static std::unique_ptr<mock::MockServer> server;
  return server;
}
std::string& Dir() {
  static std::string dir;
  return dir;
}

}  // namespace

TestServer StartTestServer() {
  auto server = mock::MockServer::Start({});
  if (!server.ok()) std::abort();
  Server() = std::move(*server);
  std::string templ = (std::filesystem::temp_directory_path() / "syncagent-cxx-XXXXXX").string();
  if (::mkdtemp(templ.data()) == nullptr) std::abort();
  Dir() = templ;
  return {Server()->base_url(), Dir()};
}

void StopTestServer() {
  Server().reset();
  std::error_code ignored;
  if (!Dir().empty()) std::filesystem::remove_all(Dir(), ignored);
  Dir().clear();
}

}  // namespace syncagent::cxx_test
