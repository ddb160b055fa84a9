# Coordinator overhead: bench/bench_coordinator.cpp (links the sweep core
# defined in tests/runner/sweep.cmake, so it needs NAR_BUILD_TESTS).
if(TARGET nar_sweep_core)
  add_executable(bench_coordinator ${CMAKE_CURRENT_LIST_DIR}/bench_coordinator.cpp)
  target_link_libraries(bench_coordinator PRIVATE nar_sweep_core)
  nar_use_torch_pch(bench_coordinator)
endif()
