#include "data/cell_text.h"

#include <fstream>
#include <sstream>

#include "common/error.h"
#include "data/nb101.h"
#include "data/nb201.h"

namespace nar::data {

namespace {

Cell nb101_cell_from_text(int64_t index, const std::string& line) {
    std::istringstream ss(line);
    std::string adj, ops;
    ss >> adj >> ops;
    Cell c;
    c.index = index;
    std::stringstream os(ops);
    std::string op;
    while (std::getline(os, op, ',')) c.ops.push_back(nb101_label(op));
    c.n = static_cast<int>(c.ops.size());
    if (adj.size() != static_cast<size_t>(c.n) * static_cast<size_t>(c.n)) {
        throw common::Error("adjacency has " + std::to_string(adj.size()) + " digits, expected " +
                            std::to_string(c.n * c.n));
    }
    for (char ch : adj) {
        if (ch != '0' && ch != '1') throw common::Error("adjacency digits must be 0 or 1");
        c.adj.push_back(ch == '1');
    }
    c.arch = line;
    return c;
}

}  // namespace

std::vector<Cell> read_cells_file(const std::string& path, const std::string& benchmark) {
    if (benchmark != "nb201" && benchmark != "nb101") {
        throw common::Error(path + ": cells of benchmark '" + benchmark + "' cannot be read");
    }
    std::ifstream in(path);
    if (!in) throw common::Error(path + ": cannot open the cells file");
    std::vector<Cell> cells;
    std::string line;
    int64_t lineno = 0;
    while (std::getline(in, line)) {
        ++lineno;
        auto first = line.find_first_not_of(" \t\r");
        if (first == std::string::npos || line[first] == '#') continue;
        line = line.substr(first, line.find_last_not_of(" \t\r") - first + 1);
        const std::string where = path + ":" + std::to_string(lineno);
        try {
            const auto index = static_cast<int64_t>(cells.size());
            if (benchmark == "nb201") {
                cells.push_back(nb201_cell(index, line));
            } else {
                Cell c = nb101_cell_from_text(index, line);
                check_cell(c, kNb101NumLabels, where);
                cells.push_back(c);
            }
        } catch (const common::Error& e) {
            throw common::Error(where + ": " + e.what());
        }
    }
    if (cells.empty()) throw common::Error(path + ": no cells in the file");
    return cells;
}

}  // namespace nar::data
