# The parameter table through `nar train`: options, help defaults, the result's /config.
add_executable(params_cli_check ${CMAKE_CURRENT_LIST_DIR}/params_cli_check.cpp)
target_link_libraries(params_cli_check PRIVATE nar_runner)
nar_use_torch_pch(params_cli_check)
add_test(NAME params_cli_help COMMAND params_cli_check help $<TARGET_FILE:nar>)
add_test(NAME params_cli_config
  COMMAND params_cli_check run $<TARGET_FILE:nar> ${CMAKE_CURRENT_BINARY_DIR})
set_tests_properties(params_cli_help params_cli_config PROPERTIES LABELS integration
  ENVIRONMENT "OMP_NUM_THREADS=1;OPENBLAS_NUM_THREADS=1")
