# OnnxExecutor and the measurement loop (LibTorch).
add_executable(test_zoo_executor
  ${CMAKE_CURRENT_LIST_DIR}/test_onnx_executor.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_zoo_measure.cpp)
target_link_libraries(test_zoo_executor PRIVATE nar_runner GTest::gtest_main)
gtest_discover_tests(test_zoo_executor DISCOVERY_TIMEOUT 60 PROPERTIES LABELS zoo
  ENVIRONMENT "OMP_NUM_THREADS=1;OPENBLAS_NUM_THREADS=1")
