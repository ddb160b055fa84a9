// The lead's classes of issue 12 (3, 4, 5, 6, 7, 10, 12, 13, 14) and the
// hostile-input contract for them. Classes whose fix has not landed are listed in
// kPending and skip with the reason; NAR_HOSTILE_ALL=1 runs them anyway.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <set>
#include <thread>

#include "common/h5.h"
#include "hostile_gen.h"
#include "hostile_run.h"

namespace nar::hostile {
namespace {

namespace fs = std::filesystem;

// Classes still waiting for their fix (update as they land).
const std::set<std::string> kPending = {};

#define SKIP_IF_PENDING(cls)                                            \
    do {                                                                \
        const char* all_ = std::getenv("NAR_HOSTILE_ALL");              \
        if (kPending.count(cls) && !(all_ && *all_))                    \
            GTEST_SKIP() << "issue 12 class " cls                       \
                            " is not fixed in this build yet "          \
                            "(lead's part; NAR_HOSTILE_ALL=1 runs it)"; \
    } while (0)

// One tiny NB101 job per repeat (its ~1,500 cells test fast): seconds, not minutes.
std::string tiny_sweep(const Scratch& s, const std::string& extra = "",
                       const std::string& study_name = "tiny") {
    const std::string f = s.path("sweep.toml");
    write_text(f, "name = \"hostile\"\nout = \"" + s.path("out") +
                      "\"\nrepeats = 2\n[defaults]\nepochs = 1\nhidden = 8\nlayers = 1\n"
                      "threads = 1\ntrain_count = 16\nval_count = 8\ntest = \"rest\"\n[studies." +
                      study_name + "]\nstudy = \"nb101-accuracy\"\n" + extra);
    return f;
}

std::vector<std::string> train_args(const std::string& out) {
    return {"train",
            "--study",
            "nb201-accuracy",
            "--train-count",
            "16",
            "--val-count",
            "8",
            "--test",
            "rest",
            "--epochs",
            "1",
            "--hidden",
            "8",
            "--layers",
            "1",
            "--threads",
            "1",
            "--out",
            out};
}

TEST(Class3, ResumeWithAnotherConfigIsRefused) {
    SKIP_IF_PENDING("3");
    Scratch s("c3");
    const std::string f = tiny_sweep(s);
    ASSERT_EQ(run_nar({"sweep", "run", f}, {4096, 120, {}}).exit_code, 0);
    const RunResult r = run_nar({"sweep", "run", f, "--resume", "epochs=2"}, {4096, 60, {}});
    EXPECT_REJECTED(r, std::vector<std::string>({"epochs"}), s.dir(), {});
    EXPECT_EQ(r.output.find("already complete"), std::string::npos) << r.describe();
}

TEST(Class4, TrainWithoutJobIdGetsDistinctIds) {
    SKIP_IF_PENDING("4");
    Scratch s("c4");
    fs::create_directories(s.path("res"));
    for (const char* seed : {"1", "2"}) {
        auto a = train_args(s.path(std::string("res/r") + seed + ".h5"));
        a.insert(a.end(), {"--seed", seed});
        ASSERT_EQ(run_nar(a, {4096, 120, {}}).exit_code, 0);
    }
    const auto id = [&](const char* n) {
        return common::H5File(s.path(std::string("res/") + n), common::H5File::Mode::Read)
            .read_attr_string("/", "job_id");
    };
    EXPECT_NE(id("r1.h5"), id("r2.h5"));
    // Two results with one id: aggregate says so.
    copy_file(s.path("res/r1.h5"), s.path("res/r1_copy.h5"));
    const RunResult r = run_nar({"aggregate", s.path("res")});
    EXPECT_NE(r.output.find("duplicate"), std::string::npos) << r.describe();
}

TEST(Class5, StudyNamesCannotEscapeTheResultsDirectory) {
    SKIP_IF_PENDING("5");
    for (const std::string name : {"\"..\"", "\"a/../../b\"", "\"a\\u0000b\""}) {
        Scratch s("c5");
        const std::string f = tiny_sweep(s, "", name);
        const RunResult r = run_nar({"sweep", "plan", f});
        EXPECT_REJECTED(r, std::vector<std::string>({f}), s.dir(), {});
        EXPECT_FALSE(fs::exists(s.path("out")));
    }
}

TEST(Class6, OutputsThatAreInputsOrEachOtherAreRefused) {
    SKIP_IF_PENDING("6");
    Scratch s("c6");
    const std::string onnx = s.path("x.onnx");
    copy_file(golden_onnx("tv_alexnet.onnx"), onnx);
    const std::string before = read_text(onnx);
    EXPECT_NE(run_nar({"data", "features", onnx, "--batch", "1", "--out", onnx}).exit_code, 0);
    EXPECT_EQ(read_text(onnx), before) << "the input was overwritten";
    fs::create_hard_link(onnx, s.path("link.onnx"));  // same inode, other name
    EXPECT_NE(
        run_nar({"data", "features", onnx, "--batch", "1", "--out", s.path("link.onnx")}).exit_code,
        0);
    EXPECT_EQ(read_text(onnx), before);
    auto a = train_args(s.path("a.h5"));
    a.insert(a.end(), {"--save-model", s.path("a.h5")});
    const RunResult r = run_nar(a);
    EXPECT_NE(r.exit_code, 0) << r.describe();
    EXPECT_FALSE(fs::exists(s.path("a.h5")));
}

TEST(Class7, FloatOptionsOutsideTheirRangeAreRefused) {
    SKIP_IF_PENDING("7");
    Scratch s("c7");
    for (const auto& [opt, v] :
         std::vector<std::pair<std::string, std::string>>{{"--sr-weight", "-1"},
                                                          {"--ac-weight", "nan"},
                                                          {"--lr", "inf"},
                                                          {"--dropout", "1.5"},
                                                          {"--warmup-fraction", "-0.1"}}) {
        auto a = train_args(s.path("r.h5"));
        a.insert(a.end(), {opt, v});
        const RunResult r = run_nar(a);
        EXPECT_NE(r.exit_code, 0) << opt << " " << v << ": " << r.describe();
        EXPECT_EQ(r.signal, 0);
        std::string key = opt.substr(2);  // the message may spell it sr_weight
        for (auto& ch : key) ch = ch == '-' ? '_' : ch;
        EXPECT_TRUE(r.output.find(opt.substr(2)) != std::string::npos ||
                    r.output.find(key) != std::string::npos)
            << r.describe();
        EXPECT_FALSE(fs::exists(s.path("r.h5"))) << opt << " " << v;
    }
}

// A size-limited directory (tmpfs) when this process may mount one.
bool mount_small_tmpfs(const std::string& dir, const std::string& size) {
    fs::create_directories(dir);
    return std::system(
               ("mount -t tmpfs -o size=" + size + " tmpfs '" + dir + "' 2>/dev/null").c_str()) ==
           0;
}

TEST(Class10, DiskFullStopsTheSweepCleanly) {
    SKIP_IF_PENDING("10");
    Scratch s("c10");
    const std::string full = s.path("full");
    if (!mount_small_tmpfs(full, "600k")) GTEST_SKIP() << "class 10: cannot mount a tmpfs here";
    const std::string f = s.path("sweep.toml");
    tiny_sweep(s);
    std::string text = read_text(s.path("sweep.toml"));
    text.replace(text.find(s.path("out")), s.path("out").size(), full + "/out");
    write_text(f, text);
    const RunResult r = run_nar({"sweep", "run", f, "repeats=6"}, {4096, 120, {}});
    std::system(("umount '" + full + "'").c_str());
    EXPECT_EQ(r.signal, 0) << r.describe();
    EXPECT_NE(r.exit_code, 0) << r.describe();
    EXPECT_NE(r.output.find("disk full"), std::string::npos) << r.describe();
    EXPECT_TRUE(temp_leftovers(full).empty());
}

TEST(Class12, ConcurrentResumeIsRefusedByTheLock) {
    SKIP_IF_PENDING("12");
    Scratch s("c12");
    const std::string f = tiny_sweep(s);
    // NB201 jobs (15,000 test cells each) last long enough to overlap the second start.
    std::string text = read_text(f);
    text.replace(text.find("nb101-accuracy"), 14, "nb201-accuracy");
    write_text(f, text);
    RunResult first;
    std::thread t([&] { first = run_nar({"sweep", "run", f, "repeats=6"}, {4096, 120, {}}); });
    // Let the first run take the lock, then start a second one.
    for (int i = 0; i < 100 && !fs::exists(s.path("out")); ++i) usleep(100000);
    usleep(200000);
    const RunResult second = run_nar({"sweep", "run", f, "repeats=6", "--resume"});
    t.join();
    EXPECT_EQ(first.exit_code, 0) << first.describe();
    EXPECT_NE(second.exit_code, 0) << second.describe();
    EXPECT_NE(second.output.find("lock"), std::string::npos) << second.describe();
    EXPECT_NE(second.output.find("pid"), std::string::npos) << second.describe();
}

TEST(Class14, ThreadsAreCappedWithAWarning) {
    SKIP_IF_PENDING("14a");
    Scratch s("c14a");
    auto a = train_args(s.path("r.h5"));
    a.back() = s.path("r.h5");
    a.insert(a.end(), {"--threads", "1000"});
    for (size_t i = 0; i + 1 < a.size(); ++i)
        if (a[i] == "--threads" && a[i + 1] == "1") a.erase(a.begin() + i, a.begin() + i + 2);
    const RunResult r = run_nar(a, {4096, 120, {}});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_NE(r.output.find("threads"), std::string::npos) << r.describe();
    EXPECT_NE(r.output.find("warn"), std::string::npos) << r.describe();
}

TEST(Class14, CorruptCheckpointIsDiscardedAndTheJobRestarts) {
    SKIP_IF_PENDING("14b");
    Scratch s("c14b");
    const std::string out = s.path("r.h5");
    write_text(s.path("r.ckpt.h5"), "this is not an HDF5 checkpoint");  // RESULT.ckpt.h5
    auto a = train_args(out);
    a.push_back("--resume");
    const RunResult r = run_nar(a, {4096, 120, {}});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_NE(r.output.find("checkpoint"), std::string::npos) << r.describe();
    EXPECT_TRUE(fs::exists(out));
    EXPECT_FALSE(fs::exists(s.path("r.ckpt.h5"))) << "the corrupt checkpoint was kept";
}

TEST(Class14, UsageErrorsExitWith2) {
    SKIP_IF_PENDING("14c");
    for (const std::vector<std::string>& a :
         {std::vector<std::string>{"train", "--no-such-option"},
          std::vector<std::string>{"data", "inspect"}, std::vector<std::string>{"frobnicate"}}) {
        const RunResult r = run_nar(a);
        EXPECT_EQ(r.exit_code, 2) << a[0] << ": " << r.describe();
    }
}

TEST(Class14, HugeSeedSaysSeed) {
    SKIP_IF_PENDING("14d");
    Scratch s("c14d");
    auto a = train_args(s.path("r.h5"));
    a.insert(a.end(), {"--seed", "99999999999999999999999"});
    const RunResult r = run_nar(a);
    EXPECT_NE(r.exit_code, 0) << r.describe();
    EXPECT_NE(r.output.find("seed"), std::string::npos) << r.describe();
    EXPECT_EQ(r.output.find("stoull"), std::string::npos) << r.describe();
}

TEST(Class11, HugeSweepProductIsRefusedQuickly) {
    SKIP_IF_PENDING("11plan");  // the job-count limit is the lead's (sweep plan)
    Scratch s("c11plan");
    // 10^7 configurations of valid values (x 2 repeats).
    const std::string ten = "[1,2,3,4,5,6,7,8,9,10]";
    const std::string f =
        tiny_sweep(s,
                   "hidden = [8,16,24,32,40,48,56,64,72,80]\nfc_hidden = [8,16,24,32,40,48,"
                   "56,64,72,80]\nlayers = " +
                       ten + "\nepochs = " + ten + "\nbatch_size = " + ten +
                       "\ntrain_count = [16,17,18,19,20,21,22,23,24,25]"
                       "\nval_count = [8,9,10,11,12,13,14,15,16,17]\n");
    RunLimits lim;
    lim.memory_mb = 3072;
    lim.timeout_s = 30;
    EXPECT_REJECTED(run_nar({"sweep", "plan", f}, lim), std::vector<std::string>({"limit"}),
                    s.dir(), {});
}

}  // namespace
}  // namespace nar::hostile
