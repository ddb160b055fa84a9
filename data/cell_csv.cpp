#include "data/cell_csv.h"

#include <cmath>
#include <sstream>

#include "common/error.h"
#include "common/numbers.h"
#include "data/input_limits.h"

namespace nar::data {

std::vector<std::string> split_string(const std::string& s, char sep) {
    std::vector<std::string> out;
    size_t start = 0;
    while (true) {
        size_t end = s.find(sep, start);
        out.push_back(s.substr(start, end == std::string::npos ? std::string::npos : end - start));
        if (end == std::string::npos) return out;
        start = end + 1;
    }
}

CsvTable read_csv(const std::string& path) {
    std::istringstream in(read_bounded_file(path, kMaxTextBytes));
    CsvTable t;
    t.path = path;
    std::string line;
    int64_t lineno = 0;
    while (std::getline(in, line)) {
        ++lineno;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
        std::vector<std::string> fields = split_string(line, ',');
        if (t.header.empty()) {
            t.header = std::move(fields);
            continue;
        }
        if (fields.size() != t.header.size())
            throw common::Error(path + ":" + std::to_string(lineno) + ": " +
                                std::to_string(fields.size()) + " fields, the header has " +
                                std::to_string(t.header.size()));
        t.rows.push_back(std::move(fields));
        t.lines.push_back(lineno);
    }
    if (t.header.empty()) throw common::Error("CSV file '" + path + "' is empty");
    return t;
}

bool CsvTable::has_column(const std::string& name) const {
    for (const std::string& h : header)
        if (h == name) return true;
    return false;
}

size_t CsvTable::column(const std::string& name) const {
    for (size_t i = 0; i < header.size(); ++i)
        if (header[i] == name) return i;
    throw common::Error("CSV file '" + path + "' has no column '" + name + "'");
}

void CsvTable::fail_row(size_t row, const std::string& what) const {
    throw common::Error(path + ":" + std::to_string(lines.at(row)) + ": " + what);
}

double CsvTable::number(size_t row, size_t col) const {
    const std::string& s = rows.at(row).at(col);
    const auto v = common::try_parse_double(s);
    if (!v) fail_row(row, "column '" + header[col] + "': '" + s + "' is not a number");
    return *v;
}

int64_t CsvTable::integer(size_t row, size_t col) const {
    const std::string& s = rows.at(row).at(col);
    const auto v = common::try_parse_int64(s);
    if (!v) fail_row(row, "column '" + header[col] + "': '" + s + "' is not an integer");
    return *v;
}

}  // namespace nar::data

namespace nar::data {

double CsvTable::accuracy(size_t row, size_t col, double full_scale) const {
    const double v = number(row, col);
    if (!std::isfinite(v) || v < 0 || v > full_scale)
        fail_row(row, "column '" + header[col] + "': accuracy '" + rows[row][col] +
                          "' is not a finite number in [0, " +
                          std::to_string(static_cast<int64_t>(full_scale)) + "]");
    return v / full_scale;
}

double CsvTable::positive(size_t row, size_t col) const {
    const double v = number(row, col);
    if (!std::isfinite(v) || v <= 0)
        fail_row(row, "column '" + header[col] + "': '" + rows[row][col] +
                          "' is not a finite positive number");
    return v;
}

}  // namespace nar::data
