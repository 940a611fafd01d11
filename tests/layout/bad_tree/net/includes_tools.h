// Fixture for layout_includes_self_test: a library header including a tool (rule 2).
#include "tools/mock_server/mock_server.h"
