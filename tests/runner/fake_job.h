#pragma once
// A fake job function for coordinator tests: every rank of the group sleeps
// `sleep_ms` in small steps (returning interrupted when a stop is requested),
// ids containing "fail" throw on every rank, and the group leader writes a
// result file and appends "<id> <state> <group size> <pid>" to <dir>/runs.log
// (O_APPEND: one atomic line per run, so tests can count runs).
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

#include "jobs/result_file.h"
#include "runner/job_runner.h"
#include "runner/signals.h"

namespace nar::test {

inline void append_line(const std::string& path, const std::string& line) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd < 0) throw std::runtime_error("cannot open " + path);
    std::string l = line + "\n";
    ssize_t w = ::write(fd, l.data(), l.size());
    ::close(fd);
    if (w != static_cast<ssize_t>(l.size())) throw std::runtime_error("short write " + path);
}

inline runner::JobOutcome fake_sweep_job(const jobs::JobSpec& spec, runner::Communicator& comm,
                                         const std::string& dir, int sleep_ms) {
    if (spec.id.find("fail") != std::string::npos) {
        if (comm.rank() == 0) append_line(dir + "/runs.log", spec.id + " failed");
        throw std::runtime_error("fake failure in " + spec.id);
    }
    int ms = sleep_ms;
    if (spec.id.find("slow") != std::string::npos) ms *= 20;
    runner::JobOutcome out;
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (std::chrono::steady_clock::now() < end) {
        if (runner::stop_requested().load()) {
            out.end = jobs::JobStatus::interrupted;
            if (comm.rank() == 0) append_line(dir + "/runs.log", spec.id + " interrupted");
            return out;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    // The group really is one: sum the ranks.
    std::vector<double> ones{1.0};
    comm.allreduce_sum(ones);
    out.end = jobs::JobStatus::done;
    out.result.job_id = spec.id;
    out.result.config_hash = spec.config_hash;
    out.result.status = nar::jobs::JobStatus::done;
    out.result.ranks = static_cast<int>(ones[0]);
    out.result.seed = spec.seed;
    out.result.val_metric_name = "mape";
    out.result.metrics["mape"] = 0.001 * static_cast<double>(spec.seed % 1000);
    if (comm.rank() == 0) {
        jobs::write_result(spec.result_path, out.result);
        append_line(dir + "/runs.log", spec.id + " done " + std::to_string(out.result.ranks) + " " +
                                           std::to_string(getpid()));
    }
    return out;
}

}  // namespace nar::test
