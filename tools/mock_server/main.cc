// syncagent-mock-server: the syncagent/1 mock sync server as a process (docs/mock-server.md).
#include "tools/mock_server/mock_server_main.h"

int main(int argc, char** argv) { return syncagent::mock::MockServerMain(argc, argv); }
