#pragma once
// `nar zoo measure`: the latency label of every graph of a zoo directory, measured with
// OnnxExecutor. Per graph: W warm-up runs, then R timed runs; the label is their median,
// and a graph whose coefficient of variation exceeds max_cv is measured again (up to
// max_remeasure times; the attempt with the lowest CV is kept).
//
// Rows are appended, one line per graph, to DIR/measure/rank-<r>.tsv as they are
// measured, so an interrupted run (SIGINT/SIGTERM/SIGUSR1: stops after the current
// graph) or a killed one keeps them, and the next run skips them. At the end (all ranks)
// DIR/gt.txt gets the latencies and platform, DIR/latency_cv.tsv the per-graph CV, and
// DIR/machine.txt the measuring machine.
//
// Under MPI the rows are dealt round-robin to the ranks, each measuring with its own
// threads. Co-running ranks share caches, memory bandwidth and turbo headroom: their
// labels are slower and noisier than one rank alone (see machine.txt's note); a dataset
// measured with k ranks is its own platform.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace nar::runner {

struct MeasureOptions {
    std::string dir;
    std::string device = "cpu";  // cpu | cuda
    int threads = 1;
    int warmup = 5;
    int repeats = 20;
    double max_cv = 0.10;
    int max_remeasure = 2;
    std::string platform;  // "" = <device>-t<threads>[-r<ranks>]
    int rank = 0, ranks = 1;
    std::function<void()> barrier;  // all ranks meet before the merge (null: one process)
    int64_t limit = 0;              // measure at most this many graphs now (0 = all)
};

struct MeasureReport {
    int64_t total = 0;         // rows in gt.txt
    int64_t measured_now = 0;  // by this rank in this run
    int64_t already = 0;       // measured before this run (kept)
    int64_t failed = 0;        // this rank's graphs that could not run
    std::string first_failure;
    bool interrupted = false;
    double median_cv = 0;  // over all measured rows (after the merge; rank 0)
};

// Throws common::Error naming the file for an unreadable/malformed gt.txt or measure
// file, or a directory whose labels are of another platform.
MeasureReport measure_zoo(const MeasureOptions& options);

// Median and coefficient of variation (stddev / mean) of run times.
struct TimingStats {
    double median = 0, cv = 0;
};
TimingStats timing_stats(std::vector<double> times);

// "CPU model, threads, LibTorch version, date" lines for machine.txt.
std::string machine_description(const std::string& device, int threads, int ranks);

}  // namespace nar::runner
