# Trainer, schedule, batching, collation, train config: tests/runner/test_train*.cpp
add_executable(test_runner_train
  ${CMAKE_CURRENT_LIST_DIR}/test_train_parts.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_trainer.cpp)
target_link_libraries(test_runner_train PRIVATE nar_runner GTest::gtest_main)
target_compile_definitions(test_runner_train PRIVATE NAR_FIXTURES="${NAR_FIXTURES}")
nar_use_torch_pch(test_runner_train)
gtest_discover_tests(test_runner_train DISCOVERY_TIMEOUT 60
  PROPERTIES LABELS runner ENVIRONMENT "OMP_NUM_THREADS=1;OPENBLAS_NUM_THREADS=1")
