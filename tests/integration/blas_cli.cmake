# nar blas-core --env: the start-up settings scripts export. nar adds the
# thread-pool and heap settings the environment lacks, and keeps a user's own (a
# wait policy of the user's: no spin count of nar's either; GLIBC_TUNABLES whole).
add_test(NAME integration.blas_env_defaults
  COMMAND sh -c "out=$(env -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT -u OPENBLAS_THREAD_TIMEOUT -u GLIBC_TUNABLES -u NAR_STARTUP_ENV \"$0\" blas-core --env 2>/dev/null) && echo \"$out\" && echo \"$out\" | grep -qx OMP_WAIT_POLICY=PASSIVE && echo \"$out\" | grep -qx GLIBC_TUNABLES=glibc.malloc.hugetlb=1 && echo \"$out\" | grep -qx GOMP_SPINCOUNT=30000 && echo \"$out\" | grep -qx OPENBLAS_THREAD_TIMEOUT=4 && env -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT -u OPENBLAS_THREAD_TIMEOUT -u GLIBC_TUNABLES -u NAR_STARTUP_ENV \"$0\" blas-core 2>&1 >/dev/null | grep -q 'OMP_WAIT_POLICY=PASSIVE (nar), GOMP_SPINCOUNT=30000 (nar), OPENBLAS_THREAD_TIMEOUT=4 (nar), GLIBC_TUNABLES=glibc.malloc.hugetlb=1 (nar)'"
    $<TARGET_FILE:nar>)
add_test(NAME integration.blas_env_user_wins
  COMMAND sh -c "out=$(env -u NAR_STARTUP_ENV -u GOMP_SPINCOUNT OMP_WAIT_POLICY=ACTIVE OPENBLAS_THREAD_TIMEOUT=9 GLIBC_TUNABLES=glibc.malloc.hugetlb=0 \"$0\" blas-core --env 2>/dev/null) && echo \"$out\" && echo \"$out\" | grep -qx OMP_WAIT_POLICY=ACTIVE && echo \"$out\" | grep -qx GLIBC_TUNABLES=glibc.malloc.hugetlb=0 && ! echo \"$out\" | grep -q GOMP_SPINCOUNT && echo \"$out\" | grep -qx OPENBLAS_THREAD_TIMEOUT=9 && env -u NAR_STARTUP_ENV OMP_WAIT_POLICY=ACTIVE \"$0\" blas-core 2>&1 >/dev/null | grep -q 'OMP_WAIT_POLICY=ACTIVE (yours)'"
    $<TARGET_FILE:nar>)
set_tests_properties(integration.blas_env_defaults integration.blas_env_user_wins
  PROPERTIES LABELS integration)
