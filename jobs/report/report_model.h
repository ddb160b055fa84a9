#pragma once
// What `nar report` shows, gathered from a results directory: the tables of
// `nar aggregate --paper` and, per table, the charts (as SVG text) and the
// provenance of the runs. The HTML page (report_html.h) only lays this out.
#include <string>
#include <vector>

#include "jobs/aggregate.h"
#include "jobs/report/md_tables.h"

namespace nar::jobs::report {

struct Chart {
    std::string name;  // file stem for --svg, e.g. "table2-spread"
    std::string kind;  // "spread", "family", "curve", "scatter"
    std::string svg;
};

struct Section {
    std::string anchor;  // HTML id
    MdTable table;
    std::vector<Chart> spread, family, curves, scatter;
};

struct FailedRun {
    std::string job_id, error, log_path;
    int attempt = 0;
    bool log_exists = false;
};

struct Report {
    std::string source;   // the results directory as given
    std::string sweep;    // sweep name (and plan hash) when recorded, else ""
    std::string summary;  // "5 configurations; 58 runs done, 1 failed, 1 missing"
    std::vector<Section> sections;
    std::vector<std::string> notes, other;  // from the aggregate's Markdown
    std::vector<FailedRun> failed;
    std::vector<std::pair<std::string, std::string>> provenance;  // label, value
    // Per study table: name, jobs, summed job wall time, first start .. last end.
    struct StudyTime {
        std::string table;
        int jobs = 0;
        double wall_seconds = 0;
        std::string first_start, last_end;
    };
    std::vector<StudyTime> times;
    std::string tables_md;  // render_aggregate(agg, "md", true), also OUT/tables.md
};

// Throws common::Error when out_dir does not exist.
Report build_report(const std::string& out_dir);

}  // namespace nar::jobs::report
