# ONNX encoder, FLOPs, NNLQP splits and the feature cache (nar_data only, no LibTorch).
add_executable(test_data_onnx
  ${CMAKE_CURRENT_LIST_DIR}/test_onnx_golden.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_onnx_errors.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_onnx_cache.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_nnlqp_split.cpp)
target_link_libraries(test_data_onnx PRIVATE nar_data GTest::gtest_main)
target_compile_definitions(test_data_onnx PRIVATE NAR_FIXTURES="${NAR_FIXTURES}"
  NAR_BUNDLED="${PROJECT_SOURCE_DIR}/data/bundled")
gtest_discover_tests(test_data_onnx DISCOVERY_TIMEOUT 60 PROPERTIES LABELS data)
