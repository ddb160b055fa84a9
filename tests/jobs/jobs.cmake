# test_jobs: metrics (golden), result files, sweep files, aggregation. No LibTorch.
# (Files listed by name: others may add their own tests in this directory.)
add_executable(test_jobs
  ${CMAKE_CURRENT_LIST_DIR}/test_metrics.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_result_file.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_sweep.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_aggregate.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_job_config.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_layering.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_sweep_state.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_numbers.cpp)
target_link_libraries(test_jobs PRIVATE nar_jobs GTest::gtest_main)
target_compile_definitions(test_jobs PRIVATE NAR_FIXTURES="${NAR_FIXTURES}"
                                             NAR_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
gtest_discover_tests(test_jobs DISCOVERY_TIMEOUT 60 PROPERTIES LABELS jobs)
