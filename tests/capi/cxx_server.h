// The mock server for sync_agent_suite.cc, which is compiled against the public headers only and so
// cannot include the mock server's header: each call starts one on an ephemeral loopback port (or
// stops it) and makes (or removes) a temp dir. Implemented in cxx_server.cc.
//
// Thread safety: none; one test at a time.
#ifndef SYNCAGENT_TESTS_CAPI_CXX_SERVER_H_
#define SYNCAGENT_TESTS_CAPI_CXX_SERVER_H_

#include <string>

namespace syncagent::cxx_test {

struct TestServer {
  std::string base_url;  // "http://127.0.0.1:PORT"
  std::string dir;       // a fresh temp dir for the stores
};

// REQUIRES: no server started by this function is running.
TestServer StartTestServer();
void StopTestServer();

}  // namespace syncagent::cxx_test

#endif  // SYNCAGENT_TESTS_CAPI_CXX_SERVER_H_
