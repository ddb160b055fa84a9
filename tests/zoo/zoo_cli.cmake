# End-to-end `nar zoo` from the command line.
foreach(case generate_measure_train interrupt_resume mpi_split nb201 errors)
  add_test(NAME zoo.cli.${case}
    COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/zoo_cli.sh ${case} $<TARGET_FILE:nar> ${MPIEXEC_EXECUTABLE})
  set_tests_properties(zoo.cli.${case} PROPERTIES LABELS "zoo;integration" TIMEOUT 120
    ENVIRONMENT "OMP_NUM_THREADS=1;OPENBLAS_NUM_THREADS=1;OMPI_ALLOW_RUN_AS_ROOT=1;OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1")
endforeach()
