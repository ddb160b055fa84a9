# bench_report: `nar report` (and OUT/tables.md) of a synthetic 60-job sweep shaped
# like examples/quick.toml (NB201 test splits of ~14,600 cells per run).
add_executable(bench_report ${CMAKE_CURRENT_LIST_DIR}/bench_report.cpp
  ${CMAKE_CURRENT_LIST_DIR}/machine_load.cpp)
target_include_directories(bench_report PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(bench_report PRIVATE nar_jobs)
