#pragma once
// Reads back the Markdown of `nar aggregate` (jobs::render_aggregate "md"), so the
// HTML report shows exactly the tables the command prints, without a second copy
// of their layout rules.
#include <string>
#include <vector>

namespace nar::jobs::report {

struct MdTable {
    std::string title;
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
};

struct MdTables {
    std::vector<MdTable> tables;
    std::vector<std::string> notes;  // the "- ..." lines after the tables
    std::vector<std::string> other;  // any other text (e.g. "no results found in ...")
};

MdTables parse_md_tables(const std::string& md);

// Index of the first header cell ending with suffix (e.g. " paper"), or -1.
int column_ending_with(const MdTable& t, const std::string& suffix);

}  // namespace nar::jobs::report
