#include "data/nb201.h"

#include <map>
#include <utility>

#include "common/error.h"
#include "data/bundled_data.h"
#include "data/cell_csv.h"

namespace nar::data {
namespace {

int nb201_label(const std::string& op) {
    static const std::map<std::string, int> table = {{"nor_conv_1x1", 1},
                                                     {"nor_conv_3x3", 2},
                                                     {"avg_pool_3x3", 3},
                                                     {"skip_connect", 4},
                                                     {"none", 5}};
    auto it = table.find(op);
    if (it == table.end()) throw common::Error("unknown NAS-Bench-201 operation '" + op + "'");
    return it->second;
}

}  // namespace

std::vector<int> nb201_ops_from_string(const std::string& arch) {
    auto bad = [&](const std::string& what) {
        throw common::Error("bad NAS-Bench-201 cell string '" + arch + "': " + what);
    };
    std::vector<std::string> groups = split_string(arch, '+');
    if (groups.size() != 3) bad("expected 3 '+'-separated node groups");
    std::vector<int> ops = {0};
    for (size_t g = 0; g < 3; ++g) {
        const std::string& s = groups[g];
        if (s.size() < 2 || s.front() != '|' || s.back() != '|') bad("a group must be |...|");
        std::vector<std::string> edges = split_string(s.substr(1, s.size() - 2), '|');
        if (edges.size() != g + 1)
            bad("group " + std::to_string(g) + " has " + std::to_string(edges.size()) +
                " edges, expected " + std::to_string(g + 1));
        for (size_t e = 0; e < edges.size(); ++e) {
            size_t tilde = edges[e].find('~');
            if (tilde == std::string::npos || edges[e].substr(tilde + 1) != std::to_string(e))
                bad("edge '" + edges[e] + "' should read op~" + std::to_string(e));
            try {
                ops.push_back(nb201_label(edges[e].substr(0, tilde)));
            } catch (const common::Error& err) {
                bad(err.what());
            }
        }
    }
    ops.push_back(6);
    return ops;
}

std::vector<uint8_t> nb201_adjacency() {
    static const std::pair<int, int> edges[] = {{0, 1}, {0, 2}, {0, 4}, {1, 3}, {1, 5},
                                                {2, 6}, {3, 6}, {4, 7}, {5, 7}, {6, 7}};
    std::vector<uint8_t> adj(kNb201Nodes * kNb201Nodes, 0);
    for (auto [i, j] : edges) adj[i * kNb201Nodes + j] = 1;
    return adj;
}

Cell nb201_cell(int64_t index, const std::string& arch) {
    Cell c;
    c.index = index;
    c.ops = nb201_ops_from_string(arch);
    c.n = kNb201Nodes;
    c.adj = nb201_adjacency();
    c.arch = arch;
    return c;
}

std::vector<Cell> load_nb201(const std::string& accuracy_csv, const std::string& latency_csv) {
    if (accuracy_csv.empty() && latency_csv.empty())
        throw common::Error("load_nb201: give the accuracy CSV, the latency CSV or both");
    std::vector<Cell> cells;
    if (!accuracy_csv.empty()) {
        CsvTable t = read_csv(accuracy_csv);
        const std::pair<const char*, const char*> columns[] = {
            {"CIFAR10TestAccuracy200Epochs", "accuracy:cifar10"},
            {"CIFAR100TestAccuracy200Epochs", "accuracy:cifar100"},
            {"ImageNetTestAccuracy200Epochs", "accuracy:imagenet16-120"}};
        size_t arch_col = t.column("ArchitectureString");
        for (size_t r = 0; r < t.rows.size(); ++r) {
            Cell c;
            try {
                c = nb201_cell(static_cast<int64_t>(r), t.rows[r][arch_col]);
            } catch (const common::Error& e) {
                t.fail_row(r, e.what());
            }
            // The golden y is accuracy / 100: targets are fractions.
            for (auto [col, name] : columns) c.targets[name] = t.accuracy(r, t.column(col), 100.0);
            cells.push_back(std::move(c));
        }
    }
    if (!latency_csv.empty()) {
        CsvTable t = read_csv(latency_csv);
        size_t idx_col = t.column("idx"), arch_col = t.column("arch_str");
        const bool fresh = cells.empty();
        if (fresh) cells.resize(t.rows.size());
        if (t.rows.size() != cells.size())
            throw common::Error("NAS-Bench-201 files disagree: '" + latency_csv + "' has " +
                                std::to_string(t.rows.size()) + " cells, '" + accuracy_csv +
                                "' has " + std::to_string(cells.size()));
        std::vector<bool> seen(cells.size(), false);
        for (size_t r = 0; r < t.rows.size(); ++r) {
            int64_t idx = t.integer(r, idx_col);
            if (idx < 0 || idx >= static_cast<int64_t>(cells.size()) || seen[idx])
                t.fail_row(r, "idx " + std::to_string(idx) + " is out of range or repeated");
            seen[idx] = true;
            const std::string& arch = t.rows[r][arch_col];
            Cell& c = cells[idx];
            if (fresh) {
                try {
                    c = nb201_cell(idx, arch);
                } catch (const common::Error& e) {
                    t.fail_row(r, e.what());
                }
            } else if (c.arch != arch) {
                t.fail_row(r, "cell " + std::to_string(idx) + " is '" + arch + "' but '" +
                                  accuracy_csv + "' has '" + c.arch + "'");
            }
            for (size_t col = 0; col < t.header.size(); ++col)
                if (col != idx_col && col != arch_col)
                    c.targets["latency:" + t.header[col]] = t.positive(r, col);
        }
    }
    return cells;
}

std::vector<Cell> load_nb201_bundled() {
    return load_nb201(bundled_data_file("nb201/nb201_cifar_accuracy.csv"),
                      bundled_data_file("nb201/nb201_latency_27_devices.csv"));
}

}  // namespace nar::data
