# Test helpers shared by every test folder (tests/ and tests/mock_server/).
include(GoogleTest)

# syncagent_add_test(NAME SOURCES src... LIBS lib...)
# One gtest executable per test file group; it lands in build/bin/ and its cases are registered
# with CTest individually (gtest_discover_tests), so `ctest -R` selects single cases.
function(syncagent_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest GTest::gmock GTest::gtest_main
    syncagent_warnings)
  target_compile_definitions(${name} PRIVATE
    SYNCAGENT_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 300)
endfunction()
