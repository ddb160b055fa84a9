# The main job, small: the quick sweep with the real trainer under mpirun, then
# nar aggregate, then --resume that must rerun nothing.
add_test(NAME integration.real_sweep
  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/real_sweep.sh $<TARGET_FILE:nar> ${PROJECT_SOURCE_DIR}
          ${MPIEXEC_EXECUTABLE})
set_tests_properties(integration.real_sweep PROPERTIES LABELS "integration;mpi" TIMEOUT 600
  RUN_SERIAL TRUE
  ENVIRONMENT "OMP_NUM_THREADS=1;OPENBLAS_NUM_THREADS=1;OMPI_ALLOW_RUN_AS_ROOT=1;OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1")

# Faults with the real trainer: retry then failed, kill -9 + resume, SIGTERM + resume.
add_test(NAME integration.real_sweep_faults
  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/real_sweep_faults.sh $<TARGET_FILE:nar>
          $<TARGET_FILE:compare_results> ${MPIEXEC_EXECUTABLE})
set_tests_properties(integration.real_sweep_faults PROPERTIES LABELS "integration;mpi"
  TIMEOUT 600 RUN_SERIAL TRUE
  ENVIRONMENT "OMP_NUM_THREADS=1;OPENBLAS_NUM_THREADS=1;OMPI_ALLOW_RUN_AS_ROOT=1;OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1")
