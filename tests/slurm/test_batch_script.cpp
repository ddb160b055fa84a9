// Rendering of the batch scripts: pure functions, checked line by line, plus
// the script's signal/requeue logic run under bash with stand-ins for srun
// and scontrol.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "common/error.h"
#include "slurm/batch_script.h"

namespace fs = std::filesystem;
using nar::slurm::ArrayChunk;
using nar::slurm::render_aggregate_script;
using nar::slurm::render_sweep_script;
using nar::slurm::ScriptContext;
using nar::slurm::SubmitOptions;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    std::string l;
    while (std::getline(in, l)) out.push_back(l);
    return out;
}

std::vector<std::string> sbatch_lines(const std::string& text) {
    std::vector<std::string> out;
    for (const auto& l : lines_of(text)) {
        if (l.rfind("#SBATCH", 0) == 0) out.push_back(l);
    }
    return out;
}

bool has_line(const std::string& text, const std::string& line) {
    auto ls = lines_of(text);
    return std::find(ls.begin(), ls.end(), line) != ls.end();
}

ScriptContext context() {
    ScriptContext c;
    c.nar_path = "/opt/nar/bin/nar";
    c.sweep_file = "/home/u/sweeps/big.toml";
    c.out_dir = "/scratch/u/results/big";
    c.name = "big";
    c.version = "0.1.0 (test)";
    std::map<std::string, std::string> env = {{"LD_LIBRARY_PATH", "/opt/nar/lib:/usr/lib"},
                                              {"OPENBLAS_CORETYPE", "Haswell"},
                                              {"OMP_WAIT_POLICY", "PASSIVE"},
                                              {"GOMP_SPINCOUNT", "30000"},
                                              {"GLIBC_TUNABLES", "glibc.malloc.hugetlb=1"},
                                              {"SLURM_CPU_BIND", "cores"},
                                              {"HOME", "/home/u"}};
    c.env = nar::slurm::explicit_environment(c.nar_path, [env](const char* k) -> const char* {
        auto it = env.find(k);
        return it == env.end() ? nullptr : it->second.c_str();
    });
    c.cuda_build = true;
    return c;
}

SubmitOptions four_by_eight() {
    SubmitOptions o;
    o.sweep_file = "big.toml";
    o.nodes = 4;
    o.gpus_per_node = 8;
    o.time = "12:00:00";
    o.partition = "gpu";
    o.account = "proj42";
    o.ranks_per_job = 8;
    o.signal_lead = 300;
    o.max_requeues = 5;
    o.overrides = {"repeats=3", "studies.t1.lr=5e-4"};
    return o;
}

}  // namespace

TEST(BatchScript, FourNodesEightGpus) {
    const std::string s = render_sweep_script(four_by_eight(), context());
    const std::vector<std::string> expected = {
        "#SBATCH --job-name=nar-big",
        "#SBATCH --nodes=4",
        "#SBATCH --ntasks-per-node=8",
        "#SBATCH --gpus-per-node=8",
        "#SBATCH --time=12:00:00",
        "#SBATCH --partition=gpu",
        "#SBATCH --account=proj42",
        "#SBATCH --output=/scratch/u/results/big/slurm/%j.out",
        "#SBATCH --error=/scratch/u/results/big/slurm/%j.err",
        "#SBATCH --open-mode=append",
        "#SBATCH --export=NONE",
        "#SBATCH --signal=B:USR1@300",
        "#SBATCH --requeue",
    };
    EXPECT_EQ(sbatch_lines(s), expected);
    EXPECT_EQ(lines_of(s)[0], "#!/bin/bash");
    // The explicit environment: nar's directory first on PATH, the library
    // path, OPENBLAS_CORETYPE and the start-up settings of the submitting
    // shell, thread counts from Slurm; nothing else of the submitting shell (no
    // SLURM_CPU_BIND, no HOME).
    EXPECT_TRUE(has_line(s, "export PATH='/opt/nar/bin:/usr/local/bin:/usr/bin:/bin'"));
    EXPECT_TRUE(has_line(s, "export LD_LIBRARY_PATH='/opt/nar/lib:/usr/lib'"));
    EXPECT_TRUE(has_line(s, "export OPENBLAS_CORETYPE='Haswell'"));
    EXPECT_TRUE(has_line(s, "export OMP_WAIT_POLICY='PASSIVE'"));
    EXPECT_TRUE(has_line(s, "export GOMP_SPINCOUNT='30000'"));
    EXPECT_TRUE(has_line(s, "export GLIBC_TUNABLES='glibc.malloc.hugetlb=1'"));
    EXPECT_EQ(s.find("OPENBLAS_THREAD_TIMEOUT"), std::string::npos);  // unset there: left to nar
    EXPECT_TRUE(has_line(s, "export OMP_NUM_THREADS=${SLURM_CPUS_PER_TASK:-1}"));
    EXPECT_TRUE(has_line(
        s, "export OPENBLAS_NUM_THREADS=$OMP_NUM_THREADS MKL_NUM_THREADS=$OMP_NUM_THREADS"));
    EXPECT_TRUE(has_line(s, "NAR='/opt/nar/bin/nar'"));
    EXPECT_EQ(s.find("SLURM_CPU_BIND"), std::string::npos);
    EXPECT_EQ(s.find("/home/u\n"), std::string::npos);
    EXPECT_TRUE(has_line(s, "MAX_REQUEUES=5"));
    EXPECT_TRUE(has_line(s, "trap 'forward USR1' USR1"));
    EXPECT_NE(s.find("if [ \"$RESTARTS\" -lt \"$MAX_REQUEUES\" ]; then"), std::string::npos);
    EXPECT_NE(s.find("scontrol requeue \"$SLURM_JOB_ID\""), std::string::npos);
    // The job step: srun with PMIx, the rank record wrapper, then nar sweep run
    // on the absolute sweep file and results directory, resuming.
    std::string srun;
    for (const auto& l : lines_of(s)) {
        if (l.rfind("  srun ", 0) == 0) srun = l.substr(2);
    }
    ASSERT_FALSE(srun.empty()) << s;
    EXPECT_EQ(srun.rfind("srun --export=ALL --mpi=pmix --kill-on-bad-exit=1 /bin/sh -c '", 0), 0u);
    const std::string tail =
        "' nar \"$NAR\" sweep run '/home/u/sweeps/big.toml' --out \"$OUT\" --resume "
        "--ranks-per-job 8 'repeats=3' 'studies.t1.lr=5e-4' &";
    ASSERT_GE(srun.size(), tail.size());
    EXPECT_EQ(srun.substr(srun.size() - tail.size()), tail);
    EXPECT_EQ(s.find("CPU-only"), std::string::npos);  // a CUDA build uses its GPUs
}

TEST(BatchScript, ArrayChunkShardsAndLogs) {
    SubmitOptions o = four_by_eight();
    o.nodes = 1;
    o.gpus_per_node = 2;
    o.ranks_per_job = 1;
    o.array = {7, 2};
    const std::string s = render_sweep_script(o, context(), ArrayChunk{4, 3});
    EXPECT_TRUE(has_line(s, "#SBATCH --array=0-2%2"));
    EXPECT_TRUE(has_line(s, "#SBATCH --output=/scratch/u/results/big/slurm/%A_%a.out"));
    EXPECT_TRUE(has_line(s, "SHARD=$((SLURM_ARRAY_TASK_ID + 4))"));
    EXPECT_NE(s.find("--resume --ranks-per-job 1 'repeats=3' 'studies.t1.lr=5e-4' --shard "
                     "\"$SHARD/7\" &"),
              std::string::npos)
        << s;
}

TEST(BatchScript, CpuOnlyPartitionAndCpuOnlyBuild) {
    SubmitOptions o = four_by_eight();
    o.gpus_per_node = 0;
    o.cpus_per_task = 4;
    o.ranks_per_job = 2;
    ScriptContext c = context();
    c.node_cpus = 64;
    std::string s = render_sweep_script(o, c);
    EXPECT_TRUE(has_line(s, "#SBATCH --ntasks-per-node=16"));  // 64 CPUs / 4 per task
    EXPECT_TRUE(has_line(s, "#SBATCH --cpus-per-task=4"));
    EXPECT_EQ(s.find("--gpus-per-node"), std::string::npos);

    c.cuda_build = false;
    s = render_sweep_script(four_by_eight(), c);
    EXPECT_NE(s.find("this nar is a CPU-only build: the 8 GPU(s) per node stay unused"),
              std::string::npos);
}

TEST(BatchScript, MpirunLauncher) {
    SubmitOptions o = four_by_eight();
    o.mpi = "mpirun";
    const std::string s = render_sweep_script(o, context());
    EXPECT_NE(s.find("\n  mpirun -np \"$SLURM_NTASKS\" /bin/sh -c '"), std::string::npos);
    EXPECT_EQ(s.find("  srun "), std::string::npos);
}

TEST(BatchScript, TooFewRanksForAGroupIsRefused) {
    SubmitOptions o = four_by_eight();
    o.nodes = 1;
    o.gpus_per_node = 2;
    o.ranks_per_job = 2;  // rank 0 coordinates: one worker rank is left
    try {
        render_sweep_script(o, context());
        FAIL() << "expected an error";
    } catch (const nar::common::Error& e) {
        EXPECT_NE(std::string(e.what()).find("--ranks-per-job 2 needs 3 ranks"), std::string::npos)
            << e.what();
    }
}

TEST(BatchScript, AggregateJob) {
    ScriptContext c = context();
    std::string s = render_aggregate_script(four_by_eight(), c, "12:13");
    EXPECT_TRUE(has_line(s, "#SBATCH --ntasks=1"));
    EXPECT_TRUE(has_line(s, "#SBATCH --export=NONE"));
    EXPECT_TRUE(has_line(s, "AFTER='12:13'"));
    EXPECT_NE(s.find("sbatch --parsable --dependency=afterany:$AFTER"), std::string::npos);
    EXPECT_NE(s.find("\"$NAR\" aggregate \"$OUT\" --sweep '/home/u/sweeps/big.toml' --set "
                     "'repeats=3' --set 'studies.t1.lr=5e-4' > \"$OUT/tables.md.tmp\" && mv "),
              std::string::npos)
        << s;
    EXPECT_EQ(s.find("nar\" report"), std::string::npos);
    c.has_report = true;
    s = render_aggregate_script(four_by_eight(), c, "12:13");
    EXPECT_NE(s.find("\"$NAR\" report \"$OUT\""), std::string::npos);
}

TEST(BatchScript, SplitArray) {
    auto c = nar::slurm::split_array(5, 2);
    ASSERT_EQ(c.size(), 3u);
    EXPECT_EQ(c[0].offset, 0);
    EXPECT_EQ(c[0].count, 2);
    EXPECT_EQ(c[2].offset, 4);
    EXPECT_EQ(c[2].count, 1);
    EXPECT_EQ(nar::slurm::split_array(3, 1001).size(), 1u);
    EXPECT_THROW(nar::slurm::split_array(3, 0), nar::common::Error);
}

TEST(BatchScript, ShellQuote) {
    EXPECT_EQ(nar::slurm::shell_quote("a b"), "'a b'");
    EXPECT_EQ(nar::slurm::shell_quote("it's"), "'it'\\''s'");
}

// The rendered script runs under bash: a stand-in srun records its arguments,
// and exits 3 when it gets SIGUSR1 (as nar's ranks do after checkpointing); a
// stand-in scontrol records the requeue.
class ScriptRun : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("nar_test_script_" + std::to_string(getpid()));
        fs::create_directories(dir_ / "bin");
        fs::create_directories(dir_ / "out/slurm");
        write(dir_ / "bin/srun",
              "#!/bin/bash\necho \"$@\" > \"$LOGDIR/srun.args\"\necho rank=0 >> \"$NAR_RANKS\"\n"
              "trap 'echo usr1 >> \"$LOGDIR/srun.signals\"; exit 3' USR1\n"
              "touch \"$LOGDIR/srun.started\"\n"
              "for i in $(seq 100); do sleep 0.1; done\nexit 0\n");
        write(dir_ / "bin/scontrol", "#!/bin/bash\necho \"$@\" >> \"$LOGDIR/scontrol.args\"\n");
        write(dir_ / "bin/nar", "#!/bin/sh\nexit 0\n");
        // No real queue: a live local cluster must not make the script's timer query slow.
        write(dir_ / "bin/squeue", "#!/bin/sh\nexit 0\n");
        for (const char* f : {"srun", "scontrol", "nar", "squeue"})
            fs::permissions(dir_ / "bin" / f, fs::perms::all);
    }
    void TearDown() override { fs::remove_all(dir_); }

    static void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }
    static std::string read(const fs::path& p) {
        std::ifstream in(p);
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }

    // Runs the script with SLURM_RESTART_COUNT=restarts, sends SIGUSR1 to the
    // batch shell once the step runs; returns the script's exit code.
    int run_and_signal(int restarts, int max_requeues) {
        SubmitOptions o = four_by_eight();
        o.max_requeues = max_requeues;
        ScriptContext c = context();
        c.nar_path = (dir_ / "bin/nar").string();
        c.out_dir = (dir_ / "out").string();
        c.env = {{"PATH", (dir_ / "bin").string() + ":/usr/bin:/bin"}, {"LOGDIR", dir_.string()}};
        write(dir_ / "job.sh", render_sweep_script(o, c));
        pid_t pid = fork();
        if (pid == 0) {
            setenv("SLURM_JOB_ID", "77", 1);
            setenv("SLURM_JOB_NODELIST", "n1", 1);
            setenv("SLURM_RESTART_COUNT", std::to_string(restarts).c_str(), 1);
            execl("/bin/bash", "bash", (dir_ / "job.sh").c_str(), nullptr);
            _exit(127);
        }
        for (int i = 0; i < 1200 && !fs::exists(dir_ / "srun.started"); ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        kill(pid, SIGUSR1);
        int status = 0;
        waitpid(pid, &status, 0);
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }

    fs::path dir_;
};

TEST_F(ScriptRun, Usr1IsForwardedAndTheJobRequeuesItself) {
    EXPECT_EQ(run_and_signal(1, 3), 0);
    EXPECT_EQ(read(dir_ / "srun.signals"), "usr1\n");
    EXPECT_EQ(read(dir_ / "scontrol.args"), "requeue 77\n");
    EXPECT_NE(read(dir_ / "srun.args").find("sweep run"), std::string::npos);
}

TEST_F(ScriptRun, RequeueLimitReachedExitsThree) {
    EXPECT_EQ(run_and_signal(3, 3), 3);
    EXPECT_EQ(read(dir_ / "srun.signals"), "usr1\n");
    EXPECT_FALSE(fs::exists(dir_ / "scontrol.args"));
}
