#include "data/cell_csv.h"

#include <cerrno>
#include <cstdlib>
#include <fstream>

#include "common/error.h"

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
    std::ifstream in(path);
    if (!in) throw common::Error("cannot open CSV file '" + path + "'");
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
    errno = 0;
    char* end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size() || errno == ERANGE)
        fail_row(row, "column '" + header[col] + "': '" + s + "' is not a number");
    return v;
}

int64_t CsvTable::integer(size_t row, size_t col) const {
    const std::string& s = rows.at(row).at(col);
    errno = 0;
    char* end = nullptr;
    long long v = std::strtoll(s.c_str(), &end, 10);
    if (s.empty() || end != s.c_str() + s.size() || errno == ERANGE)
        fail_row(row, "column '" + header[col] + "': '" + s + "' is not an integer");
    return v;
}

}  // namespace nar::data
