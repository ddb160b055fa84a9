# Coordinator overhead: bench/bench_coordinator.cpp.
if(TARGET nar_runner)
  add_executable(bench_coordinator ${CMAKE_CURRENT_LIST_DIR}/bench_coordinator.cpp)
  target_link_libraries(bench_coordinator PRIVATE nar_runner)
  nar_use_torch_pch(bench_coordinator)
endif()
