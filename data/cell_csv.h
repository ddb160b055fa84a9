#pragma once
// The plain comma-separated files of the bundled NAS-Bench data (no quoting).
#include <cstdint>
#include <string>
#include <vector>

namespace nar::data {

struct CsvTable {
    std::string path;
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    std::vector<int64_t> lines;  // 1-based file line of each row

    bool has_column(const std::string& name) const;
    // Index of a header column; throws common::Error naming the file when absent.
    size_t column(const std::string& name) const;
    // Field parsers that throw common::Error with "file:line: column ..." on bad text.
    double number(size_t row, size_t col) const;
    int64_t integer(size_t row, size_t col) const;
    [[noreturn]] void fail_row(size_t row, const std::string& what) const;
};

// Reads a whole file; every row must have as many fields as the header.
CsvTable read_csv(const std::string& path);

std::vector<std::string> split_string(const std::string& s, char sep);

}  // namespace nar::data
