#include "slurm/process.h"

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "common/error.h"

extern char** environ;

namespace nar::slurm {

namespace {

bool inherited_job_variable(const char* kv) {
    if (std::strncmp(kv, "SLURM_CONF=", 11) == 0) return false;
    for (const char* prefix : {"SLURM_", "SBATCH_", "SRUN_", "SALLOC_"}) {
        if (std::strncmp(kv, prefix, std::strlen(prefix)) == 0) return true;
    }
    return false;
}

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

}  // namespace

bool program_exists(const std::string& program) {
    if (program.find('/') != std::string::npos) return access(program.c_str(), X_OK) == 0;
    const char* path = std::getenv("PATH");
    std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
    size_t start = 0;
    while (start <= dirs.size()) {
        size_t end = dirs.find(':', start);
        if (end == std::string::npos) end = dirs.size();
        std::string dir = dirs.substr(start, end - start);
        if (dir.empty()) dir = ".";
        if (access((dir + "/" + program).c_str(), X_OK) == 0) return true;
        start = end + 1;
    }
    return false;
}

ProcessResult run_process(const std::vector<std::string>& argv) {
    if (argv.empty()) throw common::Error("run_process: no command");
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    std::vector<char*> env;
    for (char** e = environ; *e != nullptr; ++e) {
        if (!inherited_job_variable(*e)) env.push_back(*e);
    }
    env.push_back(nullptr);

    int out_pipe[2], err_pipe[2];
    if (pipe(out_pipe) != 0 || pipe(err_pipe) != 0) {
        throw common::Error("cannot create a pipe for " + argv[0] + ": " + std::strerror(errno));
    }
    pid_t pid = fork();
    if (pid < 0) throw common::Error("cannot start " + argv[0] + ": " + std::strerror(errno));
    if (pid == 0) {
        dup2(out_pipe[1], 1);
        dup2(err_pipe[1], 2);
        close(out_pipe[0]);
        close(out_pipe[1]);
        close(err_pipe[0]);
        close(err_pipe[1]);
        execvpe(args[0], args.data(), env.data());
        _exit(127);
    }
    close(out_pipe[1]);
    close(err_pipe[1]);
    ProcessResult r;
    pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
    std::string* sinks[2] = {&r.out, &r.err};
    int open_fds = 2;
    char buf[4096];
    while (open_fds > 0) {
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0) continue;
            ssize_t n = read(fds[i].fd, buf, sizeof buf);
            if (n > 0) {
                sinks[i]->append(buf, static_cast<size_t>(n));
            } else if (n == 0 || errno != EINTR) {
                close(fds[i].fd);
                fds[i].fd = -1;
                --open_fds;
            }
        }
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return r;
}

std::string run_checked(const std::vector<std::string>& argv) {
    ProcessResult r = run_process(argv);
    if (r.exit_code == 0) return r.out;
    std::string cmd;
    for (const auto& a : argv) cmd += (cmd.empty() ? "" : " ") + a;
    if (r.exit_code == 127 && !program_exists(argv[0])) {
        throw common::Error(argv[0] + " not found in PATH: is this a Slurm login node? (" + cmd +
                            ")");
    }
    std::string msg = trimmed(r.err.empty() ? r.out : r.err);
    throw common::Error(cmd + " failed (exit code " + std::to_string(r.exit_code) +
                        "): " + (msg.empty() ? "no message" : msg));
}

}  // namespace nar::slurm
