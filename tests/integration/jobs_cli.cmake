# Integration tests of `nar sweep plan` and `nar aggregate` (no training).
add_executable(jobs_cli_make_results ${CMAKE_CURRENT_LIST_DIR}/jobs_cli_make_results.cpp)
target_link_libraries(jobs_cli_make_results PRIVATE nar_jobs)

set(NAR_JOBS_CLI_CHECK ${CMAKE_CURRENT_LIST_DIR}/jobs_cli_check.cmake.in)
set(NAR_JOBS_CLI_RESULTS ${CMAKE_CURRENT_BINARY_DIR}/jobs_cli_results)

add_test(NAME jobs_cli_plan_quick
  COMMAND ${CMAKE_COMMAND}
    "-DCMD=$<TARGET_FILE:nar>;sweep;plan;${PROJECT_SOURCE_DIR}/examples/quick.toml"
    -DEXPECT_RC=0
    "-DEXPECT=total: 60 jobs, 5 configurations;nb201_lat/latency_gold_6226/r11 +[0-9a-f]+ +[0-9]+"
    -P ${NAR_JOBS_CLI_CHECK})

add_test(NAME jobs_cli_plan_overrides
  COMMAND ${CMAKE_COMMAND}
    "-DCMD=$<TARGET_FILE:nar>;sweep;plan;${PROJECT_SOURCE_DIR}/examples/quick.toml;repeats=2;epochs=1;--out;/tmp/nar_quick_out"
    -DEXPECT_RC=0
    "-DEXPECT=sweep quick -> /tmp/nar_quick_out;total: 10 jobs, 5 configurations;epochs=1 "
    -P ${NAR_JOBS_CLI_CHECK})

add_test(NAME jobs_cli_bad_sweep_file
  COMMAND ${CMAKE_COMMAND}
    "-DCMD=$<TARGET_FILE:nar>;sweep;plan;${CMAKE_CURRENT_LIST_DIR}/jobs_cli_bad.toml"
    -DEXPECT_RC=nonzero
    "-DEXPECT=jobs_cli_bad.toml:6: unknown key 'hiden'"
    -P ${NAR_JOBS_CLI_CHECK})

add_test(NAME jobs_cli_aggregate
  COMMAND ${CMAKE_COMMAND}
    "-DSETUP=$<TARGET_FILE:jobs_cli_make_results>;${NAR_JOBS_CLI_RESULTS}"
    "-DCMD=$<TARGET_FILE:nar>;aggregate;${NAR_JOBS_CLI_RESULTS};--paper"
    -DEXPECT_RC=0
    "-DEXPECT=### Table 2: latency, unseen family;\\| AlexNet \\| 21.00 \\| 20.00 \\| 24.28 / 18.29 \\| -3.28 \\|;\\| VGG \\| 12.00 \\| 12.00 \\| 15.40 / 14.26 \\| -3.40 \\| 0.00 \\| 0.00 \\| 45.21 / 45.30 \\| -45.21 \\| 1 \\(1 failed\\) \\* \\|;\\| gen/lat \\| 6.50 \\| 5.00 \\| 100.00 \\| 100.00 \\| 4 \\|;failed: table2/vgg16/r01 \\(attempt 2\\): loss became NaN at epoch 4"
    -P ${NAR_JOBS_CLI_CHECK})

set_tests_properties(jobs_cli_plan_quick jobs_cli_plan_overrides jobs_cli_bad_sweep_file
  jobs_cli_aggregate PROPERTIES LABELS integration)
