#pragma once
// Runs the `nar` binary as a child process under a memory cap (RLIMIT_AS) and a
// wall-clock timeout, and checks the hostile-input contract on the result.
#include <map>
#include <string>
#include <vector>

namespace nar::hostile {

struct RunLimits {
    long memory_mb = 4096;  // address-space cap of the child (LibTorch maps ~1 GB at start)
    double timeout_s = 60;
    std::map<std::string, std::string> env;  // added to the inherited environment
};

struct RunResult {
    int exit_code = -1;  // -1 when killed by a signal
    int signal = 0;      // the signal that ended it, 0 if it exited
    bool timed_out = false;
    double seconds = 0;
    std::string output;            // stdout and stderr together
    std::string describe() const;  // one line for failure messages
};

// The nar binary under test: $NAR_HOSTILE_BIN, else the build's (NAR_BIN).
std::string nar_binary();

RunResult run_nar(const std::vector<std::string>& args, const RunLimits& limits = {});

// A fresh directory under the system temp dir, removed at destruction.
class Scratch {
  public:
    explicit Scratch(const std::string& tag);
    ~Scratch();
    Scratch(const Scratch&) = delete;
    Scratch& operator=(const Scratch&) = delete;
    const std::string& dir() const { return dir_; }
    std::string path(const std::string& name) const { return dir_ + "/" + name; }

  private:
    std::string dir_;
};

// Paths under `dir` (recursively) whose name contains ".tmp".
std::vector<std::string> temp_leftovers(const std::string& dir);

}  // namespace nar::hostile

// The contract for a rejected input: exit code 1 (not a signal, not a timeout),
// every needle in the output, no *.tmp left in `dir`, and each `absent` path missing.
#define EXPECT_REJECTED(result, needles, dir, absent)                          \
    do {                                                                       \
        const ::nar::hostile::RunResult& r_ = (result);                        \
        EXPECT_FALSE(r_.timed_out) << r_.describe();                           \
        EXPECT_EQ(r_.signal, 0) << r_.describe();                              \
        EXPECT_EQ(r_.exit_code, 1) << r_.describe();                           \
        for (const std::string& n_ : std::vector<std::string>(needles))        \
            EXPECT_NE(r_.output.find(n_), std::string::npos)                   \
                << "message lacks '" << n_ << "': " << r_.describe();          \
        EXPECT_TRUE(::nar::hostile::temp_leftovers(dir).empty())               \
            << "temporary files left behind in " << (dir);                     \
        for (const std::string& p_ : std::vector<std::string>(absent))         \
            EXPECT_FALSE(std::filesystem::exists(p_)) << p_ << " was written"; \
    } while (0)
