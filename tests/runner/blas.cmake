# Start-up settings (common/blas_core.*, common/startup_env.*; tests/common belongs to the
# shared helpers): BLAS decision, self-check, cpuid; start-up settings, parallel_for;
# common/heap.*. Run with nar's heap setting in force, as nar's re-exec would.
add_executable(test_runner_blas ${CMAKE_CURRENT_LIST_DIR}/test_blas_core.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_startup_env.cpp ${CMAKE_CURRENT_LIST_DIR}/test_heap.cpp)
target_link_libraries(test_runner_blas PRIVATE nar_common ${NAR_TORCH_LIBS} GTest::gtest_main)  # torch: the BLAS nar runs
nar_use_torch_pch(test_runner_blas)
gtest_discover_tests(test_runner_blas DISCOVERY_TIMEOUT 60 PROPERTIES LABELS runner
  ENVIRONMENT "GLIBC_TUNABLES=glibc.malloc.hugetlb=1")
