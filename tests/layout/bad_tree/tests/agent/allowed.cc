// Fixture for layout_includes_self_test: tests may include tests (allowed).
#include "tests/agent/engine_harness.h"
