// The `syncagent` executable (target syncagent-cli).
#include "agent/cli/cli_app.h"

int main(int argc, char** argv) { return syncagent::cli::CliMain(argc, argv); }
