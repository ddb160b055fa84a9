# bench_executor: the zoo's ONNX executor against the same networks assembled by hand
# from LibTorch modules (resnet18, mobilenet_v2); the executor must add under 10%.
add_executable(bench_executor ${CMAKE_CURRENT_LIST_DIR}/bench_executor.cpp)
target_include_directories(bench_executor PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(bench_executor PRIVATE nar_runner)
nar_use_torch_pch(bench_executor)
