#include "runner/coordinator.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <thread>

#include "common/error.h"
#include "runner/coordinator_wire.h"
#include "runner/mpi_env.h"
#include "runner/signals.h"

namespace nar::runner {

namespace fs = std::filesystem;
using jobs::IndexEntry;
using jobs::JobStatus;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kTagRequest = 101;  // leader -> coordinator: report + request
constexpr int kTagReply = 102;    // coordinator -> leader: job or stop (empty)

double seconds_since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

// Runs one job on this rank; exceptions become failures. The report is
// meaningful on the group leader.
JobReport run_one(int index, const jobs::JobSpec& spec, const JobFunction& fn, Communicator& comm,
                  int default_threads) {
    int threads = default_threads;
    auto it = spec.params.find("threads");
    if (it != spec.params.end()) {
        try {
            threads = std::max(1, std::stoi(it->second));
        } catch (const std::exception&) {
            spdlog::warn("{}: ignoring bad threads value '{}'", spec.id, it->second);
        }
    }
    set_compute_threads(threads);
    JobReport rep;
    rep.job_index = index;
    rep.host = mpi_info().host;
    auto t = Clock::now();
    try {
        JobOutcome out = fn(spec, comm);
        rep.state = out.end == JobStatus::done          ? JobStatus::done
                    : out.end == JobStatus::interrupted ? JobStatus::interrupted
                                                     : JobStatus::failed;
        rep.error = out.result.error;
        if (rep.state == JobStatus::failed && rep.error.empty()) rep.error = "job failed";
        headline(out.result, &rep.metric_name, &rep.metric_value);
    } catch (const std::exception& e) {
        rep.state = JobStatus::failed;
        rep.error = e.what();
    }
    rep.wall_seconds = seconds_since(t);
    return rep;
}

SweepSummary run_serial(const std::vector<jobs::JobSpec>& jobs, const JobFunction& fn,
                        const CoordinatorOptions& opts) {
    JobBoard board(jobs, opts);
    auto comm = make_self_communicator();
    const int threads = default_threads_per_rank(1);
    const std::string host = mpi_info().host;
    while (board.has_pending() && !stop_requested().load() && !board.disk_full()) {
        int i = board.start_next(host);
        board.finish(run_one(i, jobs[i], fn, *comm, threads));
    }
    SweepSummary s = board.summary(stop_requested().load() || board.disk_full());
    board.log_summary(s);
    return s;
}

// Rank 0: answer requests until every leader has been told to stop.
SweepSummary coordinate(const std::vector<jobs::JobSpec>& jobs, JobBoard& board, int n_groups,
                        int group_size, MPI_Comm world) {
    std::vector<int> waiting;          // leaders with no job while retries may still come
    std::map<int, std::string> hosts;  // leader rank -> its host, from its requests
    int active = n_groups;
    auto stopping = [&] { return stop_requested().load() || board.disk_full(); };
    auto reply = [&](int leader) {
        if (!stopping() && board.has_pending()) {
            int i = board.start_next(hosts[leader]);
            send_bytes(encode_job(i, jobs[i]), leader, kTagReply, world);
            return true;
        }
        if (!stopping() && board.running() > 0) return false;  // wait for retries
        send_bytes(std::string(), leader, kTagReply, world);
        --active;
        return true;
    };
    int idle_polls = 0;
    while (active > 0) {
        int flag = 0;
        MPI_Status st;
        MPI_Iprobe(MPI_ANY_SOURCE, kTagRequest, world, &flag, &st);
        if (!flag) {
            // Poll (rather than block) so a stop signal is noticed; back off
            // from spinning to 1 ms sleeps.
            if (stopping() || !board.has_pending()) {
                std::vector<int> still;
                for (int l : waiting) {
                    if (!reply(l)) still.push_back(l);
                }
                waiting.swap(still);
            }
            if (++idle_polls > 200) {
                std::this_thread::sleep_for(
                    std::chrono::microseconds(std::min(1000, 10 * (idle_polls - 200))));
            }
            continue;
        }
        idle_polls = 0;
        int leader = 0;
        std::string msg = recv_bytes(st.MPI_SOURCE, kTagRequest, world, &leader);
        JobReport rep = decode_report(msg);
        hosts[leader] = rep.host + " (rank " + std::to_string(leader) + ")";
        if (rep.job_index >= 0) board.finish(rep);
        // A retry may have been queued: serve waiting leaders first.
        std::vector<int> still;
        for (int l : waiting) {
            if (!reply(l)) still.push_back(l);
        }
        waiting.swap(still);
        if (!reply(leader)) waiting.push_back(leader);
    }
    (void)group_size;
    return board.summary(stopping());
}

void lead_group(const JobFunction& fn, Communicator& comm, MPI_Comm group, MPI_Comm world,
                int threads) {
    JobReport last;  // job_index -1: nothing to report yet
    last.state = JobStatus::pending;
    last.host = mpi_info().host;
    while (true) {
        send_bytes(encode_report(last), 0, kTagRequest, world);
        std::string job = recv_bytes(0, kTagReply, world, nullptr);
        bcast_bytes(job, group);
        if (job.empty()) return;
        int index = -1;
        jobs::JobSpec spec = decode_job(job, &index);
        last = run_one(index, spec, fn, comm, threads);
    }
}

void follow_group(const JobFunction& fn, Communicator& comm, MPI_Comm group, int threads) {
    while (true) {
        std::string job;
        bcast_bytes(job, group);
        if (job.empty()) return;
        int index = -1;
        jobs::JobSpec spec = decode_job(job, &index);
        run_one(index, spec, fn, comm, threads);
    }
}

std::unique_ptr<Communicator> group_communicator(const std::string& backend, MPI_Comm group,
                                                 int local_rank) {
    int size = 1;
    MPI_Comm_size(group, &size);
    bool nccl = backend == "nccl";
    if (backend == "auto") {
#ifdef NAR_WITH_NCCL
        nccl = torch::cuda::is_available();
#endif
    }
    if (nccl) {
        int gpus = static_cast<int>(torch::cuda::device_count());
        if (gpus < 1) throw common::Error("backend nccl asked for, but no GPU is visible");
        return make_nccl_communicator(group, local_rank % gpus);
    }
    if (size == 1) return make_self_communicator();
    return make_mpi_communicator(group);
}

}  // namespace

SweepSummary coordinate_jobs(const std::vector<jobs::JobSpec>& jobs, const JobFunction& job_fn,
                             const CoordinatorOptions& opts, MPI_Comm world) {
    if (opts.ranks_per_job < 1) throw common::Error("ranks per job must be at least 1");
    if (opts.max_attempts < 1) throw common::Error("max attempts must be at least 1");
    if (opts.backend != "auto" && opts.backend != "mpi" && opts.backend != "nccl") {
        throw common::Error("unknown communicator backend '" + opts.backend +
                            "' (auto, mpi, nccl)");
    }
    int world_size = 1, rank = 0;
    if (world != MPI_COMM_NULL) {
        MPI_Comm_size(world, &world_size);
        MPI_Comm_rank(world, &rank);
    }
    if (world_size == 1) {
        if (!opts.out_dir.empty()) fs::create_directories(opts.out_dir);
        if (opts.ranks_per_job > 1) {
            spdlog::warn("one rank: running every job serially with 1 rank instead of {}",
                         opts.ranks_per_job);
        }
        return run_serial(jobs, job_fn, opts);
    }

    const int G = opts.ranks_per_job;
    const int n_groups = (world_size - 1) / G;
    if (n_groups < 1) {
        throw common::Error(
            "--ranks-per-job " + std::to_string(G) + " needs at least " + std::to_string(G + 1) +
            " MPI ranks (one coordinator + one group), got " + std::to_string(world_size));
    }
    const int group_id = rank == 0 ? -1 : (rank - 1) / G;
    const bool working = rank > 0 && group_id < n_groups;
    MPI_Comm group = MPI_COMM_NULL;
    MPI_Comm_split(world, working ? group_id : MPI_UNDEFINED, rank, &group);
    const bool leader = working && (rank - 1) % G == 0;
    auto saved_level = spdlog::get_level();
    if (rank != 0 && !leader) spdlog::set_level(spdlog::level::off);

    // Threads: the node's cores shared by the working ranks on the node.
    MPI_Comm node;
    MPI_Comm_split_type(world, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &node);
    int local_workers = working ? 1 : 0, local_rank = 0;
    MPI_Allreduce(MPI_IN_PLACE, &local_workers, 1, MPI_INT, MPI_SUM, node);
    MPI_Comm_rank(node, &local_rank);
    MPI_Comm_free(&node);
    const int threads = default_threads_per_rank(std::max(1, local_workers));

    // Rank 0 builds the board (resume checks); a failure there reaches everyone.
    std::unique_ptr<JobBoard> board;
    std::string setup_error;
    if (rank == 0) {
        try {
            if (!opts.out_dir.empty()) fs::create_directories(opts.out_dir);
            board = std::make_unique<JobBoard>(jobs, opts);
            if ((world_size - 1) % G != 0) {
                spdlog::warn(
                    "{} worker ranks do not divide into groups of {}: {} rank(s) stay idle",
                    world_size - 1, G, (world_size - 1) % G);
            }
            spdlog::info("{} worker group(s) of {} rank(s), {} compute thread(s) per rank",
                         n_groups, G, threads);
        } catch (const std::exception& e) {
            setup_error = e.what();
            if (setup_error.empty()) setup_error = "coordinator setup failed";
        }
    }
    bcast_bytes(setup_error, world);
    if (!setup_error.empty()) {
        if (group != MPI_COMM_NULL) MPI_Comm_free(&group);
        spdlog::set_level(saved_level);
        throw common::Error(setup_error);
    }

    SweepSummary summary;
    std::string job_error;
    if (rank == 0) {
        summary = coordinate(jobs, *board, n_groups, G, world);
        board->log_summary(summary);
    } else if (working) {
        std::unique_ptr<Communicator> comm;
        try {
            comm = group_communicator(opts.backend, group, local_rank);
        } catch (const std::exception& e) {
            // Cannot recover consistently inside a running sweep.
            spdlog::error("rank {}: {}", rank, e.what());
            MPI_Abort(world, 1);
        }
        if (leader) {
            lead_group(job_fn, *comm, group, world, threads);
        } else {
            follow_group(job_fn, *comm, group, threads);
        }
    }
    // Everyone learns the outcome, so every rank exits with the same code.
    int packed[7] = {summary.total,       summary.done,    summary.skipped,        summary.failed,
                     summary.interrupted, summary.pending, summary.stopped ? 1 : 0};
    MPI_Bcast(packed, 7, MPI_INT, 0, world);
    summary = {packed[0], packed[1], packed[2], packed[3], packed[4], packed[5], packed[6] != 0};
    if (group != MPI_COMM_NULL) MPI_Comm_free(&group);
    spdlog::set_level(saved_level);
    return summary;
}

}  // namespace nar::runner
