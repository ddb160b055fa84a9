#include "jobs/report/md_tables.h"

#include <sstream>

namespace nar::jobs::report {

namespace {

std::string trim(const std::string& s) {
    size_t a = s.find_first_not_of(" \t"), b = s.find_last_not_of(" \t");
    return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

// "| a | b |" -> {"a", "b"}
std::vector<std::string> cells(const std::string& line) {
    std::vector<std::string> out;
    size_t start = 1;
    while (start < line.size()) {
        size_t bar = line.find('|', start);
        if (bar == std::string::npos) break;
        out.push_back(trim(line.substr(start, bar - start)));
        start = bar + 1;
    }
    return out;
}

bool is_rule(const std::vector<std::string>& c) {
    for (const auto& s : c) {
        if (s.find_first_not_of("-:") != std::string::npos || s.empty()) return false;
    }
    return !c.empty();
}

}  // namespace

MdTables parse_md_tables(const std::string& md) {
    MdTables out;
    std::istringstream in(md);
    std::string line;
    MdTable* cur = nullptr;
    bool in_note = false;  // a note's text may go on over several lines (an error message)
    while (std::getline(in, line)) {
        const bool blank = trim(line).empty();
        const bool was_note = in_note;
        in_note = false;
        if (line.rfind("### ", 0) == 0) {
            out.tables.push_back(MdTable{line.substr(4), {}, {}});
            cur = &out.tables.back();
        } else if (line.rfind("|", 0) == 0 && cur) {
            auto c = cells(line);
            if (cur->header.empty()) {
                cur->header = c;
            } else if (!is_rule(c)) {
                cur->rows.push_back(c);
            }
        } else if (line.rfind("- ", 0) == 0) {
            out.notes.push_back(line.substr(2));
            cur = nullptr;
            in_note = true;
        } else if (!blank && was_note) {
            out.notes.back() += " " + trim(line);
            in_note = true;
        } else if (!blank) {
            out.other.push_back(line);
            cur = nullptr;
        }
    }
    return out;
}

int column_ending_with(const MdTable& t, const std::string& suffix) {
    for (size_t i = 0; i < t.header.size(); ++i) {
        const auto& h = t.header[i];
        if (h.size() >= suffix.size() &&
            h.compare(h.size() - suffix.size(), suffix.size(), suffix) == 0)
            return static_cast<int>(i);
    }
    return -1;
}

}  // namespace nar::jobs::report
