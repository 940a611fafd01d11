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
  # Test files are compiled a few at a time in a unity build (SYNCAGENT_UNITY_BUILD, which the
  # fresh builds of scripts/test and scripts/sanitize use): most of a test file's compile time is
  # gtest's and nlohmann/json's headers and templates, paid once per batch instead of per file.
  # So file-local names must stay unique within a test target.
  if(SYNCAGENT_UNITY_BUILD)
    set_target_properties(${name} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 8)
  endif()
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 300)
endfunction()
