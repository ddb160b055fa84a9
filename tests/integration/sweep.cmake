# Sweep scenarios over real MPI with the fake-job sweep process
# (tests/runner/fake_sweep_main.cpp): scripts tests/integration/sweep_*.sh.
if(TARGET nar_fake_sweep)
  foreach(case schedule kill)
    add_test(NAME SweepFake.${case}
      COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/sweep_${case}.sh
              $<TARGET_FILE:nar_fake_sweep> ${MPIEXEC_EXECUTABLE})
    set_tests_properties(SweepFake.${case} PROPERTIES LABELS "integration;mpi" TIMEOUT 120)
  endforeach()
  foreach(mode ranks-term mpirun-usr1)
    add_test(NAME SweepFake.signal_${mode}
      COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/sweep_signal.sh
              $<TARGET_FILE:nar_fake_sweep> ${MPIEXEC_EXECUTABLE} ${mode})
    set_tests_properties(SweepFake.signal_${mode} PROPERTIES LABELS "integration;mpi" TIMEOUT 120)
  endforeach()
endif()
