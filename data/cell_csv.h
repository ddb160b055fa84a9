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
    // Labels: a finite accuracy in [0, full_scale], returned as a fraction
    // (value / full_scale), and a finite value > 0 (latency, parameter count).
    // NaN, inf, negative or (for positive) zero labels are errors with file:line.
    double accuracy(size_t row, size_t col, double full_scale) const;
    double positive(size_t row, size_t col) const;
    [[noreturn]] void fail_row(size_t row, const std::string& what) const;
};

// Reads a whole file (at most NAR_MAX_TEXT_BYTES, data/input_limits.h); every row
// must have as many fields as the header.
CsvTable read_csv(const std::string& path);

std::vector<std::string> split_string(const std::string& s, char sep);

}  // namespace nar::data
