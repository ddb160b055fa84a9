#include "data/nb101.h"

#include <cmath>
#include <map>
#include <unordered_map>

#include "common/error.h"
#include "data/bundled_data.h"
#include "data/cell_csv.h"
#include "data/nb101_record.h"
#include "data/tfrecord.h"

namespace nar::data {
namespace {

// Builds a cell from a row-major 0/1 string and op names; throws without file context.
Cell make_cell(const std::string& hash, const std::string& adjacency,
               const std::vector<std::string>& op_names) {
    Cell c;
    c.arch = hash;
    c.n = static_cast<int>(op_names.size());
    if (adjacency.size() != static_cast<size_t>(c.n) * c.n)
        throw common::Error("adjacency has " + std::to_string(adjacency.size()) + " digits for " +
                            std::to_string(c.n) + " ops");
    for (char d : adjacency) {
        if (d != '0' && d != '1')
            throw common::Error("adjacency digit '" + std::string(1, d) + "'");
        c.adj.push_back(static_cast<uint8_t>(d - '0'));
    }
    for (const std::string& op : op_names) c.ops.push_back(nb101_label(op));
    if (c.n > kNb101MaxNodes)
        throw common::Error(std::to_string(c.n) + " nodes, NAS-Bench-101 has at most 7");
    check_cell(c, kNb101NumLabels, "cell " + hash);
    return c;
}

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

int nb101_label(const std::string& op) {
    static const std::map<std::string, int> table = {{"input", 0},
                                                     {"conv1x1-bn-relu", 1},
                                                     {"conv3x3-bn-relu", 2},
                                                     {"maxpool3x3", 3},
                                                     {"output", 4}};
    auto it = table.find(op);
    if (it == table.end()) throw common::Error("unknown NAS-Bench-101 operation '" + op + "'");
    return it->second;
}

std::vector<Cell> load_nb101_csv(const std::string& path) {
    CsvTable t = read_csv(path);
    const bool vis = t.has_column("adjacency_rowmajor");
    const bool naslib = t.has_column("adjacency_7x7_rowmajor");
    if (vis == naslib)
        throw common::Error("'" + path +
                            "' is not a NAS-Bench-101 CSV: expected a column "
                            "adjacency_rowmajor (nb101_1k format) or adjacency_7x7_rowmajor "
                            "(nb101_500 format)");
    size_t hash_col = t.column("nb101_hash"), ops_col = t.column("ops");
    size_t adj_col = t.column(vis ? "adjacency_rowmajor" : "adjacency_7x7_rowmajor");
    size_t acc_col = t.column(vis ? "val_acc_108ep" : "val_accuracy");
    size_t params_col = t.column(vis ? "params" : "params_M");
    size_t nv_col = vis ? t.column("num_vertices") : 0;
    std::vector<Cell> cells;
    for (size_t r = 0; r < t.rows.size(); ++r) {
        Cell c;
        try {
            c = make_cell(t.rows[r][hash_col], t.rows[r][adj_col],
                          split_string(t.rows[r][ops_col], '|'));
        } catch (const common::Error& e) {
            t.fail_row(r, e.what());
        }
        if (vis && t.integer(r, nv_col) != c.n)
            t.fail_row(
                r, "num_vertices " + t.rows[r][nv_col] + " but " + std::to_string(c.n) + " ops");
        c.index = static_cast<int64_t>(r);
        // nasbench-vis stores fractions, NASLib percent and millions of parameters.
        c.targets["accuracy:validation"] = t.accuracy(r, acc_col, vis ? 1.0 : 100.0);
        c.targets["params"] = t.positive(r, params_col) * (vis ? 1.0 : 1e6);
        cells.push_back(std::move(c));
    }
    return cells;
}

std::vector<Cell> load_nb101_tfrecord(const std::string& path, int64_t epochs) {
    struct Sums {
        double val = 0, test = 0;
        int count = 0;
    };
    std::vector<Cell> cells;
    std::vector<Sums> sums;
    std::unordered_map<std::string, size_t> where;
    TfRecordReader reader(path);
    std::string raw;
    while (true) {
        int64_t number = reader.records_read();
        if (!reader.next(raw)) break;
        try {
            Nb101Record rec = parse_nb101_record(raw);
            if (rec.epochs != epochs) continue;
            Nb101Metrics m = decode_nb101_metrics(rec.raw_metrics);
            if (m.evaluation_data.empty()) throw common::Error("no evaluation_data");
            auto [it, inserted] = where.emplace(rec.module_hash, cells.size());
            if (inserted) {
                size_t n = static_cast<size_t>(std::lround(std::sqrt(rec.raw_adjacency.size())));
                if (n * n != rec.raw_adjacency.size())
                    throw common::Error("raw_adjacency length " +
                                        std::to_string(rec.raw_adjacency.size()) +
                                        " is not a square");
                cells.push_back(make_cell(rec.module_hash, rec.raw_adjacency,
                                          split_string(rec.raw_operations, ',')));
                cells.back().targets["params"] = m.trainable_parameters;
                sums.emplace_back();
            }
            Sums& s = sums[it->second];
            const double val = m.evaluation_data.back().validation_accuracy;
            const double test = m.evaluation_data.back().test_accuracy;
            for (double a : {val, test})
                if (!std::isfinite(a) || a < 0 || a > 1)
                    throw common::Error("accuracy " + std::to_string(a) +
                                        " is not a finite fraction in [0, 1]");
            s.val += val;
            s.test += test;
            ++s.count;
        } catch (const common::Error& e) {
            throw common::Error("TFRecord file '" + path + "', record " + std::to_string(number) +
                                ": " + e.what());
        }
    }
    for (size_t i = 0; i < cells.size(); ++i) {
        cells[i].index = static_cast<int64_t>(i);
        cells[i].targets["accuracy:validation"] = sums[i].val / sums[i].count;
        cells[i].targets["accuracy:test"] = sums[i].test / sums[i].count;
    }
    if (cells.empty())
        throw common::Error("TFRecord file '" + path +
                            "' has no records with epochs == " + std::to_string(epochs));
    return cells;
}

std::vector<Cell> load_nb101(const std::vector<std::string>& paths) {
    if (paths.empty()) throw common::Error("load_nb101: no files given");
    std::vector<Cell> all;
    std::unordered_map<std::string, std::string> origin;
    for (const std::string& p : paths) {
        std::vector<Cell> part =
            ends_with(p, ".tfrecord") ? load_nb101_tfrecord(p) : load_nb101_csv(p);
        for (Cell& c : part) {
            auto [it, inserted] = origin.emplace(c.arch, p);
            if (!inserted)
                throw common::Error("NAS-Bench-101 cell " + c.arch + " is listed in both '" +
                                    it->second + "' and '" + p + "'");
            c.index = static_cast<int64_t>(all.size());
            all.push_back(std::move(c));
        }
    }
    return all;
}

std::vector<Cell> load_nb101_bundled() {
    return load_nb101(
        {bundled_data_file("nb101/nb101_1k.csv"), bundled_data_file("nb101/nb101_500.csv")});
}

}  // namespace nar::data
