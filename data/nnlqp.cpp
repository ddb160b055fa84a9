#include "data/nnlqp.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <unordered_map>

#include "common/error.h"
#include "common/numbers.h"
#include "data/feature_cache.h"
#include "data/input_limits.h"

namespace nar::data {

namespace fs = std::filesystem;
using nar::common::Error;

std::string find_nnlqp_labels(const std::string& root) {
    for (const char* name : {"gt_stage.txt", "gt.txt"}) {
        const fs::path p = fs::path(root) / name;
        if (fs::exists(p)) return p.string();
    }
    throw Error(root + ": no NNLQP label file (gt_stage.txt or gt.txt) in this directory");
}

std::vector<NnlqpRow> read_nnlqp_labels(const std::string& path) {
    std::istringstream in(read_bounded_file(path, kMaxTextBytes));
    std::vector<NnlqpRow> rows;
    std::unordered_map<int64_t, int> first_line;  // id -> line, for the duplicate warning
    std::string duplicates;
    int n_duplicates = 0;
    std::string line;
    int lineno = 0;
    while (std::getline(in, line)) {
        ++lineno;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        std::istringstream ss(line);
        std::vector<std::string> f;
        for (std::string t; ss >> t;) f.push_back(t);
        if (f.empty() || f[0][0] == '#') continue;
        const std::string where = path + ":" + std::to_string(lineno) + ": ";
        if (f.size() != 6 && f.size() != 7)
            throw Error(where +
                        "expected 6 or 7 fields (id onnx_path batch latency_ms family "
                        "platform [stage]), got " +
                        std::to_string(f.size()));
        NnlqpRow r;
        r.line = lineno;
        const auto id = common::try_parse_int64(f[0]);
        if (!id) throw Error(where + "bad id '" + f[0] + "'");
        r.id = *id;
        r.onnx_path = f[1];
        const auto batch = common::try_parse_int64(f[2]);
        if (!batch || *batch <= 0)
            throw Error(where + "bad batch size '" + f[2] + "' (a positive integer is needed)");
        r.batch = *batch;
        const auto ms = common::try_parse_double(f[3]);
        if (!ms || !std::isfinite(*ms) || *ms <= 0)
            throw Error(where + "bad latency '" + f[3] + "' (a positive number of ms is needed)");
        r.latency_ms = *ms;
        r.family = f[4];
        r.platform = f[5];
        if (f.size() == 7) {
            r.stage = f[6];
            if (r.stage != "train" && r.stage != "test")
                throw Error(where + "stage must be 'train' or 'test', got '" + r.stage + "'");
        }
        if (!rows.empty() && rows.front().stage.empty() != r.stage.empty())
            throw Error(where + "the stage column is present on some lines only");
        auto [it, fresh] = first_line.emplace(r.id, lineno);
        if (!fresh && n_duplicates++ < 3)
            duplicates += (duplicates.empty() ? "" : "; ") + std::string("line ") +
                          std::to_string(lineno) + " repeats id " + std::to_string(r.id) +
                          " of line " + std::to_string(it->second);
        rows.push_back(std::move(r));
    }
    if (rows.empty()) throw Error(path + ": no rows");
    if (n_duplicates > 0)
        spdlog::warn("{}: {} row(s) repeat an earlier id ({}{}); ids should be unique", path,
                     n_duplicates, duplicates, n_duplicates > 3 ? "; ..." : "");
    return rows;
}

std::vector<std::string> nnlqp_families(const std::vector<NnlqpRow>& rows) {
    std::set<std::string> s;
    for (const auto& r : rows) s.insert(r.family);
    return {s.begin(), s.end()};
}

NnlqpSplit split_nnlqp(const std::vector<NnlqpRow>& rows, const NnlqpSplitOptions& o) {
    if (!(o.val_fraction >= 0 && o.val_fraction < 1))
        throw Error("val_fraction must be in [0, 1), got " + std::to_string(o.val_fraction));
    const auto families = nnlqp_families(rows);
    auto list = [](const std::vector<std::string>& v) {
        std::string s;
        for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
        return s;
    };
    if (o.kind == NnlqpSplitKind::holdout &&
        !std::binary_search(families.begin(), families.end(), o.holdout_family))
        throw Error("unknown NNLQP family '" + o.holdout_family +
                    "'; the families are: " + list(families));
    if (o.kind == NnlqpSplitKind::in_domain && !rows.empty() && rows.front().stage.empty())
        throw Error("the in-domain split needs the stage column (gt_stage.txt)");

    // Training candidates per family, in row order; test rows.
    NnlqpSplit s;
    std::map<std::string, std::vector<size_t>> train_by_family;
    size_t kept = 0;
    for (size_t i = 0; i < rows.size(); ++i) {
        const NnlqpRow& r = rows[i];
        if (!o.platform.empty() && r.platform != o.platform) continue;
        ++kept;
        const bool test =
            o.kind == NnlqpSplitKind::in_domain ? r.stage == "test" : r.family == o.holdout_family;
        if (test)
            s.test.push_back(i);
        else
            train_by_family[r.family].push_back(i);
    }
    if (kept == 0) {
        std::set<std::string> platforms;
        for (const auto& r : rows) platforms.insert(r.platform);
        throw Error("no NNLQP rows on platform '" + o.platform +
                    "'; the platforms are: " + list({platforms.begin(), platforms.end()}));
    }
    // Validation: a seeded Fisher-Yates shuffle per family (own loop, so the
    // choice does not depend on the standard library's shuffle).
    std::mt19937_64 rng(o.seed);
    for (auto& [family, idx] : train_by_family) {
        const size_t n_val = static_cast<size_t>(std::llround(o.val_fraction * idx.size()));
        std::vector<size_t> perm = idx;
        for (size_t k = perm.size(); k > 1; --k) std::swap(perm[k - 1], perm[rng() % k]);
        std::vector<size_t> val(perm.begin(), perm.begin() + n_val);
        std::sort(val.begin(), val.end());
        s.val.insert(s.val.end(), val.begin(), val.end());
        std::set<size_t> vs(val.begin(), val.end());
        for (size_t i : idx)
            if (!vs.count(i)) s.train.push_back(i);
    }
    std::sort(s.train.begin(), s.train.end());
    std::sort(s.val.begin(), s.val.end());
    return s;
}

NnlqpDataset assemble_nnlqp(const std::vector<NnlqpRow>& rows, const NnlqpSplit& split,
                            const NnlqpGraphLoader& load_graph) {
    NnlqpDataset d;
    d.families = nnlqp_families(rows);
    auto fill = [&](const std::vector<size_t>& idx, std::vector<Sample>* out) {
        out->reserve(idx.size());
        for (size_t i : idx) {
            const NnlqpRow& r = rows[i];
            Sample s;
            try {
                s.graph = load_graph(r);
            } catch (const Error& e) {
                if (d.failures.size() < 5)
                    d.failures.push_back("id " + std::to_string(r.id) + " (" + r.onnx_path +
                                         "): " + e.what());
                ++d.n_failed;
                continue;
            }
            s.target = r.latency_ms;
            s.group = r.family;
            s.id = r.id;
            out->push_back(std::move(s));
        }
    };
    fill(split.train, &d.train);
    fill(split.val, &d.val);
    fill(split.test, &d.test);
    if (d.n_failed > 0) {
        std::string first;
        for (const auto& f : d.failures) first += "\n  " + f;
        spdlog::warn("NNLQP: {} row(s) excluded because their ONNX could not be loaded; first:{}",
                     d.n_failed, first);
    }
    return d;
}

namespace {

bool dir_writable(const fs::path& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    return fs::is_directory(dir) && ::access(dir.c_str(), W_OK) == 0;
}

}  // namespace

NnlqpDataset load_nnlqp(const std::string& root, const NnlqpSplitOptions& split_opts,
                        const NnlqpLoadOptions& load) {
    const std::string labels = find_nnlqp_labels(root);
    const auto rows = read_nnlqp_labels(labels);
    const NnlqpSplit split = split_nnlqp(rows, split_opts);

    // Every row used, in one batch through the cache (threads for the misses).
    std::vector<size_t> used;
    for (const auto* v : {&split.train, &split.val, &split.test})
        used.insert(used.end(), v->begin(), v->end());
    std::vector<GraphRequest> req;
    req.reserve(used.size());
    for (size_t i : used)
        req.push_back({(fs::path(root) / rows[i].onnx_path).string(), rows[i].batch});

    std::string cache_file;
    if (load.use_cache) {
        cache_file = default_feature_cache_file(root, load.extract, load.cache_dir);
        if (!dir_writable(fs::path(cache_file).parent_path())) {
            spdlog::warn(
                "NNLQP: cache directory {} is not writable; features are not cached "
                "(give a cache directory)",
                fs::path(cache_file).parent_path().string());
            cache_file.clear();
        }
    }
    FeatureCache cache(cache_file, load.extract);
    std::vector<std::string> errors;
    FeatureCacheStats stats;
    std::vector<Graph> graphs = cache.get(req, load.threads, &errors, &stats);
    spdlog::info("NNLQP {}: {} graphs ({} cached, {} extracted, {} failed)", root, req.size(),
                 stats.hits, stats.extracted, stats.failed);
    cache.save();

    std::vector<size_t> slot(rows.size(), 0);
    for (size_t k = 0; k < used.size(); ++k) slot[used[k]] = k;
    auto loader = [&](const NnlqpRow& r) -> Graph {
        const size_t k = slot[static_cast<size_t>(&r - rows.data())];
        if (!errors[k].empty()) throw Error(errors[k]);
        return std::move(graphs[k]);
    };
    NnlqpDataset d = assemble_nnlqp(rows, split, loader);
    if (!used.empty() && d.n_failed == used.size())
        throw Error(root + ": none of the " + std::to_string(used.size()) +
                    " NNLQP rows could be loaded; first: " + d.failures.front());
    return d;
}

}  // namespace nar::data
