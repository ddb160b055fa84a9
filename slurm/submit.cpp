#include "slurm/submit.h"

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <sstream>

#include "common/atomic_write.h"
#include "common/error.h"
#include "jobs/sweep_file.h"
#include "jobs/sweep_identity.h"
#include "jobs/sweep_plan.h"
#include "slurm/batch_script.h"
#include "slurm/process.h"
#include "slurm/slurm_state.h"

namespace nar::slurm {

namespace fs = std::filesystem;

namespace {

using common::Error;

const int kSlurmDefaultMaxArraySize = 1001;

std::string utc_now() {
    char buf[32];
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

// The smallest CPU count of the partition's nodes, 0 when unknown.
int node_cpus_of(const std::string& partition) {
    if (!program_exists("sinfo")) return 0;
    std::vector<std::string> cmd = {"sinfo", "-h", "-o", "%c"};
    if (!partition.empty()) cmd.insert(cmd.end(), {"-p", partition});
    ProcessResult r = run_process(cmd);
    int best = 0;
    std::istringstream in(r.out);
    std::string w;
    while (in >> w) {
        int v = std::atoi(w.c_str());
        if (v > 0 && (best == 0 || v < best)) best = v;
    }
    return best;
}

// Adds the partition's size to a refused submission's message.
std::string partition_hint(const SubmitOptions& o) {
    if (!program_exists("scontrol")) return "";
    std::vector<std::string> cmd = {"scontrol", "-o", "show", "partition"};
    if (!o.partition.empty()) cmd.push_back(o.partition);
    ProcessResult r = run_process(cmd);
    std::istringstream in(r.out);
    std::string line, hint;
    while (std::getline(in, line)) {
        std::string name, total, max_nodes, max_time;
        std::istringstream words(line);
        std::string w;
        bool dflt = false;
        while (words >> w) {
            auto val = [&](const char* k) {
                return w.rfind(k, 0) == 0 ? w.substr(std::string(k).size()) : std::string();
            };
            if (w.rfind("PartitionName=", 0) == 0) name = val("PartitionName=");
            if (w.rfind("TotalNodes=", 0) == 0) total = val("TotalNodes=");
            if (w.rfind("MaxNodes=", 0) == 0) max_nodes = val("MaxNodes=");
            if (w.rfind("MaxTime=", 0) == 0) max_time = val("MaxTime=");
            if (w == "Default=YES") dflt = true;
        }
        if (!o.partition.empty() || dflt) {
            hint = " (partition " + name + ": " + total + " node(s), MaxNodes=" + max_nodes +
                   ", MaxTime=" + max_time + "; asked for " + std::to_string(o.nodes) +
                   " node(s) x " + std::to_string(o.gpus_per_node) + " GPU(s), --time " + o.time +
                   ")";
        }
    }
    return hint;
}

std::string sbatch(const std::vector<std::string>& extra, const std::string& script,
                   const SubmitOptions& o) {
    std::vector<std::string> cmd = {"sbatch", "--parsable"};
    cmd.insert(cmd.end(), extra.begin(), extra.end());
    cmd.push_back(script);
    std::string out;
    try {
        out = run_checked(cmd);
    } catch (const Error& e) {
        throw Error(std::string(e.what()) + partition_hint(o));
    }
    std::string id = out.substr(0, out.find_first_of(";\n"));
    if (id.empty()) throw Error("sbatch printed no job id for " + script);
    return id;
}

std::string join(const std::vector<std::string>& v, const std::string& sep) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
    return s;
}

// Refuses to start a second set of jobs on a directory whose jobs still run:
// two coordinators would run the same jobs.
void refuse_if_active(const std::string& out_dir) {
    std::vector<std::string> ids;
    for (const auto& r : read_job_table(out_dir)) {
        if (r.kind != "tables") ids.push_back(r.slurm_id);
    }
    if (ids.empty() || !program_exists("scontrol")) return;
    std::vector<std::string> active;
    for (const auto& id : ids) {
        ProcessResult r = run_process({"scontrol", "-o", "show", "job", id});
        for (const auto& e : parse_scontrol_jobs(r.out)) {
            if (is_active(e.state)) active.push_back(e.job_id + " (" + e.state + ")");
        }
    }
    if (!active.empty()) {
        throw Error(out_dir + " already has Slurm jobs in the queue: " + join(active, ", ") +
                    "; wait for them or run nar slurm cancel " + out_dir);
    }
}

}  // namespace

int max_array_size_of(const std::string& config, int fallback) {
    std::istringstream in(config);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("MaxArraySize", 0) != 0) continue;
        size_t eq = line.find('=');
        if (eq != std::string::npos) return std::atoi(line.c_str() + eq + 1);
    }
    return fallback;
}

SubmitResult submit_sweep(const SubmitOptions& o, const NarInstall& nar) {
    validate(o);
    std::vector<std::string> overrides = o.overrides;
    if (!o.out_dir.empty()) overrides.push_back("out=" + jobs::toml_string(o.out_dir));
    const jobs::SweepPlan plan = jobs::load_sweep(o.sweep_file, overrides);
    if (plan.jobs.empty()) throw Error(o.sweep_file + ": the sweep has no jobs");

    const bool have_slurm = program_exists("sbatch");
    if (!have_slurm && !o.dry_run) {
        throw Error(
            "sbatch not found in PATH: nar slurm submit runs on a Slurm login node "
            "(--dry-run prints the script anywhere)");
    }
    ScriptContext ctx;
    ctx.nar_path = nar.nar_path;
    ctx.sweep_file = fs::absolute(o.sweep_file).lexically_normal().string();
    ctx.out_dir = fs::absolute(plan.out_dir).lexically_normal().string();
    if (ctx.out_dir.size() > 1 && ctx.out_dir.back() == '/') ctx.out_dir.pop_back();
    ctx.name = plan.name;
    ctx.version = nar.version;
    ctx.env = explicit_environment(nar.nar_path, [](const char* k) { return std::getenv(k); });
    ctx.node_cpus = o.gpus_per_node > 0 ? 0 : node_cpus_of(o.partition);
    ctx.cuda_build = nar.cuda_build;
    ctx.has_report = nar.has_report;
    // nar sweep run gets the same file and key=value list, and --out with the
    // absolute results directory, so it resolves the same jobs.

    std::vector<std::pair<std::string, std::string>> scripts;  // file name, text
    std::vector<ArrayChunk> chunks;
    if (o.array.count > 0) {
        int max_size = kSlurmDefaultMaxArraySize;
        if (program_exists("scontrol")) {
            max_size = max_array_size_of(run_process({"scontrol", "show", "config"}).out,
                                         kSlurmDefaultMaxArraySize);
        }
        chunks = split_array(o.array.count, max_size);
        for (const auto& c : chunks) {
            scripts.emplace_back("array-" + std::to_string(c.offset) + ".sbatch",
                                 render_sweep_script(o, ctx, c));
        }
    } else {
        scripts.emplace_back("sweep.sbatch", render_sweep_script(o, ctx));
    }
    // The sweep's job ids are known only once submitted; the dry run shows a stand-in.
    std::string tables = render_aggregate_script(o, ctx, "<the sweep's job ids>");
    SubmitResult res;
    if (o.gpus_per_node > 0 && !nar.cuda_build) {
        res.warnings.push_back("this nar is a CPU-only build: the jobs ask for " +
                               std::to_string(o.gpus_per_node) +
                               " GPU(s) per node but train on CPU");
    }
    res.out_dir = ctx.out_dir;
    const std::string dir = ctx.out_dir + "/slurm";
    if (o.dry_run) {
        if (fs::exists(jobs::plan_record_path(ctx.out_dir)) && !o.force &&
            jobs::read_plan_record(ctx.out_dir).hash != jobs::plan_hash(plan.jobs)) {
            res.warnings.push_back(ctx.out_dir +
                                   " holds another plan: submitting this sweep there is refused "
                                   "(--force adds only its new jobs)");
        }
        std::ostringstream s;
        for (size_t i = 0; i < scripts.size(); ++i) {
            if (i > 0) {
                s << "# ---- " << dir << "/" << scripts[i].first
                  << ", submitted with --dependency=afterany:<the previous array> ----\n";
            }
            s << scripts[i].second;
        }
        s << "# ---- " << dir
          << "/tables.sbatch, submitted with --dependency=afterany:<the jobs above> ----\n";
        s << tables;
        res.text = s.str();
        return res;
    }

    refuse_if_active(ctx.out_dir);
    // The directory's plan (OUT/plan.tsv) must be this one, or a subset with --force;
    // recorded here when new, exactly as nar sweep run would on its first start.
    fs::create_directories(dir);
    jobs::check_or_record_plan(plan, ctx.out_dir, o.force);
    for (const auto& [file, text] : scripts) common::write_text_atomically(dir + "/" + file, text);

    const std::string now = utc_now();
    std::vector<std::string> ids;
    try {
        for (size_t i = 0; i < scripts.size(); ++i) {
            std::vector<std::string> extra;
            // Later chunks of a split array wait for the previous one, so the
            // %P limit holds across submissions.
            if (i > 0) extra.push_back("--dependency=afterany:" + ids.back());
            const std::string path = dir + "/" + scripts[i].first;
            ids.push_back(sbatch(extra, path, o));
            SlurmJobRecord r{ids.back(), "sweep", "", now, path};
            if (o.array.count > 0) {
                r.kind = "array";
                r.shards = std::to_string(chunks[i].offset) + "-" +
                           std::to_string(chunks[i].offset + chunks[i].count - 1) + "/" +
                           std::to_string(o.array.count);
            }
            res.jobs.push_back(r);
        }
        tables = render_aggregate_script(o, ctx, join(ids, ":"));
        common::write_text_atomically(dir + "/tables.sbatch", tables);
        const std::string tid =
            sbatch({"--dependency=afterany:" + join(ids, ":")}, dir + "/tables.sbatch", o);
        res.jobs.push_back({tid, "tables", "", now, dir + "/tables.sbatch"});
    } catch (const Error&) {
        if (!ids.empty()) {
            std::vector<std::string> cmd = {"scancel"};
            cmd.insert(cmd.end(), ids.begin(), ids.end());
            run_process(cmd);
        }
        throw;
    }
    append_job_table(ctx.out_dir, res.jobs);
    std::ostringstream s;
    for (const auto& r : res.jobs) {
        s << r.slurm_id << "\t" << r.kind << (r.shards.empty() ? "" : " " + r.shards) << "\t"
          << r.script << "\n";
    }
    res.text = s.str();
    return res;
}

std::vector<std::string> cancel_sweep(const std::string& out_dir) {
    std::vector<SlurmJobRecord> rows = read_job_table(out_dir);
    if (rows.empty()) throw Error(job_table_path(out_dir) + ": no Slurm jobs recorded");
    std::vector<std::string> cmd = {"scancel"};
    std::vector<std::string> active;
    for (const auto& r : rows) {
        ProcessResult q = run_process({"scontrol", "-o", "show", "job", r.slurm_id});
        for (const auto& e : parse_scontrol_jobs(q.out)) {
            if (is_active(e.state)) {
                active.push_back(r.slurm_id);
                break;
            }
        }
    }
    if (active.empty()) return active;
    cmd.insert(cmd.end(), active.begin(), active.end());
    run_checked(cmd);
    return active;
}

}  // namespace nar::slurm
