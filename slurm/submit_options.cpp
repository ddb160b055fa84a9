#include "slurm/submit_options.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "common/error.h"

namespace nar::slurm {

namespace {

using common::Error;

// A whole non-negative decimal number, or -1.
long whole_number(const std::string& s) {
    if (s.empty() || s.size() > 9) return -1;
    for (char c : s) {
        if (!std::isdigit(static_cast<unsigned char>(c))) return -1;
    }
    return std::stol(s);
}

std::vector<long> split_colons(const std::string& s) {
    std::vector<long> parts;
    size_t start = 0;
    while (true) {
        size_t end = s.find(':', start);
        parts.push_back(whole_number(s.substr(start, end - start)));
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return parts;
}

}  // namespace

ArraySpec parse_array_spec(const std::string& text) {
    const std::string bad = "--array '" + text + "': expected K or K%P (K shards, P at once)";
    ArraySpec a;
    size_t pct = text.find('%');
    long k = whole_number(text.substr(0, pct));
    long p = pct == std::string::npos ? 0 : whole_number(text.substr(pct + 1));
    if (k < 1 || p < 0 || (pct != std::string::npos && p < 1)) throw Error(bad);
    if (p > k) throw Error(bad + "; P must not exceed K");
    a.count = static_cast<int>(k);
    a.parallel = static_cast<int>(p);
    return a;
}

long parse_time_limit(const std::string& text) {
    const Error bad("--time '" + text +
                    "': expected MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS");
    long days = 0;
    std::string rest = text;
    size_t dash = text.find('-');
    if (dash != std::string::npos) {
        days = whole_number(text.substr(0, dash));
        rest = text.substr(dash + 1);
        if (days < 0) throw bad;
    }
    std::vector<long> p = split_colons(rest);
    for (long v : p) {
        if (v < 0) throw bad;
    }
    long seconds = 0;
    if (dash != std::string::npos) {  // D-HH[:MM[:SS]]
        if (p.size() > 3) throw bad;
        const long unit[] = {3600, 60, 1};
        for (size_t i = 0; i < p.size(); ++i) seconds += p[i] * unit[i];
    } else if (p.size() == 1) {
        seconds = p[0] * 60;
    } else if (p.size() == 2) {
        seconds = p[0] * 60 + p[1];
    } else if (p.size() == 3) {
        seconds = p[0] * 3600 + p[1] * 60 + p[2];
    } else {
        throw bad;
    }
    seconds += days * 86400;
    if (seconds <= 0) throw Error("--time '" + text + "': the time limit must be positive");
    return seconds;
}

void validate(const SubmitOptions& o) {
    if (o.sweep_file.empty()) throw Error("nar slurm submit: no sweep file given");
    if (o.nodes < 1) throw Error("--nodes must be at least 1");
    if (o.gpus_per_node < 0) throw Error("--gpus-per-node must not be negative");
    if (o.cpus_per_task < 0) throw Error("--cpus-per-task must not be negative");
    if (o.ranks_per_job < 1) throw Error("--ranks-per-job must be at least 1");
    if (o.max_requeues < 0) throw Error("--max-requeues must not be negative");
    if (o.mpi != "pmix" && o.mpi != "mpirun") {
        throw Error("--mpi '" + o.mpi + "': expected pmix or mpirun");
    }
    const long limit = parse_time_limit(o.time);
    if (o.signal_lead < 1 || o.signal_lead >= limit) {
        throw Error("--signal-lead " + std::to_string(o.signal_lead) +
                    ": must be at least 1 s and shorter than --time " + o.time);
    }
    // Slurm's --signal takes at most 65535 s of lead time.
    if (o.signal_lead > 65535) throw Error("--signal-lead must be at most 65535 s");
    for (const auto& a : o.sbatch_args) {
        if (a.rfind("--", 0) != 0 || a.find('\n') != std::string::npos) {
            throw Error("--sbatch-arg '" + a + "': expected one sbatch option such as --exclusive");
        }
    }
}

int tasks_per_node(const SubmitOptions& o, int node_cpus) {
    if (o.gpus_per_node > 0) return o.gpus_per_node;  // one rank per GPU
    // CPU-only: one rank per --cpus-per-task slice of the node.
    const int slice = o.cpus_per_task > 0 ? o.cpus_per_task : 1;
    return node_cpus > 0 ? std::max(1, node_cpus / slice) : 1;
}

}  // namespace nar::slurm
