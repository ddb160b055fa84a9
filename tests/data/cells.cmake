# Cells (NAS-Bench-101/201): loading, tokenizer, AC augmentation, splits, TFRecord.
add_executable(test_data_cells
  ${CMAKE_CURRENT_LIST_DIR}/test_cells.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_cells_split.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_tokenizer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_tfrecord.cpp)
target_link_libraries(test_data_cells PRIVATE nar_data GTest::gtest_main)
target_compile_definitions(test_data_cells PRIVATE NAR_FIXTURES="${NAR_FIXTURES}")
gtest_discover_tests(test_data_cells DISCOVERY_TIMEOUT 60 PROPERTIES LABELS data)
