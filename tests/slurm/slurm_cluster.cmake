# Integration tests on a real one-node Slurm (scripts/local-slurm.sh, started
# once for all of them as the ctest fixture SlurmCluster and stopped at the
# end). The start installs Slurm's Debian packages when missing; where that is
# impossible it exits 3, the start passes, and each test skips (exit 77) with
# a message. The tests take the cluster one at a time (RESOURCE_LOCK).
set(NAR_SLURM_SCRIPT ${PROJECT_SOURCE_DIR}/scripts/local-slurm.sh)
add_test(NAME slurm.cluster_start
  COMMAND bash -c "'${NAR_SLURM_SCRIPT}' start; rc=$?; [ $rc = 0 ] || [ $rc = 3 ]")
set_tests_properties(slurm.cluster_start PROPERTIES FIXTURES_SETUP SlurmCluster
  ENVIRONMENT "NAR_SLURM_MAX_ARRAY=4;NAR_SLURM_GPUS=4" TIMEOUT 600 LABELS "slurm;integration")
add_test(NAME slurm.cluster_stop COMMAND bash ${NAR_SLURM_SCRIPT} stop)
set_tests_properties(slurm.cluster_stop PROPERTIES FIXTURES_CLEANUP SlurmCluster
  TIMEOUT 120 LABELS "slurm;integration")

add_test(NAME slurm.dry_run
  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/slurm_dry_run.sh $<TARGET_FILE:nar> ${PROJECT_SOURCE_DIR})
set_tests_properties(slurm.dry_run PROPERTIES LABELS "slurm;integration" TIMEOUT 60)

foreach(case alloc array)
  add_test(NAME slurm.${case}
    COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/slurm_${case}.sh $<TARGET_FILE:nar> ${PROJECT_SOURCE_DIR})
endforeach()
add_test(NAME slurm.preempt
  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/slurm_preempt.sh $<TARGET_FILE:nar> ${PROJECT_SOURCE_DIR}
          $<TARGET_FILE:compare_results>)
add_test(NAME slurm.timeout
  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/slurm_timeout.sh $<TARGET_FILE:nar> ${PROJECT_SOURCE_DIR})
foreach(case alloc array preempt timeout)
  set_tests_properties(slurm.${case} PROPERTIES FIXTURES_REQUIRED SlurmCluster
    RESOURCE_LOCK slurm_cluster SKIP_RETURN_CODE 77 TIMEOUT 600 LABELS "slurm;integration")
endforeach()
set_tests_properties(slurm.timeout PROPERTIES LABELS "slurm;integration;slow")
