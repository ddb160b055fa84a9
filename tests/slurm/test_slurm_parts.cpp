// Options, Slurm state mapping, the job table and the process runner.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "common/error.h"
#include "slurm/job_table.h"
#include "slurm/process.h"
#include "slurm/slurm_state.h"
#include "slurm/submit.h"
#include "slurm/submit_options.h"

namespace fs = std::filesystem;
using namespace nar::slurm;  // test file only
using nar::common::Error;

namespace {

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

SubmitOptions valid() {
    SubmitOptions o;
    o.sweep_file = "s.toml";
    o.time = "00:10:00";
    o.signal_lead = 60;
    return o;
}

}  // namespace

TEST(SubmitOptions, ArraySpec) {
    EXPECT_EQ(parse_array_spec("3%2").count, 3);
    EXPECT_EQ(parse_array_spec("3%2").parallel, 2);
    EXPECT_EQ(parse_array_spec("12").parallel, 0);
    for (const char* bad : {"0", "3%0", "2%3", "a", "3%", "%2", "-1", ""}) {
        EXPECT_NE(error_of([&] { parse_array_spec(bad); }).find("--array"), std::string::npos)
            << bad;
    }
}

TEST(SubmitOptions, TimeLimit) {
    EXPECT_EQ(parse_time_limit("00:01:00"), 60);
    EXPECT_EQ(parse_time_limit("30"), 1800);
    EXPECT_EQ(parse_time_limit("5:30"), 330);
    EXPECT_EQ(parse_time_limit("1-02"), 86400 + 7200);
    EXPECT_EQ(parse_time_limit("2-00:00:10"), 2 * 86400 + 10);
    for (const char* bad : {"", "1:2:3:4", "x", "00:00:00", "1-2:3:4:5", "-5"}) {
        EXPECT_NE(error_of([&] { parse_time_limit(bad); }).find("--time"), std::string::npos)
            << bad;
    }
}

TEST(SubmitOptions, Validate) {
    EXPECT_EQ(error_of([] { validate(valid()); }), "");
    auto o = valid();
    o.signal_lead = 600;
    EXPECT_NE(error_of([&] { validate(o); }).find("shorter than --time 00:10:00"),
              std::string::npos);
    o = valid();
    o.nodes = 0;
    EXPECT_NE(error_of([&] { validate(o); }).find("--nodes"), std::string::npos);
    o = valid();
    o.mpi = "mpich";
    EXPECT_NE(error_of([&] { validate(o); }).find("--mpi"), std::string::npos);
    o = valid();
    o.sbatch_args = {"exclusive"};
    EXPECT_NE(error_of([&] { validate(o); }).find("--sbatch-arg"), std::string::npos);
    o = valid();
    o.max_requeues = -1;
    EXPECT_NE(error_of([&] { validate(o); }).find("--max-requeues"), std::string::npos);
}

TEST(SlurmState, ParseScontrol) {
    const std::string text =
        "JobId=2 ArrayJobId=2 ArrayTaskId=1-2%1 JobName=s JobState=PENDING "
        "Reason=JobArrayTaskLimit Restarts=0 ExitCode=0:0 RunTime=00:00:00 NodeList= "
        "StdOut=/o/2_4294967294.out\n"
        "JobId=3 ArrayJobId=2 ArrayTaskId=0 JobName=s JobState=RUNNING Reason=None Restarts=2 "
        "ExitCode=0:0 RunTime=00:00:01 NodeList=localhost StdOut=/o/2_0.out\n"
        "JobId=9 JobName=t JobState=TIMEOUT Reason=TimeLimit Restarts=1 ExitCode=0:15 "
        "NodeList=n[1-2] StdOut=/o/9.out\n";
    auto e = parse_scontrol_jobs(text);
    ASSERT_EQ(e.size(), 3u);
    EXPECT_EQ(e[0].job_id, "2_[1-2%1]");
    EXPECT_EQ(e[0].state, "PENDING");
    EXPECT_EQ(e[1].job_id, "2_0");
    EXPECT_EQ(e[1].restarts, 2);
    EXPECT_EQ(e[1].nodes, "localhost");
    EXPECT_EQ(e[2].job_id, "9");
    EXPECT_EQ(e[2].std_out, "/o/9.out");
    EXPECT_EQ(describe(e[0], 3), "waiting (JobArrayTaskLimit)");
    EXPECT_EQ(describe(e[1], 3), "requeued 2/3, running for 00:00:01 on localhost");
    EXPECT_NE(describe(e[2], 3).find("hit its time limit"), std::string::npos);
}

TEST(SlurmState, NarTerms) {
    QueueEntry e;
    e.std_out = "/r/slurm/12.out";
    e.restarts = 3;
    e.state = "FAILED";
    e.exit_code = "3:0";
    EXPECT_EQ(describe(e, 3).rfind(
                  "stopped after checkpointing, requeue limit reached (requeued 3/3)", 0),
              0u)
        << describe(e, 3);
    e.exit_code = "1:0";
    EXPECT_EQ(describe(e, 3), "failed (exit code 1:0), see /r/slurm/12.out");
    e.state = "OUT_OF_MEMORY";
    EXPECT_EQ(describe(e, 3), "out of memory (ask for more with --mem), see /r/slurm/12.out");
    e.state = "PREEMPTED";
    EXPECT_EQ(describe(e, 3).rfind("preempted", 0), 0u);
    e.state = "NODE_FAIL";
    EXPECT_EQ(describe(e, 3).rfind("a node failed", 0), 0u);
    e.state = "REQUEUED";
    e.restarts = 2;
    EXPECT_EQ(describe(e, 3), "checkpointed, being requeued (requeued 2/3)");
    EXPECT_TRUE(is_active("PENDING"));
    EXPECT_FALSE(is_active("COMPLETED"));
    EXPECT_FALSE(is_active("TIMEOUT"));
}

TEST(SlurmState, ParseSacct) {
    auto e = parse_sacct_rows("12|REQUEUED|0:15|00:01:02|n1\n12|CANCELLED by 0|0:0|00:00:05|n1\n");
    ASSERT_EQ(e.size(), 2u);
    EXPECT_EQ(e[0].state, "REQUEUED");
    EXPECT_EQ(e[1].state, "CANCELLED");
    EXPECT_EQ(e[1].run_time, "00:00:05");
}

TEST(JobTable, RoundTripAndErrors) {
    const fs::path dir =
        fs::temp_directory_path() / ("nar_test_jobtable_" + std::to_string(getpid()));
    fs::remove_all(dir);
    EXPECT_TRUE(read_job_table(dir.string()).empty());
    append_job_table(dir.string(), {{"12", "array", "0-2/3", "2026-01-01T00:00:00Z", "/a.sbatch"}});
    append_job_table(dir.string(), {{"13", "tables", "", "2026-01-01T00:00:01Z", "/t.sbatch"}});
    auto rows = read_job_table(dir.string());
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].shards, "0-2/3");
    EXPECT_EQ(rows[1].kind, "tables");
    EXPECT_EQ(rows[1].shards, "");
    std::ofstream(job_table_path(dir.string()), std::ios::app) << "14\tbogus\t\t\t\n";
    EXPECT_NE(error_of([&] { read_job_table(dir.string()); }).find("jobs.tsv:4"),
              std::string::npos);
    fs::remove_all(dir);
}

TEST(Process, OutputExitCodeAndEnvironment) {
    setenv("SLURM_CPU_BIND", "cores", 1);
    setenv("SBATCH_PARTITION", "x", 1);
    setenv("SLURM_CONF", "/etc/x.conf", 1);
    ProcessResult r =
        run_process({"sh", "-c",
                     "echo \"${SLURM_CPU_BIND:-none} ${SBATCH_PARTITION:-none} $SLURM_CONF\"; "
                     "echo oops >&2; exit 4"});
    unsetenv("SLURM_CPU_BIND");
    unsetenv("SBATCH_PARTITION");
    unsetenv("SLURM_CONF");
    EXPECT_EQ(r.exit_code, 4);
    EXPECT_EQ(r.out, "none none /etc/x.conf\n");  // inherited job variables are dropped
    EXPECT_EQ(r.err, "oops\n");
    EXPECT_NE(
        error_of([] {
            run_checked({"sh", "-c",
                         "echo 'sbatch: error: Batch job submission failed: nope' >&2; exit 1"});
        }).find("failed (exit code 1): sbatch: error: Batch job submission failed: nope"),
        std::string::npos);
    EXPECT_NE(error_of([] { run_checked({"nar-no-such-program-xyz"}); }).find("not found in PATH"),
              std::string::npos);
    EXPECT_TRUE(program_exists("sh"));
    EXPECT_FALSE(program_exists("nar-no-such-program-xyz"));
}

TEST(Submit, MaxArraySizeFromConfig) {
    EXPECT_EQ(max_array_size_of("Foo = 1\nMaxArraySize            = 4\nX=2\n", 1001), 4);
    EXPECT_EQ(max_array_size_of("Foo = 1\n", 1001), 1001);
}
