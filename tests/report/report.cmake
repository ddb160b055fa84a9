# test_report: `nar report` (HTML/SVG) and `nar sweep status` on hand-made results.
# No LibTorch. libpng (optional) reads back the PNG of the rsvg-convert test.
find_package(PNG QUIET)
add_executable(test_report
  ${CMAKE_CURRENT_LIST_DIR}/test_report.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_sweep_status.cpp)
target_link_libraries(test_report PRIVATE nar_jobs GTest::gtest_main)
if(PNG_FOUND)
  target_link_libraries(test_report PRIVATE PNG::PNG)
  target_compile_definitions(test_report PRIVATE NAR_HAVE_PNG=1)
endif()
gtest_discover_tests(test_report DISCOVERY_TIMEOUT 60 PROPERTIES LABELS report)

# The same hand-made results directory for the command-line tests.
add_executable(report_make_fixture ${CMAKE_CURRENT_LIST_DIR}/report_make_fixture.cpp)
target_link_libraries(report_make_fixture PRIVATE nar_jobs)

set(NAR_REPORT_CHECK ${PROJECT_SOURCE_DIR}/tests/integration/jobs_cli_check.cmake.in)
set(NAR_REPORT_DIR ${CMAKE_CURRENT_BINARY_DIR}/report_cli_results)
set(NAR_REPORT_SETUP "-DSETUP=$<TARGET_FILE:report_make_fixture>;${NAR_REPORT_DIR}")

add_test(NAME report_cli_html
  COMMAND ${CMAKE_COMMAND} "${NAR_REPORT_SETUP}"
    "-DCMD=$<TARGET_FILE:nar>;report;${NAR_REPORT_DIR};--svg;${NAR_REPORT_DIR}/svg"
    -DEXPECT_RC=0
    "-DEXPECT=report: ${NAR_REPORT_DIR}/report.html \\(13 charts\\); SVG files in"
    -P ${NAR_REPORT_CHECK})
add_test(NAME report_cli_missing_dir
  COMMAND ${CMAKE_COMMAND} "-DCMD=$<TARGET_FILE:nar>;report;/nonexistent/nar_results"
    -DEXPECT_RC=1 "-DEXPECT=/nonexistent/nar_results: results directory does not exist"
    -P ${NAR_REPORT_CHECK})
add_test(NAME report_cli_status
  COMMAND ${CMAKE_COMMAND} "${NAR_REPORT_SETUP}"
    "-DCMD=$<TARGET_FILE:nar>;sweep;status;${NAR_REPORT_DIR}"
    -DEXPECT_RC=0
    "-DEXPECT=: 39 jobs;table2 +22 +0 +1 +1 +0 +24;ETA: 0:00:[0-9][0-9] \\(;table2/vgg16/r10 \\(2 attempts\\): loss became <NaN>;log: [^\n]*table2/vgg16/r10.log\n"
    -P ${NAR_REPORT_CHECK})
add_test(NAME report_cli_status_json_watch
  COMMAND ${CMAKE_COMMAND} "${NAR_REPORT_SETUP}"
    "-DCMD=$<TARGET_FILE:nar>;sweep;status;${NAR_REPORT_DIR};--format;json;--watch;--interval;0.1;--count;2"
    -DEXPECT_RC=0
    "-DEXPECT=\"failed\": 1,[^\n]*\"total\": 24;\"out_dir\"[^#]*\"out_dir\";\"finished\": false"
    -P ${NAR_REPORT_CHECK})
add_test(NAME report_cli_status_no_index
  COMMAND ${CMAKE_COMMAND} "-DCMD=$<TARGET_FILE:nar>;sweep;status;/nonexistent/nar_results"
    -DEXPECT_RC=1 "-DEXPECT=no sweep index"
    -P ${NAR_REPORT_CHECK})
set_tests_properties(report_cli_html report_cli_missing_dir report_cli_status
  report_cli_status_json_watch report_cli_status_no_index PROPERTIES LABELS "report;integration")
# The fixture directory is shared: the tests that rebuild it must not overlap.
set_tests_properties(report_cli_html report_cli_status report_cli_status_json_watch
  PROPERTIES RESOURCE_LOCK nar_report_cli_results)
