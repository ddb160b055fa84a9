# bench_metrics: Kendall's tau-b on NAS-Bench-101-sized inputs.
add_executable(bench_metrics ${CMAKE_CURRENT_LIST_DIR}/bench_metrics.cpp)
target_link_libraries(bench_metrics PRIVATE nar_jobs)
