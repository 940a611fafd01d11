// syncagent-fault-proxy: the fault injector in front of any HTTP server (docs/fault-proxy.md).
#include "tools/fault_proxy/fault_proxy_main.h"

int main(int argc, char** argv) { return syncagent::faults::FaultProxyMain(argc, argv); }
