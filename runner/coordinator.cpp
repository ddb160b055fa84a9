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
#include "common/h5.h"
#include "jobs/result_file.h"
#include "jobs/sweep_index.h"
#include "runner/coordinator_wire.h"
#include "runner/mpi_env.h"
#include "runner/signals.h"

namespace nar::runner {

namespace fs = std::filesystem;
using jobs::IndexEntry;
using jobs::JobState;
using Clock = std::chrono::steady_clock;

int SweepSummary::exit_code() const {
    if (stopped && (pending > 0 || interrupted > 0)) return kExitInterrupted;
    return failed > 0 ? 1 : 0;
}

namespace {

constexpr int kTagRequest = 101;  // leader -> coordinator: report + request
constexpr int kTagReply = 102;    // coordinator -> leader: job or stop (empty)

double seconds_since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

std::string hms(double s) {
    long t = static_cast<long>(std::llround(std::max(0.0, s)));
    return fmt::format("{}:{:02}:{:02}", t / 3600, (t / 60) % 60, t % 60);
}

// The headline metric of a result: its validation metric when the final
// metrics have it, else MAPE, else Kendall's tau, else the first one.
void headline(const jobs::JobResult& r, std::string* name, double* value) {
    for (const std::string& k :
         {r.val_metric_name, std::string("mape"), std::string("kendall_tau")}) {
        auto it = r.metrics.find(k);
        if (!k.empty() && it != r.metrics.end()) {
            *name = k;
            *value = it->second;
            return;
        }
    }
    if (!r.metrics.empty()) {
        *name = r.metrics.begin()->first;
        *value = r.metrics.begin()->second;
    }
}

// True when `path` is a complete result file of a job that ended "done" (a
// complete file of a failed job is run again on resume); fills the entry's
// headline metric from the file's documented attributes without reading the
// (possibly large) prediction arrays.
bool finished_result(const std::string& path, IndexEntry* e) {
    if (!jobs::result_is_complete(path)) return false;
    try {
        common::H5File f(path, common::H5File::Mode::Read);
        if (f.read_attr_string("/", "status") != "done") return false;
        e->state = JobState::done;
        if (f.has_attr("/", "wall_seconds")) e->wall_seconds = f.read_attr_f64("/", "wall_seconds");
        if (f.has_attr("/", "host")) e->host = f.read_attr_string("/", "host");
        if (f.has_attr("/", "attempt"))
            e->attempts = static_cast<int>(f.read_attr_i64("/", "attempt"));
        jobs::JobResult r;
        if (f.has_attr("/", "val_metric_name"))
            r.val_metric_name = f.read_attr_string("/", "val_metric_name");
        if (f.exists("metrics")) {
            for (const auto& name : f.attr_names("metrics"))
                r.metrics[name] = f.read_attr_f64("metrics", name);
        }
        headline(r, &e->metric_name, &e->metric_value);
        return true;
    } catch (const std::exception&) {
        return false;
    }
}

// Job states, the longest-first queue, the index file and the progress log:
// everything the coordinator decides, independent of how jobs are run.
class Board {
  public:
    Board(const std::vector<jobs::JobSpec>& specs, const CoordinatorOptions& opts)
        : specs_(specs), opts_(opts), t0_(Clock::now()) {
        name_ = opts.name.empty() ? opts.out_dir : opts.name;
        index_path_ = jobs::index_path(opts.out_dir);
        std::map<std::string, IndexEntry> previous;
        if (fs::exists(index_path_)) {
            try {
                for (auto& e : jobs::read_index(index_path_)) previous[e.job_id] = e;
            } catch (const common::Error& err) {
                spdlog::warn("ignoring unreadable old index: {}", err.what());
            }
        }
        std::map<std::string, int> seen;
        entries_.resize(specs.size());
        for (size_t i = 0; i < specs.size(); ++i) {
            const auto& s = specs[i];
            if (!seen.emplace(s.id, static_cast<int>(i)).second) {
                throw common::Error("sweep has two jobs with the id '" + s.id + "'");
            }
            IndexEntry& e = entries_[i];
            e.job_id = s.id;
            e.result_path = s.result_path;
            if (finished_result(s.result_path, &e)) {
                auto it = previous.find(s.id);
                if (it != previous.end() && it->second.state == JobState::done) {
                    e = it->second;  // keeps attempts, host and wall time of that run
                    e.result_path = s.result_path;
                }
                ++skipped_;
            } else {
                queue_.push_back(static_cast<int>(i));
            }
        }
        if (!opts.resume && (skipped_ > 0 || !previous.empty())) {
            throw common::Error(opts.out_dir + " already holds results of a sweep (" +
                                std::to_string(skipped_) +
                                " complete jobs); pass --resume to continue it, or choose "
                                "another output directory");
        }
        // Longest first; ties keep the sweep's order.
        std::stable_sort(queue_.begin(), queue_.end(), [&](int a, int b) {
            return specs_[a].cost_estimate > specs_[b].cost_estimate;
        });
        write();
        spdlog::info("sweep {}: {} jobs, {} already complete, {} to run; index {}", name_,
                     specs.size(), skipped_, queue_.size(), index_path_);
    }

    bool has_pending() const { return !queue_.empty(); }
    int running() const { return running_; }

    // Takes the next job off the queue and marks it running.
    int start_next(const std::string& host) {
        int i = queue_.front();
        queue_.erase(queue_.begin());
        IndexEntry& e = entries_[i];
        dirty_.push_back(i);
        e.state = JobState::running;
        e.attempts += 1;
        e.host = host;
        ++running_;
        spdlog::info("start {} (attempt {}/{}) on {}", e.job_id, e.attempts, opts_.max_attempts,
                     host);
        write();
        return i;
    }

    void finish(const JobReport& rep) {
        IndexEntry& e = entries_.at(rep.job_index);
        dirty_.push_back(rep.job_index);
        --running_;
        e.wall_seconds = rep.wall_seconds;
        e.host = rep.host;
        e.metric_name = rep.metric_name;
        e.metric_value = rep.metric_value;
        const double cost = specs_[rep.job_index].cost_estimate;
        switch (rep.state) {
            case JobState::done:
                e.state = JobState::done;
                e.error.clear();
                finished_cost_ += cost;
                ++finished_;
                break;
            case JobState::interrupted:
                e.state = JobState::interrupted;
                e.attempts -= 1;  // an interrupted attempt resumes, it is not used up
                break;
            default:
                e.error = rep.error;
                if (e.attempts < opts_.max_attempts) {
                    e.state = JobState::pending;
                    requeue(rep.job_index);
                } else {
                    e.state = JobState::failed;
                    finished_cost_ += cost;
                    ++finished_;
                }
        }
        log_end(e, rep);
        write();
    }

    SweepSummary summary(bool stopped) const {
        SweepSummary s;
        s.total = static_cast<int>(entries_.size());
        s.skipped = skipped_;
        s.stopped = stopped;
        for (const auto& e : entries_) {
            switch (e.state) {
                case JobState::done:
                    ++s.done;
                    break;
                case JobState::failed:
                    ++s.failed;
                    break;
                case JobState::interrupted:
                case JobState::running:
                    ++s.interrupted;
                    break;
                case JobState::pending:
                    ++s.pending;
                    break;
            }
        }
        return s;
    }

    void log_summary(const SweepSummary& s) const {
        spdlog::info(
            "sweep {} {}: {} done ({} skipped as complete), {} failed, {} interrupted, {} "
            "pending; {} wall",
            name_, s.stopped ? "stopped by signal" : "finished", s.done, s.skipped, s.failed,
            s.interrupted, s.pending, hms(seconds_since(t0_)));
    }

  private:
    void requeue(int i) {
        auto pos = std::find_if(queue_.begin(), queue_.end(), [&](int j) {
            return specs_[j].cost_estimate < specs_[i].cost_estimate;
        });
        queue_.insert(pos, i);
    }

    void log_end(const IndexEntry& e, const JobReport& rep) {
        double left = 0;
        for (int i : queue_) left += specs_[i].cost_estimate;
        for (size_t i = 0; i < entries_.size(); ++i) {
            if (entries_[i].state == JobState::running) left += specs_[i].cost_estimate;
        }
        const double elapsed = seconds_since(t0_);
        std::string eta = finished_cost_ > 0 ? hms(elapsed * left / finished_cost_) : "--";
        std::string metric = rep.metric_name.empty()
                                 ? ""
                                 : fmt::format(" {}={:.6g}", rep.metric_name, rep.metric_value);
        const std::string progress =
            fmt::format("[{}/{} finished, {} running, {} queued, ETA {}]", finished_ + skipped_,
                        entries_.size(), running_, queue_.size(), eta);
        if (e.state == JobState::done) {
            spdlog::info("done  {} in {:.2f} s on {}{} {}", e.job_id, rep.wall_seconds, rep.host,
                         metric, progress);
        } else if (e.state == JobState::interrupted) {
            spdlog::warn("interrupted {} after {:.2f} s on {} {}", e.job_id, rep.wall_seconds,
                         rep.host, progress);
        } else if (e.state == JobState::pending) {
            spdlog::warn("failed {} (attempt {}/{}, will retry): {} {}", e.job_id, e.attempts,
                         opts_.max_attempts, rep.error, progress);
        } else {
            spdlog::error("failed {} after {} attempts: {} {}", e.job_id, e.attempts, rep.error,
                          progress);
        }
    }

    // Rewrites the index; only rows marked in dirty_ are re-formatted.
    void write() {
        if (rows_.size() != entries_.size()) {
            rows_.clear();
            for (const auto& e : entries_) rows_.push_back(jobs::format_index_row(e));
        }
        for (int i : dirty_) rows_[i] = jobs::format_index_row(entries_[i]);
        dirty_.clear();
        try {
            jobs::write_index_rows(index_path_, rows_);
        } catch (const common::Error& err) {
            spdlog::error("{}", err.what());  // the results themselves are safe
        }
    }

    const std::vector<jobs::JobSpec>& specs_;
    const CoordinatorOptions& opts_;
    std::vector<IndexEntry> entries_;
    std::vector<std::string> rows_;  // formatted index rows
    std::vector<int> dirty_;         // rows to re-format before the next write
    std::vector<int> queue_;
    std::string index_path_, name_;
    Clock::time_point t0_;
    int running_ = 0, skipped_ = 0, finished_ = 0;
    double finished_cost_ = 0;
};

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
        rep.state = out.end == JobEnd::done          ? JobState::done
                    : out.end == JobEnd::interrupted ? JobState::interrupted
                                                     : JobState::failed;
        rep.error = out.result.error;
        if (rep.state == JobState::failed && rep.error.empty()) rep.error = "job failed";
        headline(out.result, &rep.metric_name, &rep.metric_value);
    } catch (const std::exception& e) {
        rep.state = JobState::failed;
        rep.error = e.what();
    }
    rep.wall_seconds = seconds_since(t);
    return rep;
}

SweepSummary run_serial(const std::vector<jobs::JobSpec>& jobs, const JobFunction& fn,
                        const CoordinatorOptions& opts) {
    Board board(jobs, opts);
    auto comm = make_self_communicator();
    const int threads = default_threads_per_rank(1);
    const std::string host = mpi_info().host;
    while (board.has_pending() && !stop_requested().load()) {
        int i = board.start_next(host);
        board.finish(run_one(i, jobs[i], fn, *comm, threads));
    }
    SweepSummary s = board.summary(stop_requested().load());
    board.log_summary(s);
    return s;
}

void send_bytes(const std::string& s, int dest, int tag, MPI_Comm comm) {
    MPI_Send(s.data(), static_cast<int>(s.size()), MPI_CHAR, dest, tag, comm);
}

std::string recv_bytes(int source, int tag, MPI_Comm comm, int* from) {
    MPI_Status st;
    MPI_Probe(source, tag, comm, &st);
    int n = 0;
    MPI_Get_count(&st, MPI_CHAR, &n);
    std::string s(static_cast<size_t>(n), '\0');
    MPI_Recv(s.data(), n, MPI_CHAR, st.MPI_SOURCE, tag, comm, MPI_STATUS_IGNORE);
    if (from != nullptr) *from = st.MPI_SOURCE;
    return s;
}

void bcast_bytes(std::string& s, MPI_Comm comm) {
    long long n = static_cast<long long>(s.size());
    MPI_Bcast(&n, 1, MPI_LONG_LONG, 0, comm);
    s.resize(static_cast<size_t>(n));
    if (n > 0) MPI_Bcast(s.data(), static_cast<int>(n), MPI_CHAR, 0, comm);
}

// Rank 0: answer requests until every leader has been told to stop.
SweepSummary coordinate(const std::vector<jobs::JobSpec>& jobs, Board& board, int n_groups,
                        int group_size, MPI_Comm world) {
    std::vector<int> waiting;          // leaders with no job while retries may still come
    std::map<int, std::string> hosts;  // leader rank -> its host, from its requests
    int active = n_groups;
    auto reply = [&](int leader) {
        if (!stop_requested().load() && board.has_pending()) {
            int i = board.start_next(hosts[leader]);
            send_bytes(encode_job(i, jobs[i]), leader, kTagReply, world);
            return true;
        }
        if (!stop_requested().load() && board.running() > 0) return false;  // wait for retries
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
            if (stop_requested().load() || !board.has_pending()) {
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
    return board.summary(stop_requested().load());
}

void lead_group(const JobFunction& fn, Communicator& comm, MPI_Comm group, MPI_Comm world,
                int threads) {
    JobReport last;  // job_index -1: nothing to report yet
    last.state = JobState::pending;
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
    std::unique_ptr<Board> board;
    std::string setup_error;
    if (rank == 0) {
        try {
            if (!opts.out_dir.empty()) fs::create_directories(opts.out_dir);
            board = std::make_unique<Board>(jobs, opts);
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
