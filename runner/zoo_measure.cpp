#include "runner/zoo_measure.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>
#include <torch/version.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "common/atomic_write.h"
#include "common/error.h"
#include "data/zoo/zoo_labels.h"
#include "runner/mpi_env.h"
#include "runner/onnx_executor.h"
#include "runner/signals.h"

namespace nar::runner {

namespace fs = std::filesystem;
using nar::common::Error;
namespace zoo = nar::data::zoo;

namespace {

struct Record {
    double median = 0, cv = 0;
    int repeats = 0, attempts = 0;
};

extern "C" void on_sigint(int) { stop_requested().store(true); }

// id -> record from every DIR/measure/*.tsv (`id median_ms cv repeats attempts`).
std::map<int64_t, Record> read_records(const fs::path& mdir) {
    std::map<int64_t, Record> out;
    if (!fs::exists(mdir)) return out;
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(mdir))
        if (e.path().extension() == ".tsv") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
        std::ifstream in(f);
        if (!in) throw Error(f.string() + ": cannot open measurement file");
        std::string line;
        int lineno = 0;
        while (std::getline(in, line)) {
            ++lineno;
            if (line.empty() || line[0] == '#') continue;
            std::istringstream ss(line);
            int64_t id;
            Record r;
            if (!(ss >> id >> r.median >> r.cv >> r.repeats >> r.attempts)) {
                // A torn last line of a killed run is dropped; anything else is corrupt.
                if (in.peek() == EOF) break;
                throw Error(f.string() + ":" + std::to_string(lineno) + ": malformed row");
            }
            if (!(r.median > 0))
                throw Error(f.string() + ":" + std::to_string(lineno) + ": bad latency");
            out[id] = r;
        }
    }
    return out;
}

std::string fmt_duration(double s) {
    char b[32];
    if (s >= 3600)
        std::snprintf(b, sizeof b, "%dh%02dm", static_cast<int>(s / 3600),
                      static_cast<int>(s / 60) % 60);
    else
        std::snprintf(b, sizeof b, "%dm%02ds", static_cast<int>(s / 60), static_cast<int>(s) % 60);
    return b;
}

Record measure_one(const OnnxExecutor& ex, const MeasureOptions& o, torch::Device dev) {
    const torch::Tensor x = ex.random_input();
    auto sync = [&] {
        if (dev.is_cuda()) torch::cuda::synchronize();
    };
    Record best;
    best.cv = INFINITY;
    for (int attempt = 0; attempt <= o.max_remeasure; ++attempt) {
        for (int i = 0; i < o.warmup; ++i) ex.run(x);
        sync();
        std::vector<double> t;
        for (int i = 0; i < o.repeats; ++i) {
            const auto t0 = std::chrono::steady_clock::now();
            ex.run(x);
            sync();
            t.push_back(
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                    .count());
        }
        const TimingStats s = timing_stats(t);
        if (s.cv < best.cv) best = {s.median, s.cv, o.repeats, attempt + 1};
        if (s.cv <= o.max_cv || stop_requested().load()) break;
    }
    return best;
}

}  // namespace

TimingStats timing_stats(std::vector<double> t) {
    if (t.empty()) return {};
    std::sort(t.begin(), t.end());
    const size_t n = t.size();
    TimingStats s;
    s.median = n % 2 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]);
    double mean = 0, var = 0;
    for (double v : t) mean += v;
    mean /= static_cast<double>(n);
    for (double v : t) var += (v - mean) * (v - mean);
    var /= static_cast<double>(n > 1 ? n - 1 : 1);
    s.cv = mean > 0 ? std::sqrt(var) / mean : 0;
    return s;
}

std::string machine_description(const std::string& device, int threads, int ranks) {
    std::string cpu = "unknown";
    std::ifstream ci("/proc/cpuinfo");
    for (std::string line; std::getline(ci, line);)
        if (line.rfind("model name", 0) == 0) {
            cpu = line.substr(line.find(':') + 2);
            break;
        }
    char host[256] = "unknown";
    gethostname(host, sizeof host - 1);
    const std::time_t now = std::time(nullptr);
    char date[32];
    std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    std::ostringstream s;
    s << "date: " << date << "\nhost: " << host << "\ncpu: " << cpu
      << "\nlogical cpus: " << std::thread::hardware_concurrency() << "\ndevice: " << device
      << "\nthreads per rank: " << threads << "\nranks: " << ranks
      << "\nlibtorch: " << TORCH_VERSION << "\n";
    if (ranks > 1)
        s << "note: " << ranks
          << " ranks measured side by side and shared caches, memory bandwidth and turbo "
             "headroom; these labels are slower and noisier than a single rank's\n";
    return s.str();
}

MeasureReport measure_zoo(const MeasureOptions& o) {
    if (o.threads < 1 || o.warmup < 0 || o.repeats < 1 || o.max_cv <= 0 || o.max_remeasure < 0)
        throw Error("zoo measure: need threads >= 1, warmup >= 0, repeats >= 1, max-cv > 0");
    if (o.device != "cpu" && o.device != "cuda")
        throw Error("zoo measure: --device must be cpu or cuda, got '" + o.device + "'");
    if (o.device == "cuda" && !torch::cuda::is_available())
        throw Error("zoo measure: --device cuda but no CUDA device is available");
    const torch::Device dev(o.device == "cuda" ? torch::kCUDA : torch::kCPU);
    const fs::path dir(o.dir), labels = dir / zoo::kZooLabelFile, mdir = dir / "measure";
    auto rows = zoo::read_zoo_labels(labels.string());
    const std::string platform = !o.platform.empty()
                                     ? o.platform
                                     : o.device + "-t" + std::to_string(o.threads) +
                                           (o.ranks > 1 ? "-r" + std::to_string(o.ranks) : "");
    for (const auto& r : rows)
        if (r.measured() && r.platform != platform)
            throw Error(labels.string() + ": row " + std::to_string(r.id) +
                        " holds labels of platform '" + r.platform + "', this run is '" + platform +
                        "'; measure a copy of the graphs in another directory");
    std::error_code ec;
    fs::create_directories(mdir, ec);
    if (ec) throw Error(mdir.string() + ": cannot create: " + ec.message());
    auto records = read_records(mdir);

    set_compute_threads(o.threads);
    at::globalContext().setFlushDenormal(true);
    install_stop_handlers();
    std::signal(SIGINT, on_sigint);

    MeasureReport rep;
    rep.total = static_cast<int64_t>(rows.size());
    std::vector<size_t> todo;
    for (size_t i = 0; i < rows.size(); ++i) {
        if (rows[i].measured() || records.count(rows[i].id)) {
            ++rep.already;
            continue;
        }
        if (static_cast<int>(i % static_cast<size_t>(o.ranks)) == o.rank) todo.push_back(i);
    }
    if (o.limit > 0 && static_cast<int64_t>(todo.size()) > o.limit)
        todo.resize(static_cast<size_t>(o.limit));
    const fs::path mine = mdir / ("rank-" + std::to_string(o.rank) + ".tsv");
    std::ofstream out(mine, std::ios::app);
    if (!out) throw Error(mine.string() + ": cannot append");
    spdlog::info("zoo measure: {} graphs, {} measured before, {} for rank {} ({} thread(s), {})",
                 rows.size(), rep.already, todo.size(), o.rank, o.threads, platform);
    const auto start = std::chrono::steady_clock::now();
    for (size_t k = 0; k < todo.size(); ++k) {
        if (stop_requested().load()) {
            rep.interrupted = true;
            break;
        }
        const auto& r = rows[todo[k]];
        const std::string path = (dir / r.onnx_path).string();
        try {
            const OnnxExecutor ex =
                OnnxExecutor::from_file(path, r.batch, dev, static_cast<uint64_t>(r.id));
            const Record rec = measure_one(ex, o, dev);
            out << r.id << '\t' << rec.median << '\t' << rec.cv << '\t' << rec.repeats << '\t'
                << rec.attempts << '\n';
            out.flush();
            ++rep.measured_now;
            const double el =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            const double eta =
                el / static_cast<double>(k + 1) * static_cast<double>(todo.size() - k - 1);
            spdlog::info("[{}/{}] {} {:.3f} ms cv {:.1f}%{} | eta {}", k + 1, todo.size(),
                         r.onnx_path, rec.median, 100 * rec.cv,
                         rec.attempts > 1 ? " (re-measured)" : "", fmt_duration(eta));
        } catch (const Error& e) {
            ++rep.failed;
            if (rep.first_failure.empty()) rep.first_failure = e.what();
            spdlog::error("zoo measure: {}", e.what());
        }
    }
    out.close();
    if (stop_requested().load()) rep.interrupted = true;
    if (o.barrier) o.barrier();
    if (o.rank != 0) return rep;

    records = read_records(mdir);
    std::vector<double> cvs;
    std::ostringstream cvfile;
    cvfile << "# id family latency_ms cv repeats attempts\n";
    for (auto& r : rows) {
        auto it = records.find(r.id);
        if (it == records.end()) continue;
        r.latency_ms = it->second.median;
        r.platform = platform;
        cvs.push_back(it->second.cv);
        cvfile << r.id << ' ' << r.family << ' ' << it->second.median << ' ' << it->second.cv << ' '
               << it->second.repeats << ' ' << it->second.attempts << '\n';
    }
    zoo::write_zoo_labels(labels.string(), rows);
    common::write_text_atomically((dir / "latency_cv.tsv").string(), cvfile.str());
    if (!cvs.empty()) {
        std::sort(cvs.begin(), cvs.end());
        rep.median_cv = cvs[cvs.size() / 2];
    }
    std::ofstream(dir / "machine.txt", std::ios::app)
        << "# session\n"
        << machine_description(o.device, o.threads, o.ranks) << "platform: " << platform
        << "\nwarmup: " << o.warmup << "\nrepeats: " << o.repeats << "\nmax cv: " << o.max_cv
        << "\nmeasured: " << cvs.size() << " of " << rows.size() << "\nmedian cv: " << rep.median_cv
        << "\n";
    spdlog::info("zoo measure: {} of {} graphs labelled, median CV {:.1f}%{}", cvs.size(),
                 rows.size(), 100 * rep.median_cv,
                 rep.interrupted ? " (interrupted; rerun to continue)" : "");
    return rep;
}

}  // namespace nar::runner
