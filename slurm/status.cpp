#include "slurm/status.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/error.h"
#include "jobs/sweep_status.h"
#include "slurm/job_table.h"
#include "slurm/process.h"
#include "slurm/slurm_state.h"

namespace nar::slurm {

namespace fs = std::filesystem;

namespace {

// MAX_REQUEUES=N of a rendered script (the script is where that fact lives).
int max_requeues_of(const std::string& script) {
    std::ifstream in(script);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("MAX_REQUEUES=", 0) == 0) return std::atoi(line.c_str() + 13);
    }
    return 0;
}

bool accounting_on() {
    ProcessResult r = run_process({"scontrol", "show", "config"});
    std::istringstream in(r.out);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("AccountingStorageType", 0) == 0) {
            return line.find("accounting_storage/none") == std::string::npos;
        }
    }
    return false;
}

void queue_section(std::ostringstream& s, const std::string& out_dir) {
    std::vector<SlurmJobRecord> rows = read_job_table(out_dir);
    if (rows.empty()) {
        s << "slurm: no jobs recorded (" << job_table_path(out_dir) << " is absent)\n";
        return;
    }
    if (!program_exists("scontrol")) {
        s << "slurm: scontrol not found here; " << rows.size() << " job(s) recorded in "
          << job_table_path(out_dir) << "\n";
        return;
    }
    const bool sacct = accounting_on() && program_exists("sacct");
    s << "slurm jobs (" << job_table_path(out_dir) << ")"
      << (sacct ? "" : "; accounting is off: finished jobs show only while slurmctld keeps them")
      << ":\n";
    for (const auto& r : rows) {
        const int max_requeues = max_requeues_of(r.script);
        const std::string what = r.kind + (r.shards.empty() ? "" : " " + r.shards);
        ProcessResult q = run_process({"scontrol", "-o", "show", "job", r.slurm_id});
        std::vector<QueueEntry> entries = parse_scontrol_jobs(q.out);
        if (entries.empty() && sacct) {
            ProcessResult a = run_process({"sacct", "-n", "-P", "-X", "-j", r.slurm_id,
                                           "--format=JobID,State,ExitCode,Elapsed,NodeList"});
            entries = parse_sacct_rows(a.out);
            for (auto& e : entries) {
                e.std_out = out_dir + "/slurm/" + e.job_id + ".out";
            }
        }
        if (entries.empty()) {
            s << "  " << r.slurm_id << "  " << what << ": gone from the queue (ended)\n";
            continue;
        }
        for (const auto& e : entries) {
            s << "  " << e.job_id << "  " << what << ": " << describe(e, max_requeues) << "\n";
        }
        if (sacct) {
            // Runs that ended in a requeue or preemption, from the history.
            ProcessResult h = run_process({"sacct", "-n", "-P", "-D", "-X", "-j", r.slurm_id,
                                           "--format=JobID,State,ExitCode,Elapsed,NodeList"});
            int earlier = 0;
            for (const auto& e : parse_sacct_rows(h.out)) {
                earlier += e.state == "REQUEUED" || e.state == "PREEMPTED" ||
                           e.state == "TIMEOUT" || e.state == "NODE_FAIL";
            }
            if (earlier > 0) s << "    (" << earlier << " earlier run(s) stopped and requeued)\n";
        }
    }
}

}  // namespace

std::string render_status(const std::string& out_dir) {
    if (!fs::is_directory(out_dir)) throw common::Error(out_dir + ": no such results directory");
    std::ostringstream s;
    s << "sweep results: " << out_dir << "\n";
    queue_section(s, out_dir);
    // Progress: read_sweep_status says so when no coordinator has written an
    // index yet (nothing started) or when one is unreadable.
    try {
        s << jobs::render_sweep_status(jobs::read_sweep_status(out_dir), "text");
    } catch (const common::Error& e) {
        s << "progress: " << e.what() << "\n";
    }
    if (fs::exists(out_dir + "/tables.md")) s << "tables: " << out_dir << "/tables.md\n";
    return s.str();
}

}  // namespace nar::slurm
