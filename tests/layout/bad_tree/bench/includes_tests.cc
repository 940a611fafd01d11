// Fixture for layout_includes_self_test: a bench file including test code (rule 1).
#include "tests/agent/engine_harness.h"
