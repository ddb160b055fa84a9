#include "data/cell_dataset.h"

#include <cstring>
#include <filesystem>
#include <fstream>

#include "common/error.h"
#include "data/nb201_degenerate.h"
#include "data/cell_samples.h"
#include "data/nb101.h"
#include "data/nb201.h"

namespace nar::data {
namespace {

std::string first_line(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw common::Error("cannot open '" + path + "'");
    // Bounded: only the header is needed, and the file may be endless (/dev/zero).
    std::string line(4096, '\0');
    in.getline(line.data(), static_cast<std::streamsize>(line.size()));
    line.resize(std::strlen(line.c_str()));
    return line;
}

// A directory stands for the known file names inside it (or inside its nb201/ or
// nb101/ subdirectory, the bundled layout); the official TFRecord wins over the CSVs.
std::vector<std::string> expand_directories(const std::string& benchmark,
                                            const std::vector<std::string>& files) {
    namespace fs = std::filesystem;
    const std::vector<std::string> names =
        benchmark == "nb201"
            ? std::vector<std::string>{"nb201_cifar_accuracy.csv", "nb201_latency_27_devices.csv"}
            : std::vector<std::string>{"nb101_1k.csv", "nb101_500.csv"};
    std::vector<std::string> out;
    for (const std::string& f : files) {
        if (!fs::is_directory(f)) {
            out.push_back(f);
            continue;
        }
        std::vector<std::string> found;
        for (const fs::path& dir : {fs::path(f), fs::path(f) / benchmark}) {
            if (benchmark == "nb101" && fs::exists(dir / "nasbench_only108.tfrecord")) {
                found = {(dir / "nasbench_only108.tfrecord").string()};
                break;
            }
            for (const std::string& n : names)
                if (fs::exists(dir / n)) found.push_back((dir / n).string());
            if (!found.empty()) break;
        }
        if (found.empty())
            throw common::Error("directory '" + f + "' holds no " + benchmark +
                                " data (looked for " +
                                (benchmark == "nb101" ? "nasbench_only108.tfrecord, " : "") +
                                names[0] + ", " + names[1] + ", also under " + benchmark + "/)");
        out.insert(out.end(), found.begin(), found.end());
    }
    return out;
}

}  // namespace

std::vector<Cell> load_cells(const std::string& benchmark, const std::vector<std::string>& paths) {
    if (benchmark != "nb201" && benchmark != "nb101")
        throw common::Error("unknown cell benchmark '" + benchmark + "' (valid: nb101, nb201)");
    const std::vector<std::string> files = expand_directories(benchmark, paths);
    if (benchmark == "nb201") {
        if (files.empty()) return load_nb201_bundled();
        std::string accuracy, latency;
        for (const std::string& f : files) {
            std::string header = first_line(f);
            const bool latency_csv = header.rfind("idx,arch_str", 0) == 0;
            const bool accuracy_csv = header.find("ArchitectureString") != std::string::npos;
            if (!latency_csv && !accuracy_csv)
                throw common::Error("'" + f +
                                    "' is neither a NAS-Bench-201 accuracy CSV "
                                    "(ArchitectureString column) nor a latency CSV "
                                    "(idx,arch_str,...)");
            std::string& slot = latency_csv ? latency : accuracy;
            if (!slot.empty())
                throw common::Error("two NAS-Bench-201 files of the same kind: '" + slot +
                                    "' and '" + f + "'");
            slot = f;
        }
        return load_nb201(accuracy, latency);
    }
    return files.empty() ? load_nb101_bundled() : load_nb101(files);
}

CellSamples load_cell_samples(const CellBenchmarkOptions& opt) {
    std::vector<Cell> cells = load_cells(opt.benchmark, opt.files);
    if (cells.empty()) throw common::Error("no cells loaded for " + opt.benchmark);
    cell_target(cells.front(), opt.target);  // fail early, listing the valid names
    int64_t dropped = 0;
    if (opt.drop_degenerate && opt.benchmark == "nb201") {
        std::vector<Cell> kept;
        for (auto& c : cells) {
            if (nb201_cell_is_degenerate(c.arch)) {
                ++dropped;
            } else {
                kept.push_back(std::move(c));
            }
        }
        cells = std::move(kept);
    }
    NasSplit split = make_nas_split(static_cast<int64_t>(cells.size()), opt.split);
    CellSamples out;
    out.total_cells = static_cast<int64_t>(cells.size());
    out.degenerate_dropped = dropped;
    out.train =
        build_cell_samples(cells, split.train, opt.target, opt.tokenizer, opt.augment_train);
    out.val = build_cell_samples(cells, split.val, opt.target, opt.tokenizer, false);
    out.test = build_cell_samples(cells, split.test, opt.target, opt.tokenizer, false);
    return out;
}

}  // namespace nar::data
