# test_slurm: batch script rendering, options, state mapping, process runner.
# No Slurm needed (the script's signal path runs with stand-ins for srun).
add_executable(test_slurm
  ${CMAKE_CURRENT_LIST_DIR}/test_batch_script.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_slurm_parts.cpp)
target_link_libraries(test_slurm PRIVATE nar_slurm GTest::gtest_main)
gtest_discover_tests(test_slurm DISCOVERY_TIMEOUT 60 PROPERTIES LABELS slurm)
