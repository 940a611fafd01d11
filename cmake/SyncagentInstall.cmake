# Install and packaging rules: `cmake --install build --prefix P` installs
#   include/syncagent/{syncagent.h,status.h,agent.h}  the public headers (C, and C++ SyncAgent)
#   lib/libsyncagent.so*                         the C API (target `syncagent`, when it exists)
#   bin/syncagent                                the CLI (target `syncagent-cli`)
#   share/syncagent/syncagent.schema.json        the config's JSON Schema
#   lib/cmake/syncagent/syncagentConfig*.cmake   find_package(syncagent CONFIG) -> syncagent::syncagent
#                                                (C API) and syncagent::cxx (C++ API, + nlohmann_json)
#   lib/pkgconfig/syncagent.pc                   pkg-config --cflags --libs syncagent
# Both package files are relocatable (paths relative to where they are installed), so the tree may
# be installed under any prefix, at install time, without reconfiguring.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(FILES
  ${PROJECT_SOURCE_DIR}/include/syncagent/agent.h
  ${PROJECT_SOURCE_DIR}/include/syncagent/status.h
  ${PROJECT_SOURCE_DIR}/include/syncagent/syncagent.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/syncagent)
install(FILES ${PROJECT_SOURCE_DIR}/config/syncagent.schema.json
  DESTINATION ${CMAKE_INSTALL_DATADIR}/syncagent)

if(TARGET syncagent-cli)
  install(TARGETS syncagent-cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

# The C API library is written in parallel with these rules: everything below depends on it.
if(TARGET syncagent)
  install(TARGETS syncagent
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

  set(_syncagent_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/syncagent)
  set(_syncagent_pc_dir ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
  # From each package file's directory back to the prefix ("../../.." for lib/cmake/syncagent).
  file(RELATIVE_PATH SYNCAGENT_CONFIG_TO_PREFIX "/p/${_syncagent_cmake_dir}" "/p")
  file(RELATIVE_PATH SYNCAGENT_PC_TO_PREFIX "/p/${_syncagent_pc_dir}" "/p")

  # @-variables now, generator expressions (the library's file names) at generation time.
  configure_file(${CMAKE_CURRENT_LIST_DIR}/syncagentConfig.cmake.in
    ${PROJECT_BINARY_DIR}/packaging/syncagentConfig.cmake.in @ONLY)
  file(GENERATE OUTPUT ${PROJECT_BINARY_DIR}/packaging/syncagentConfig.cmake
    INPUT ${PROJECT_BINARY_DIR}/packaging/syncagentConfig.cmake.in)
  write_basic_package_version_file(${PROJECT_BINARY_DIR}/packaging/syncagentConfigVersion.cmake
    VERSION ${PROJECT_VERSION}
    COMPATIBILITY SameMinorVersion)  # 0.x: a minor version may break the ABI
  install(FILES
    ${PROJECT_BINARY_DIR}/packaging/syncagentConfig.cmake
    ${PROJECT_BINARY_DIR}/packaging/syncagentConfigVersion.cmake
    DESTINATION ${_syncagent_cmake_dir})

  configure_file(${CMAKE_CURRENT_LIST_DIR}/syncagent.pc.in
    ${PROJECT_BINARY_DIR}/packaging/syncagent.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/packaging/syncagent.pc DESTINATION ${_syncagent_pc_dir})
endif()

if(SYNCAGENT_BUILD_TESTS)
  add_subdirectory(${PROJECT_SOURCE_DIR}/tests/packaging ${PROJECT_BINARY_DIR}/tests/packaging)
endif()
