# bench_train_step: one training step (forward + backward + Adam) at paper sizes,
# against the measured GEMM ceiling of the same step.
add_executable(bench_train_step ${CMAKE_CURRENT_LIST_DIR}/bench_train_step.cpp
  ${CMAKE_CURRENT_LIST_DIR}/gemm_ceiling.cpp ${CMAKE_CURRENT_LIST_DIR}/machine_load.cpp
  ${CMAKE_CURRENT_LIST_DIR}/op_profile.cpp)
target_include_directories(bench_train_step PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(bench_train_step PRIVATE nar_model nar_runner)
target_compile_definitions(bench_train_step PRIVATE
  NAR_FIXTURES="${PROJECT_SOURCE_DIR}/tests/fixtures")
nar_use_torch_pch(bench_train_step)

# bench_kernels: the fused CPU kernels against the composites they replace, and
# FlatAdam's step (hence nar_runner).
add_executable(bench_kernels ${CMAKE_CURRENT_LIST_DIR}/bench_kernels.cpp)
target_include_directories(bench_kernels PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(bench_kernels PRIVATE nar_model nar_runner)
nar_use_torch_pch(bench_kernels)
