# Communicators, coordinator, results index: tests/runner/test_communicator*.cpp,
# test_coordinator*.cpp, fake_sweep_main.cpp.
#
# The coordinator is exercised with injected fake job functions (fake_job.h).

set(NAR_MPI_TEST_ENV
  "OMPI_ALLOW_RUN_AS_ROOT=1;OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1;OMPI_MCA_rmaps_base_oversubscribe=1;OMP_NUM_THREADS=1;OPENBLAS_NUM_THREADS=1")

# Single-process tests: index, wire format, serial coordinator, self backend.
add_executable(test_runner_sweep ${CMAKE_CURRENT_LIST_DIR}/test_coordinator.cpp)
target_link_libraries(test_runner_sweep PRIVATE nar_runner GTest::gtest_main)
target_compile_definitions(test_runner_sweep PRIVATE NAR_FIXTURES="${NAR_FIXTURES}")
nar_use_torch_pch(test_runner_sweep)
gtest_discover_tests(test_runner_sweep DISCOVERY_TIMEOUT 60
  PROPERTIES LABELS runner ENVIRONMENT "OMP_NUM_THREADS=1;OPENBLAS_NUM_THREADS=1")

# Real MPI: data-parallel training parity over 2 ranks.
add_executable(test_communicator_mpi ${CMAKE_CURRENT_LIST_DIR}/test_communicator.cpp)
target_link_libraries(test_communicator_mpi PRIVATE nar_runner GTest::gtest)
target_compile_definitions(test_communicator_mpi PRIVATE NAR_FIXTURES="${NAR_FIXTURES}")
nar_use_torch_pch(test_communicator_mpi)
add_test(NAME CommunicatorMpi.np2
  COMMAND ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} 2 --oversubscribe
          $<TARGET_FILE:test_communicator_mpi>)
set_tests_properties(CommunicatorMpi.np2 PROPERTIES LABELS "runner;mpi" TIMEOUT 120
  ENVIRONMENT "${NAR_MPI_TEST_ENV}")

# Real MPI: the coordinator in-process with fake jobs over 4 ranks.
add_executable(test_coordinator_mpi ${CMAKE_CURRENT_LIST_DIR}/test_coordinator_mpi.cpp)
target_link_libraries(test_coordinator_mpi PRIVATE nar_runner GTest::gtest)
target_compile_definitions(test_coordinator_mpi PRIVATE NAR_FIXTURES="${NAR_FIXTURES}")
nar_use_torch_pch(test_coordinator_mpi)
add_test(NAME CoordinatorMpi.np4
  COMMAND ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} 4 --oversubscribe
          $<TARGET_FILE:test_coordinator_mpi>)
set_tests_properties(CoordinatorMpi.np4 PROPERTIES LABELS "runner;mpi" TIMEOUT 120
  ENVIRONMENT "${NAR_MPI_TEST_ENV}")

# A sweep worker with a fake job function, driven by tests/integration/sweep_*.sh.
add_executable(nar_fake_sweep ${CMAKE_CURRENT_LIST_DIR}/fake_sweep_main.cpp)
target_link_libraries(nar_fake_sweep PRIVATE nar_runner)
nar_use_torch_pch(nar_fake_sweep)
