# The hostile-input suite: generated bad inputs fed to the `nar` binary as a child
# process under a memory cap and a timeout (tests/hostile/hostile_run.h).
# NAR_HOSTILE_BIN=/path/to/nar runs it against another build.
file(GLOB NAR_HOSTILE_SOURCES CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*.cpp)
add_executable(test_hostile ${NAR_HOSTILE_SOURCES})
target_link_libraries(test_hostile PRIVATE nar_data nar_common GTest::gtest_main)
target_include_directories(test_hostile PRIVATE ${CMAKE_CURRENT_LIST_DIR})
target_compile_definitions(test_hostile PRIVATE NAR_FIXTURES="${NAR_FIXTURES}"
  NAR_BUNDLED="${PROJECT_SOURCE_DIR}/data/bundled" NAR_BIN="$<TARGET_FILE:nar>")
add_dependencies(test_hostile nar)
gtest_discover_tests(test_hostile DISCOVERY_TIMEOUT 60 PROPERTIES LABELS hostile TIMEOUT 120)
