# End-to-end `nar train` / `nar predict` from the CLI on the bundled real data.
add_executable(compare_results ${PROJECT_SOURCE_DIR}/tests/runner/compare_results.cpp)
target_link_libraries(compare_results PRIVATE nar_jobs)

foreach(case train_nb201 train_bad_input train_sigterm_resume train_dp_equal train_bf16
    predict_onnx)
  add_test(NAME integration.${case}
    COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/train_cli.sh ${case} $<TARGET_FILE:nar>
            $<TARGET_FILE:compare_results> ${PROJECT_SOURCE_DIR} ${MPIEXEC_EXECUTABLE})
  set_tests_properties(integration.${case} PROPERTIES LABELS "integration" TIMEOUT 300
    ENVIRONMENT "OMP_NUM_THREADS=1;OPENBLAS_NUM_THREADS=1;OMPI_ALLOW_RUN_AS_ROOT=1;OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1")
endforeach()
set_tests_properties(integration.train_dp_equal PROPERTIES RUN_SERIAL TRUE)

# A typo in NAR_COMPOSITE (the fused-kernel switch) is a usage error at start-up.
add_test(NAME integration.composite_env_typo
  COMMAND sh -c "out=$(NAR_COMPOSITE=norm,nrom \"$0\" model info --preset latency 2>&1); rc=$?; echo \"$out\"; [ $rc = 2 ] && echo \"$out\" | grep -q \"NAR_COMPOSITE: unknown kernel 'nrom'\""
    $<TARGET_FILE:nar>)
set_tests_properties(integration.composite_env_typo PROPERTIES LABELS integration)
