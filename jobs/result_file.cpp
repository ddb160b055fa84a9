#include "jobs/result_file.h"

#include <cstdio>
#include <filesystem>
#include <string>

#include "common/error.h"
#include "common/h5.h"

namespace nar::jobs {

namespace fs = std::filesystem;
using common::H5File;

namespace {

std::string encode_group(const std::string& g) {
    if (g.empty()) return "%";
    std::string out;
    for (char c : g) {
        if (c == '%') {
            out += "%25";
        } else if (c == '/') {
            out += "%2F";
        } else {
            out += c;
        }
    }
    return out;
}

std::string decode_group(const std::string& g) {
    if (g == "%") return "";
    std::string out;
    for (size_t i = 0; i < g.size(); ++i) {
        if (g[i] == '%' && g.compare(i, 3, "%25") == 0) {
            out += '%';
            i += 2;
        } else if (g[i] == '%' && g.compare(i, 3, "%2F") == 0) {
            out += '/';
            i += 2;
        } else {
            out += g[i];
        }
    }
    return out;
}

void write_contents(H5File& f, const JobResult& r) {
    const size_t n = r.predictions.size();
    if (r.targets.size() != n || r.groups.size() != n || r.sample_ids.size() != n) {
        throw common::Error("job " + r.job_id + ": test arrays differ in length (predictions " +
                            std::to_string(n) + ", targets " + std::to_string(r.targets.size()) +
                            ", groups " + std::to_string(r.groups.size()) + ", sample_ids " +
                            std::to_string(r.sample_ids.size()) + ")");
    }
    const std::string root = "/";
    f.write_attr_string(root, "job_id", r.job_id);
    f.write_attr_string(root, "study", r.study);
    f.write_attr_string(root, "error", r.error);
    f.write_attr_i64(root, "seed", static_cast<int64_t>(r.seed));
    f.write_attr_string(root, "config_hash", r.config_hash);
    f.write_attr_string(root, "start_time", r.start_time);
    f.write_attr_string(root, "end_time", r.end_time);
    f.write_attr_f64(root, "wall_seconds", r.wall_seconds);
    f.write_attr_i64(root, "ranks", r.ranks);
    f.write_attr_string(root, "device", r.device);
    f.write_attr_string(root, "host", r.host);
    f.write_attr_string(root, "code_version", r.code_version);
    f.write_attr_string(root, "blas_core", r.blas_core);
    f.write_attr_string(root, "gemm_library", r.gemm_library);
    f.write_attr_i64(root, "attempt", r.attempt);
    f.write_attr_i64(root, "best_epoch", r.best_epoch);
    f.write_attr_i64(root, "epochs_done", r.epochs_done);
    f.write_attr_string(root, "val_metric_name", r.val_metric_name);
    f.write_string("config", r.config_text);

    f.write_f64("test/predictions", r.predictions, {n});
    f.write_f64("test/targets", r.targets, {n});
    f.write_strings("test/groups", r.groups);
    f.write_i64("test/sample_ids", r.sample_ids, {n});

    f.write_f64("epochs/train_loss", r.train_loss, {r.train_loss.size()});
    f.write_f64("epochs/val_metric", r.val_metric, {r.val_metric.size()});
    f.write_f64("epochs/lr", r.lr, {r.lr.size()});

    f.create_group("metrics");
    for (const auto& [name, v] : r.metrics) f.write_attr_f64("metrics", name, v);
    f.create_group("group_metrics");
    for (const auto& [group, ms] : r.group_metrics) {
        const std::string obj = "group_metrics/" + encode_group(group);
        f.create_group(obj);
        for (const auto& [name, v] : ms) f.write_attr_f64(obj, name, v);
    }
    // Last: a file with a status attribute is a whole file.
    f.write_attr_string(root, "status", to_string(r.status));
}

}  // namespace

void write_result(const std::string& path, const JobResult& result) {
    const std::string tmp = path + ".tmp";
    try {
        fs::path parent = fs::path(path).parent_path();
        if (!parent.empty()) fs::create_directories(parent);
        {
            H5File f(tmp, H5File::Mode::Truncate);
            write_contents(f, result);
            f.flush();
            f.close();
        }
        fs::rename(tmp, path);
    } catch (const std::exception& e) {
        std::error_code ec;
        if (fs::is_regular_file(tmp, ec)) fs::remove(tmp, ec);
        throw common::Error("cannot write result file " + path + ": " + e.what());
    }
}

JobResult read_result(const std::string& path) {
    if (!fs::exists(path)) throw common::Error(path + ": result file does not exist");
    H5File f(path, H5File::Mode::Read);
    const std::string root = "/";
    for (const char* a : {"job_id", "status"}) {
        if (!f.has_attr(root, a)) {
            throw common::Error(path + ": not a nar result file (no root attribute '" +
                                std::string(a) + "')");
        }
    }
    JobResult r;
    auto str = [&](const char* a) {
        return f.has_attr(root, a) ? f.read_attr_string(root, a) : std::string();
    };
    auto i64 = [&](const char* a, int64_t dflt) {
        return f.has_attr(root, a) ? f.read_attr_i64(root, a) : dflt;
    };
    r.job_id = str("job_id");
    r.study = str("study");
    r.status = job_status_from_string(str("status"));
    r.error = str("error");
    r.seed = static_cast<uint64_t>(i64("seed", 0));
    r.config_hash = str("config_hash");
    r.start_time = str("start_time");
    r.end_time = str("end_time");
    r.wall_seconds = f.has_attr(root, "wall_seconds") ? f.read_attr_f64(root, "wall_seconds") : 0;
    r.ranks = static_cast<int>(i64("ranks", 1));
    r.device = str("device");
    r.host = str("host");
    r.code_version = str("code_version");
    r.blas_core = str("blas_core");
    r.gemm_library = str("gemm_library");
    r.attempt = static_cast<int>(i64("attempt", 1));
    r.best_epoch = static_cast<int>(i64("best_epoch", -1));
    r.epochs_done = static_cast<int>(i64("epochs_done", 0));
    r.val_metric_name = str("val_metric_name");
    if (f.exists("config")) r.config_text = f.read_string("config");

    if (f.exists("test/predictions")) r.predictions = f.read_f64("test/predictions");
    if (f.exists("test/targets")) r.targets = f.read_f64("test/targets");
    if (f.exists("test/groups")) r.groups = f.read_strings("test/groups");
    if (f.exists("test/sample_ids")) r.sample_ids = f.read_i64("test/sample_ids");
    if (f.exists("epochs/train_loss")) r.train_loss = f.read_f64("epochs/train_loss");
    if (f.exists("epochs/val_metric")) r.val_metric = f.read_f64("epochs/val_metric");
    if (f.exists("epochs/lr")) r.lr = f.read_f64("epochs/lr");

    if (f.exists("metrics")) {
        for (const auto& name : f.attr_names("metrics")) {
            r.metrics[name] = f.read_attr_f64("metrics", name);
        }
    }
    if (f.exists("group_metrics")) {
        for (const auto& g : f.children("group_metrics")) {
            const std::string obj = "group_metrics/" + g;
            auto& ms = r.group_metrics[decode_group(g)];
            for (const auto& name : f.attr_names(obj)) ms[name] = f.read_attr_f64(obj, name);
        }
    }
    return r;
}

bool result_is_complete(const std::string& path) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) return false;
    try {
        H5File f(path, H5File::Mode::Read);
        return f.has_attr("/", "status");
    } catch (const std::exception&) {
        return false;
    }
}

}  // namespace nar::jobs
