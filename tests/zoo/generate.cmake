# Zoo generator (nar_data and nar_jobs, no LibTorch): model 0 of every family against
# torchvision's published sizes and the golden exports, determinism, bad input.
add_executable(test_zoo_generate
  ${CMAKE_CURRENT_LIST_DIR}/test_zoo_models.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_zoo_generate.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_nb201_degenerate.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_zoo_sweep_files.cpp)
target_link_libraries(test_zoo_generate PRIVATE nar_data nar_jobs GTest::gtest_main)
target_compile_definitions(test_zoo_generate PRIVATE NAR_FIXTURES="${NAR_FIXTURES}"
                                                     NAR_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
gtest_discover_tests(test_zoo_generate DISCOVERY_TIMEOUT 60 PROPERTIES LABELS zoo)
