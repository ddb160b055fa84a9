#include "slurm/slurm_state.h"

#include <cstdlib>
#include <map>
#include <sstream>

namespace nar::slurm {

namespace {

// "KEY=VALUE KEY=VALUE …"; a value runs to the next space.
std::map<std::string, std::string> fields(const std::string& line) {
    std::map<std::string, std::string> f;
    std::istringstream in(line);
    std::string word;
    while (in >> word) {
        size_t eq = word.find('=');
        if (eq != std::string::npos) f[word.substr(0, eq)] = word.substr(eq + 1);
    }
    return f;
}

std::string get(const std::map<std::string, std::string>& f, const std::string& key) {
    auto it = f.find(key);
    return it == f.end() ? "" : it->second;
}

std::string requeue_count(const QueueEntry& e, int max_requeues) {
    return "requeued " + std::to_string(e.restarts) + "/" + std::to_string(max_requeues);
}

std::string log_hint(const QueueEntry& e) { return e.std_out.empty() ? "" : ", see " + e.std_out; }

int exit_status(const std::string& exit_code) {
    return exit_code.empty() ? 0 : std::atoi(exit_code.c_str());
}

}  // namespace

std::vector<QueueEntry> parse_scontrol_jobs(const std::string& text) {
    std::vector<QueueEntry> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        auto f = fields(line);
        if (get(f, "JobId").empty()) continue;
        QueueEntry e;
        const std::string array_job = get(f, "ArrayJobId"), task = get(f, "ArrayTaskId");
        if (array_job.empty() || task.empty()) {
            e.job_id = get(f, "JobId");
        } else if (task.find_first_of("-,") != std::string::npos) {
            e.job_id = array_job + "_[" + task + "]";  // tasks not started yet
        } else {
            e.job_id = array_job + "_" + task;
        }
        e.state = get(f, "JobState");
        e.reason = get(f, "Reason");
        e.restarts = std::atoi(get(f, "Restarts").c_str());
        e.exit_code = get(f, "ExitCode");
        e.std_out = get(f, "StdOut");
        e.run_time = get(f, "RunTime");
        e.nodes = get(f, "NodeList");
        if (e.nodes == "(null)") e.nodes.clear();
        out.push_back(e);
    }
    return out;
}

std::vector<QueueEntry> parse_sacct_rows(const std::string& text) {
    std::vector<QueueEntry> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        std::vector<std::string> f;
        std::string cell;
        std::istringstream cells(line);
        while (std::getline(cells, cell, '|')) f.push_back(cell);
        if (f.size() < 5 || f[0].empty()) continue;
        QueueEntry e;
        e.job_id = f[0];
        // "CANCELLED by 0" -> "CANCELLED"
        e.state = f[1].substr(0, f[1].find(' '));
        e.exit_code = f[2];
        e.run_time = f[3];
        e.nodes = f[4];
        out.push_back(e);
    }
    return out;
}

bool is_active(const std::string& state) {
    return state == "PENDING" || state == "RUNNING" || state == "REQUEUED" ||
           state == "REQUEUE_HOLD" || state == "REQUEUE_FED" || state == "SUSPENDED" ||
           state == "CONFIGURING" || state == "COMPLETING" || state == "RESIZING";
}

std::string describe(const QueueEntry& e, int max_requeues) {
    const std::string& s = e.state;
    const std::string requeued = e.restarts > 0 ? requeue_count(e, max_requeues) + ", " : "";
    if (s == "PENDING") {
        return requeued + "waiting" +
               (e.reason.empty() || e.reason == "None" ? "" : " (" + e.reason + ")");
    }
    if (s == "RUNNING" || s == "CONFIGURING") {
        return requeued + "running" + (e.run_time.empty() ? "" : " for " + e.run_time) +
               (e.nodes.empty() ? "" : " on " + e.nodes);
    }
    if (s == "COMPLETING") return requeued + "ending";
    if (s == "REQUEUED" || s == "REQUEUE_HOLD" || s == "REQUEUE_FED") {
        return "checkpointed, being requeued (" + requeue_count(e, max_requeues) + ")";
    }
    if (s == "PREEMPTED") return "preempted: running jobs checkpointed" + log_hint(e);
    if (s == "TIMEOUT") {
        return "hit its time limit: running jobs checkpointed at the warning signal; run nar "
               "slurm submit again (or allow more --max-requeues / a longer --time)" +
               log_hint(e);
    }
    if (s == "NODE_FAIL") {
        return "a node failed: unfinished jobs restart from their last checkpoint when the "
               "sweep is submitted again" +
               log_hint(e);
    }
    if (s == "OUT_OF_MEMORY") return "out of memory (ask for more with --mem)" + log_hint(e);
    if (s == "FAILED") {
        if (exit_status(e.exit_code) == 3) {
            return "stopped after checkpointing, requeue limit reached (" +
                   requeue_count(e, max_requeues) + "): run nar slurm submit again to go on" +
                   log_hint(e);
        }
        return "failed (exit code " + e.exit_code + ")" + log_hint(e);
    }
    if (s == "COMPLETED") return requeued + "finished";
    if (s == "CANCELLED") return "cancelled";
    if (s == "DEADLINE") return "passed its deadline" + log_hint(e);
    if (s == "BOOT_FAIL") return "its node failed to boot" + log_hint(e);
    if (s == "SUSPENDED") return "suspended";
    return s;
}

}  // namespace nar::slurm
