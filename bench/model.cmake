# bench_train_step: one training step (forward + backward + Adam) at paper sizes.
add_executable(bench_train_step ${CMAKE_CURRENT_LIST_DIR}/bench_train_step.cpp)
target_link_libraries(bench_train_step PRIVATE nar_model)
target_compile_definitions(bench_train_step PRIVATE
  NAR_FIXTURES="${PROJECT_SOURCE_DIR}/tests/fixtures")
nar_use_torch_pch(bench_train_step)
