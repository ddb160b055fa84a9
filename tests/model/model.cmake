# test_model: NAR-Former V2 model, losses, model files (golden parity included).
file(GLOB NAR_TEST_MODEL_SOURCES CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/test_*.cpp)
add_executable(test_model ${NAR_TEST_MODEL_SOURCES})
target_link_libraries(test_model PRIVATE nar_model GTest::gtest_main)
target_compile_definitions(test_model PRIVATE NAR_FIXTURES="${NAR_FIXTURES}")
nar_use_torch_pch(test_model)
gtest_discover_tests(test_model DISCOVERY_TIMEOUT 60 PROPERTIES LABELS model)
