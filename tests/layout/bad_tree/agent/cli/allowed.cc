// Fixture for layout_includes_self_test: the CLI may include a tool (allowed).
#include "tools/mock_server/mock_server_main.h"
