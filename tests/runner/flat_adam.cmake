# FlatAdam (runner/flat_adam.*) against torch::optim::Adam.
add_executable(test_runner_flat_adam ${CMAKE_CURRENT_LIST_DIR}/test_flat_adam.cpp)
target_link_libraries(test_runner_flat_adam PRIVATE nar_runner GTest::gtest_main)
nar_use_torch_pch(test_runner_flat_adam)
gtest_discover_tests(test_runner_flat_adam DISCOVERY_TIMEOUT 60
  PROPERTIES LABELS runner ENVIRONMENT "OMP_NUM_THREADS=1;OPENBLAS_NUM_THREADS=1")
