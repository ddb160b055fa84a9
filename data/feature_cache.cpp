#include "data/feature_cache.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <thread>

#include "common/error.h"
#include "common/fnv1a.h"
#include "common/h5.h"
#include "data/onnx_model.h"

namespace nar::data {

namespace fs = std::filesystem;
using nar::common::Error;
using nar::common::H5File;
using nar::common::fnv1a64;

std::string feature_cache_version(const ExtractOptions& o) {
    return "nar-onnx-features v" + std::to_string(kOnnxEncoderVersion) + " " +
           to_string(o.encoding) + (o.flops == FlopsMode::fixed ? " fixed-flops" : " compat-flops");
}

std::string default_feature_cache_file(const std::string& root, const ExtractOptions& o,
                                       const std::string& cache_dir) {
    std::string name =
        "features-" + to_string(o.encoding) + (o.flops == FlopsMode::fixed ? "-fixed" : "") + ".h5";
    if (cache_dir.empty()) return (fs::path(root) / ".nar_cache" / name).string();
    // One directory may serve several roots: prefix the root's hash.
    std::error_code ec;
    const std::string abs = fs::weakly_canonical(fs::path(root), ec).string();
    char buf[17];
    snprintf(buf, sizeof buf, "%016llx",
             static_cast<unsigned long long>(fnv1a64(abs.data(), abs.size())));
    return (fs::path(cache_dir) / (std::string(buf) + "-" + name)).string();
}

uint64_t FeatureCache::key_of(uint64_t hash, int64_t batch) {
    return fnv1a64(&batch, sizeof batch, hash);
}

FeatureCache::FeatureCache(std::string file, ExtractOptions options)
    : file_(std::move(file)), options_(options) {
    if (!file_.empty() && fs::exists(file_)) {
        try {
            load();
        } catch (const std::exception& e) {
            spdlog::warn("feature cache {} unreadable, rebuilding: {}", file_, e.what());
            entries_.clear();
            index_.clear();
            stamps_.clear();
        }
    }
}

void FeatureCache::load() {
    H5File f(file_, H5File::Mode::Read);
    const std::string version = f.read_attr_string("/", "version");
    if (version != feature_cache_version(options_)) {
        spdlog::info("feature cache {} is for '{}', rebuilding for '{}'", file_, version,
                     feature_cache_version(options_));
        return;
    }
    const int64_t fdim = f.read_attr_i64("/", "feat_dim");
    const int64_t sdim = f.read_attr_i64("/", "static_dim");
    const auto hash = f.read_i64("hash");
    const auto batch = f.read_i64("batch");
    const auto nodes = f.read_i64("num_nodes");
    const auto nedges = f.read_i64("num_edges");
    const auto unknown = f.read_i64("n_unknown");
    const auto x = f.read_f32("x");
    const auto edges = f.read_i64("edges");
    const auto st = f.read_f32("static");
    const size_t n = hash.size();
    if (batch.size() != n || nodes.size() != n || nedges.size() != n || unknown.size() != n ||
        st.size() != n * static_cast<size_t>(sdim))
        throw Error(file_ + ": inconsistent cache arrays");
    size_t xo = 0, eo = 0;
    entries_.resize(n);
    for (size_t i = 0; i < n; ++i) {
        Entry& e = entries_[i];
        e.hash = static_cast<uint64_t>(hash[i]);
        e.batch = batch[i];
        e.n_unknown = unknown[i];
        Graph& g = e.graph;
        g.num_nodes = nodes[i];
        g.feat_dim = fdim;
        const size_t nx = static_cast<size_t>(nodes[i] * fdim);
        const size_t ne = static_cast<size_t>(nedges[i]);
        if (xo + nx > x.size() || eo + 2 * ne > edges.size())
            throw Error(file_ + ": truncated cache arrays");
        g.x.assign(x.begin() + xo, x.begin() + xo + nx);
        g.edges.resize(ne);
        for (size_t k = 0; k < ne; ++k) g.edges[k] = {edges[eo + 2 * k], edges[eo + 2 * k + 1]};
        g.static_feat.assign(st.begin() + i * sdim, st.begin() + (i + 1) * sdim);
        xo += nx;
        eo += 2 * ne;
        index_[key_of(e.hash, e.batch)] = i;
    }
    if (f.exists("files/path")) {
        const auto paths = f.read_strings("files/path");
        const auto sizes = f.read_i64("files/size");
        const auto mtimes = f.read_i64("files/mtime_ns");
        const auto hashes = f.read_i64("files/hash");
        for (size_t i = 0;
             i < paths.size() && i < sizes.size() && i < mtimes.size() && i < hashes.size(); ++i)
            stamps_[paths[i]] = {sizes[i], mtimes[i], static_cast<uint64_t>(hashes[i])};
    }
}

namespace {

bool stat_file(const std::string& path, int64_t* size, int64_t* mtime_ns) {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return false;
    *size = static_cast<int64_t>(st.st_size);
    *mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
    return true;
}

}  // namespace

std::vector<Graph> FeatureCache::get(const std::vector<GraphRequest>& requests, int threads,
                                     std::vector<std::string>* errors, FeatureCacheStats* stats) {
    const size_t n = requests.size();
    std::vector<Graph> out(n);
    std::vector<std::string> err(n);
    FeatureCacheStats st;
    auto strict_error = [&](const GraphRequest& r) {
        return r.path + ": operators outside the reference op table (strict mode)";
    };

    // Pass 1 (serial): hits through the stat stamp; everything else is a miss.
    std::vector<size_t> misses;
    for (size_t i = 0; i < n; ++i) {
        const GraphRequest& r = requests[i];
        int64_t size = 0, mtime = 0;
        auto it = stamps_.find(r.path);
        if (it != stamps_.end() && stat_file(r.path, &size, &mtime) && size == it->second.size &&
            mtime == it->second.mtime_ns) {
            auto e = index_.find(key_of(it->second.hash, r.batch));
            if (e != index_.end() && entries_[e->second].hash == it->second.hash &&
                entries_[e->second].batch == r.batch) {
                const Entry& entry = entries_[e->second];
                if (options_.strict && entry.n_unknown > 0) {
                    err[i] = strict_error(r);
                    ++st.failed;
                } else {
                    out[i] = entry.graph;
                    ++st.hits;
                }
                continue;
            }
        }
        misses.push_back(i);
    }

    // Pass 2 (thread pool): read + hash each miss; extract unless the content is cached.
    if (!misses.empty()) {
        std::mutex mu;
        std::atomic<size_t> next{0}, done{0};
        auto worker = [&] {
            for (;;) {
                const size_t m = next.fetch_add(1);
                if (m >= misses.size()) return;
                const size_t i = misses[m];
                const GraphRequest& r = requests[i];
                try {
                    int64_t size = 0, mtime = 0;
                    const bool have_stat = stat_file(r.path, &size, &mtime);
                    const std::string bytes = read_file_bytes(r.path);
                    const uint64_t h = fnv1a64(bytes.data(), bytes.size());
                    bool hit = false;
                    {
                        std::lock_guard<std::mutex> lock(mu);
                        if (have_stat) stamps_[r.path] = {size, mtime, h};
                        auto e = index_.find(key_of(h, r.batch));
                        if (e != index_.end() && entries_[e->second].hash == h &&
                            entries_[e->second].batch == r.batch) {
                            hit = true;
                            dirty_ = true;  // new stamp
                            if (options_.strict && entries_[e->second].n_unknown > 0) {
                                err[i] = strict_error(r);
                                ++st.failed;
                            } else {
                                out[i] = entries_[e->second].graph;
                                ++st.hits;
                            }
                        }
                    }
                    if (!hit) {
                        // Cache without strict so a later non-strict load can reuse it.
                        ExtractOptions lenient = options_;
                        lenient.strict = false;
                        OnnxGraph og =
                            extract_onnx_graph_from_bytes(bytes, r.path, r.batch, lenient);
                        std::lock_guard<std::mutex> lock(mu);
                        Entry entry;
                        entry.hash = h;
                        entry.batch = r.batch;
                        entry.n_unknown = static_cast<int64_t>(og.unknown_ops.size());
                        entry.graph = std::move(og.graph);
                        const size_t k = key_of(h, r.batch);
                        auto e = index_.find(k);
                        if (e == index_.end()) {
                            index_[k] = entries_.size();
                            entries_.push_back(std::move(entry));
                            e = index_.find(k);
                        }
                        dirty_ = true;
                        const Entry& stored = entries_[e->second];
                        if (options_.strict && stored.n_unknown > 0) {
                            err[i] = strict_error(r);
                            ++st.failed;
                        } else {
                            out[i] = stored.graph;
                            ++st.extracted;
                        }
                    }
                } catch (const std::exception& ex) {
                    std::lock_guard<std::mutex> lock(mu);
                    err[i] = ex.what();
                    ++st.failed;
                }
                done.fetch_add(1);
            }
        };
        int nt = threads > 0 ? threads : static_cast<int>(std::thread::hardware_concurrency());
        nt = std::max(1, std::min<int>(nt, static_cast<int>(misses.size())));
        std::vector<std::thread> pool;
        for (int t = 0; t < nt; ++t) pool.emplace_back(worker);
        // Progress line, at most every 2 s.
        const auto t0 = std::chrono::steady_clock::now();
        auto last = t0;
        while (done.load() < misses.size()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            const auto now = std::chrono::steady_clock::now();
            if (now - last >= std::chrono::seconds(2)) {
                last = now;
                const double s = std::chrono::duration<double>(now - t0).count();
                spdlog::info("ONNX features: {}/{} graphs ({:.1f}/s, {} threads)", done.load(),
                             misses.size(), done.load() / s, nt);
            }
        }
        for (auto& t : pool) t.join();
    }
    if (stats) *stats = st;
    if (errors) *errors = std::move(err);
    return out;
}

bool FeatureCache::save() {
    if (file_.empty() || !dirty_ || entries_.empty()) return true;
    const fs::path target(file_);
    const std::string tmp = file_ + ".tmp." + std::to_string(::getpid());
    try {
        std::error_code ec;
        if (target.has_parent_path()) fs::create_directories(target.parent_path(), ec);
        const int64_t fdim = entries_.front().graph.feat_dim;
        const int64_t sdim = static_cast<int64_t>(entries_.front().graph.static_feat.size());
        std::vector<int64_t> hash, batch, nodes, nedges, unknown, edges;
        std::vector<float> x, st;
        for (const Entry& e : entries_) {
            hash.push_back(static_cast<int64_t>(e.hash));
            batch.push_back(e.batch);
            nodes.push_back(e.graph.num_nodes);
            nedges.push_back(static_cast<int64_t>(e.graph.edges.size()));
            unknown.push_back(e.n_unknown);
            x.insert(x.end(), e.graph.x.begin(), e.graph.x.end());
            for (const auto& p : e.graph.edges) {
                edges.push_back(p.first);
                edges.push_back(p.second);
            }
            st.insert(st.end(), e.graph.static_feat.begin(), e.graph.static_feat.end());
        }
        // HDF5 cannot make empty datasets through H5File; a graph always has nodes,
        // but a cache of edge-less graphs needs a placeholder.
        if (edges.empty()) edges.push_back(0);
        {
            H5File f(tmp, H5File::Mode::Truncate);
            f.write_attr_string("/", "version", feature_cache_version(options_));
            f.write_attr_i64("/", "feat_dim", fdim);
            f.write_attr_i64("/", "static_dim", sdim);
            const hsize_t n = entries_.size();
            f.write_i64("hash", hash, {n});
            f.write_i64("batch", batch, {n});
            f.write_i64("num_nodes", nodes, {n});
            f.write_i64("num_edges", nedges, {n});
            f.write_i64("n_unknown", unknown, {n});
            f.write_f32("x", x, {x.size()});
            f.write_i64("edges", edges, {edges.size()});
            f.write_f32("static", st, {st.size()});
            if (!stamps_.empty()) {
                std::vector<std::string> paths;
                std::vector<int64_t> sizes, mtimes, hashes;
                for (const auto& [p, s] : stamps_) {
                    paths.push_back(p);
                    sizes.push_back(s.size);
                    mtimes.push_back(s.mtime_ns);
                    hashes.push_back(static_cast<int64_t>(s.hash));
                }
                const hsize_t m = paths.size();
                f.write_strings("files/path", paths);
                f.write_i64("files/size", sizes, {m});
                f.write_i64("files/mtime_ns", mtimes, {m});
                f.write_i64("files/hash", hashes, {m});
            }
            f.flush();
        }
        fs::rename(tmp, target);
        dirty_ = false;
        return true;
    } catch (const std::exception& e) {
        std::error_code ec;
        fs::remove(tmp, ec);
        spdlog::warn("could not write feature cache {}: {}", file_, e.what());
        return false;
    }
}

}  // namespace nar::data
