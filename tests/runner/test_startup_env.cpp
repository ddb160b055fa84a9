// Start-up settings nar adds (common/startup_env.h): which ones
// a given environment lacks, that a user's value is kept, the summary; and that
// nar's own at::parallel_for really runs on several threads (it ran on one
// while nar was built without -fopenmp).
#include <ATen/Parallel.h>
#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <set>
#include <string>

#include "common/startup_env.h"

using nar::common::missing_startup_env_settings;
using nar::common::startup_env_settings;
using nar::common::startup_env_summary;

namespace {

struct FakeEnv {
    std::map<std::string, std::string> vars;
    const char* operator()(const char* name) const {
        const auto it = vars.find(name);
        return it == vars.end() ? nullptr : it->second.c_str();
    }
};

}  // namespace

TEST(StartupEnv, AllMissingFromAnEmptyEnvironment) {
    const auto missing = missing_startup_env_settings(FakeEnv{});
    ASSERT_EQ(missing.size(), 4u);
    EXPECT_EQ(missing[0].name, "OMP_WAIT_POLICY");
    EXPECT_EQ(missing[0].value, "PASSIVE");
    EXPECT_EQ(missing[1].name, "GOMP_SPINCOUNT");
    EXPECT_EQ(missing[1].value, "30000");
    EXPECT_EQ(missing[2].name, "OPENBLAS_THREAD_TIMEOUT");
    EXPECT_EQ(missing[2].value, "4");
    EXPECT_EQ(missing[3].name, "GLIBC_TUNABLES");
    EXPECT_EQ(missing[3].value, "glibc.malloc.hugetlb=1");
}

TEST(StartupEnv, UsersValueIsKeptAndEmptyCountsAsUnset) {
    FakeEnv env;
    env.vars["GOMP_SPINCOUNT"] = "50";
    env.vars["OPENBLAS_THREAD_TIMEOUT"] = "";
    env.vars["GLIBC_TUNABLES"] = "glibc.malloc.hugetlb=0";
    auto missing = missing_startup_env_settings(env);
    ASSERT_EQ(missing.size(), 2u);
    EXPECT_EQ(missing[0].name, "OMP_WAIT_POLICY");  // the user's spin count wins over it
    EXPECT_EQ(missing[1].name, "OPENBLAS_THREAD_TIMEOUT");
    env.vars["OPENBLAS_THREAD_TIMEOUT"] = "10";
    env.vars["OMP_WAIT_POLICY"] = "ACTIVE";
    EXPECT_TRUE(missing_startup_env_settings(env).empty());
    // Any GLIBC_TUNABLES of the user's is kept whole, ours is not merged into it.
    env.vars["GLIBC_TUNABLES"] = "glibc.malloc.arena_max=2";
    EXPECT_TRUE(missing_startup_env_settings(env).empty());
}

// libgomp takes GOMP_SPINCOUNT over the wait policy: nar's spin count would
// turn a user's PASSIVE (or ACTIVE) into something else.
TEST(StartupEnv, UsersWaitPolicyMeansNoSpinCountOfOurs) {
    for (const char* policy : {"PASSIVE", "ACTIVE"}) {
        FakeEnv env;
        env.vars["OMP_WAIT_POLICY"] = policy;
        const auto missing = missing_startup_env_settings(env);
        ASSERT_EQ(missing.size(), 2u) << policy;
        EXPECT_EQ(missing[0].name, "OPENBLAS_THREAD_TIMEOUT");
        EXPECT_EQ(missing[1].name, "GLIBC_TUNABLES");
    }
}

TEST(StartupEnv, SummarySaysWhoSetEach) {
    FakeEnv env;
    env.vars["OMP_WAIT_POLICY"] = "ACTIVE";
    env.vars["OPENBLAS_THREAD_TIMEOUT"] = "4";
    env.vars[nar::common::kStartupEnvMarker] = "OPENBLAS_THREAD_TIMEOUT";
    EXPECT_EQ(startup_env_summary(env),
              "OMP_WAIT_POLICY=ACTIVE (yours), GOMP_SPINCOUNT=(unset) (yours), "
              "OPENBLAS_THREAD_TIMEOUT=4 (nar), GLIBC_TUNABLES=(unset) (yours)");
    EXPECT_EQ(startup_env_summary(FakeEnv{}),
              "OMP_WAIT_POLICY=(unset) (yours), GOMP_SPINCOUNT=(unset) (yours), "
              "OPENBLAS_THREAD_TIMEOUT=(unset) (yours), GLIBC_TUNABLES=(unset) (yours)");
}

// at::parallel_for is expanded inline in our objects: compiled without OpenMP
// it quietly runs the whole range on the calling thread.
TEST(ParallelFor, NarCodeUsesTwoThreads) {
    const int before = at::get_num_threads();
    at::set_num_threads(2);
    std::mutex mu;
    std::set<int> ids;
    at::parallel_for(0, 64, 1, [&](int64_t, int64_t) {
        std::lock_guard<std::mutex> lock(mu);
        ids.insert(at::get_thread_num());
    });
    at::set_num_threads(before);
    EXPECT_EQ(ids.size(), 2u);
}
