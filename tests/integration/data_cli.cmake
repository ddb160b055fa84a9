# Integration tests of `nar data features|inspect` on golden ONNX files.
add_executable(data_cli_check ${CMAKE_CURRENT_LIST_DIR}/data_cli_check.cpp)
target_link_libraries(data_cli_check PRIVATE nar_common)

set(NAR_DATA_CLI_GOLDEN ${PROJECT_SOURCE_DIR}/tests/fixtures/golden)
set(NAR_DATA_CLI_OUT ${CMAKE_CURRENT_BINARY_DIR}/data_cli_resnet18_b8.h5)

add_test(NAME data_cli_features_write
  COMMAND $<TARGET_FILE:nar> data features ${NAR_DATA_CLI_GOLDEN}/onnx/tv_resnet18.onnx
          --batch 8 --out ${NAR_DATA_CLI_OUT})
set_tests_properties(data_cli_features_write PROPERTIES FIXTURES_SETUP data_cli_out
  LABELS integration)

add_test(NAME data_cli_features_golden
  COMMAND data_cli_check compare ${NAR_DATA_CLI_OUT}
          ${NAR_DATA_CLI_GOLDEN}/features/tv_resnet18_b8.h5)
set_tests_properties(data_cli_features_golden PROPERTIES FIXTURES_REQUIRED data_cli_out
  LABELS integration)

add_test(NAME data_cli_inspect
  COMMAND data_cli_check succeeds "FLOPs:         3634171392"
          $<TARGET_FILE:nar> data inspect ${NAR_DATA_CLI_GOLDEN}/onnx/tv_resnet18.onnx --batch 8)
set_tests_properties(data_cli_inspect PROPERTIES LABELS integration)

add_test(NAME data_cli_rejected_network
  COMMAND data_cli_check fails "tiny_unet_upsample_opset9.onnx: node"
          $<TARGET_FILE:nar> data features
          ${NAR_DATA_CLI_GOLDEN}/onnx/tiny_unet_upsample_opset9.onnx --batch 1
          --out ${CMAKE_CURRENT_BINARY_DIR}/data_cli_rejected.h5)
set_tests_properties(data_cli_rejected_network PROPERTIES LABELS integration)

add_test(NAME data_cli_not_onnx
  COMMAND data_cli_check fails "data_cli.cmake: not"
          $<TARGET_FILE:nar> data features ${CMAKE_CURRENT_LIST_FILE} --batch 1
          --out ${CMAKE_CURRENT_BINARY_DIR}/data_cli_not_onnx.h5)
set_tests_properties(data_cli_not_onnx PROPERTIES LABELS integration)
