#include "hostile_run.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace nar::hostile {

namespace fs = std::filesystem;

std::string RunResult::describe() const {
    std::string s = timed_out ? "timed out"
                    : signal  ? "killed by signal " + std::to_string(signal)
                              : "exit " + std::to_string(exit_code);
    s += " after " + std::to_string(seconds) + " s; output: ";
    s += output.size() > 4000 ? output.substr(output.size() - 4000) : output;
    return s;
}

std::string nar_binary() {
    const char* e = std::getenv("NAR_HOSTILE_BIN");
    return e && *e ? e : NAR_BIN;
}

namespace {

// NAR_HOSTILE_LOG=FILE: one line per run (test, outcome, first error line), for
// the before/after table of issue 12.
void log_run(const std::vector<std::string>& args, const RunResult& r) {
    const char* path = std::getenv("NAR_HOSTILE_LOG");
    if (!path || !*path) return;
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string outcome = r.timed_out ? "timeout"
                          : r.signal  ? "signal " + std::to_string(r.signal)
                                      : "exit " + std::to_string(r.exit_code);
    std::string first;
    const size_t e = r.output.find("[error]");
    if (e != std::string::npos) first = r.output.substr(e, r.output.find('\n', e) - e);
    std::ofstream(path, std::ios::app)
        << (info ? std::string(info->test_suite_name()) + "." + info->name() : "?") << "\t"
        << (args.empty() ? "" : args[0] + (args.size() > 1 ? " " + args[1] : "")) << "\t" << outcome
        << "\t" << first.substr(0, 300) << "\n";
}

}  // namespace

RunResult run_nar(const std::vector<std::string>& args, const RunLimits& limits) {
    int fds[2];
    if (pipe(fds) != 0) std::abort();
    const auto t0 = std::chrono::steady_clock::now();
    const std::string bin = nar_binary();
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        close(fds[0]);
        close(fds[1]);
        setpgid(0, 0);
        rlimit rl{};
        rl.rlim_cur = rl.rlim_max = static_cast<rlim_t>(limits.memory_mb) << 20;
        setrlimit(RLIMIT_AS, &rl);
        rl.rlim_cur = rl.rlim_max = 0;  // no core files from crashes
        setrlimit(RLIMIT_CORE, &rl);
        setenv("OMP_NUM_THREADS", "1", 1);
        setenv("OPENBLAS_NUM_THREADS", "1", 1);
        for (const auto& [k, v] : limits.env) setenv(k.c_str(), v.c_str(), 1);
        std::vector<char*> argv;
        argv.push_back(const_cast<char*>(bin.c_str()));
        for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        execv(bin.c_str(), argv.data());
        _exit(127);
    }
    close(fds[1]);
    RunResult r;
    const auto deadline = t0 + std::chrono::duration<double>(limits.timeout_s);
    char buf[4096];
    while (true) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                              deadline - std::chrono::steady_clock::now())
                              .count();
        if (left <= 0) {
            r.timed_out = true;
            kill(-pid, SIGKILL);
            break;
        }
        pollfd p{fds[0], POLLIN, 0};
        if (poll(&p, 1, static_cast<int>(left)) <= 0) continue;
        const ssize_t n = read(fds[0], buf, sizeof buf);
        if (n <= 0) break;
        if (r.output.size() < (1u << 20)) r.output.append(buf, static_cast<size_t>(n));
    }
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
    log_run(args, r);
    return r;
}

Scratch::Scratch(const std::string& tag) {
    static int counter = 0;
    dir_ = (fs::temp_directory_path() / ("nar_hostile_" + tag + "_" + std::to_string(getpid()) +
                                         "_" + std::to_string(counter++)))
               .string();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
}

Scratch::~Scratch() {
    std::error_code ec;
    if (!std::getenv("NAR_HOSTILE_KEEP")) fs::remove_all(dir_, ec);
}

std::vector<std::string> temp_leftovers(const std::string& dir) {
    std::vector<std::string> out;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec) break;
        if (it->path().filename().string().find(".tmp") != std::string::npos)
            out.push_back(it->path().string());
    }
    return out;
}

}  // namespace nar::hostile
