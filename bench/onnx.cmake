# ONNX -> features throughput and the feature-cache hit cost.
add_executable(bench_features ${CMAKE_CURRENT_LIST_DIR}/bench_features.cpp)
target_link_libraries(bench_features PRIVATE nar_data)
target_compile_definitions(bench_features PRIVATE
  NAR_GOLDEN_ONNX="${PROJECT_SOURCE_DIR}/tests/fixtures/golden/onnx")
