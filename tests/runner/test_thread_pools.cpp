// Thread-pool settings nar adds at start-up (common/thread_pools.h): which ones
// a given environment lacks, that a user's value is kept, the summary; and that
// nar's own at::parallel_for really runs on several threads (it ran on one
// while nar was built without -fopenmp).
#include <ATen/Parallel.h>
#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <set>
#include <string>

#include "common/thread_pools.h"

using nar::common::missing_thread_pool_settings;
using nar::common::thread_pool_settings;
using nar::common::thread_pool_summary;

namespace {

struct FakeEnv {
    std::map<std::string, std::string> vars;
    const char* operator()(const char* name) const {
        const auto it = vars.find(name);
        return it == vars.end() ? nullptr : it->second.c_str();
    }
};

}  // namespace

TEST(ThreadPools, AllMissingFromAnEmptyEnvironment) {
    const auto missing = missing_thread_pool_settings(FakeEnv{});
    ASSERT_EQ(missing.size(), 3u);
    EXPECT_EQ(missing[0].name, "OMP_WAIT_POLICY");
    EXPECT_EQ(missing[0].value, "PASSIVE");
    EXPECT_EQ(missing[1].name, "GOMP_SPINCOUNT");
    EXPECT_EQ(missing[1].value, "30000");
    EXPECT_EQ(missing[2].name, "OPENBLAS_THREAD_TIMEOUT");
    EXPECT_EQ(missing[2].value, "4");
}

TEST(ThreadPools, UsersValueIsKeptAndEmptyCountsAsUnset) {
    FakeEnv env;
    env.vars["GOMP_SPINCOUNT"] = "50";
    env.vars["OPENBLAS_THREAD_TIMEOUT"] = "";
    auto missing = missing_thread_pool_settings(env);
    ASSERT_EQ(missing.size(), 2u);
    EXPECT_EQ(missing[0].name, "OMP_WAIT_POLICY");  // the user's spin count wins over it
    EXPECT_EQ(missing[1].name, "OPENBLAS_THREAD_TIMEOUT");
    env.vars["OPENBLAS_THREAD_TIMEOUT"] = "10";
    env.vars["OMP_WAIT_POLICY"] = "ACTIVE";
    EXPECT_TRUE(missing_thread_pool_settings(env).empty());
}

// libgomp takes GOMP_SPINCOUNT over the wait policy: nar's spin count would
// turn a user's PASSIVE (or ACTIVE) into something else.
TEST(ThreadPools, UsersWaitPolicyMeansNoSpinCountOfOurs) {
    for (const char* policy : {"PASSIVE", "ACTIVE"}) {
        FakeEnv env;
        env.vars["OMP_WAIT_POLICY"] = policy;
        const auto missing = missing_thread_pool_settings(env);
        ASSERT_EQ(missing.size(), 1u) << policy;
        EXPECT_EQ(missing[0].name, "OPENBLAS_THREAD_TIMEOUT");
    }
}

TEST(ThreadPools, SummarySaysWhoSetEach) {
    FakeEnv env;
    env.vars["OMP_WAIT_POLICY"] = "ACTIVE";
    env.vars["OPENBLAS_THREAD_TIMEOUT"] = "4";
    env.vars[nar::common::kThreadPoolMarker] = "OPENBLAS_THREAD_TIMEOUT";
    EXPECT_EQ(thread_pool_summary(env),
              "OMP_WAIT_POLICY=ACTIVE (yours), GOMP_SPINCOUNT=(unset) (yours), "
              "OPENBLAS_THREAD_TIMEOUT=4 (nar)");
    EXPECT_EQ(thread_pool_summary(FakeEnv{}),
              "OMP_WAIT_POLICY=(unset) (yours), GOMP_SPINCOUNT=(unset) (yours), "
              "OPENBLAS_THREAD_TIMEOUT=(unset) (yours)");
}

// at::parallel_for is expanded inline in our objects: compiled without OpenMP
// it quietly runs the whole range on the calling thread.
TEST(ThreadPools, ParallelForInNarCodeUsesTwoThreads) {
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
