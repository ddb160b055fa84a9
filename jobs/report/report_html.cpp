#include "jobs/report/report_html.h"

#include <cstdio>
#include <filesystem>
#include <sstream>

#include "common/atomic_write.h"
#include "common/error.h"
#include "jobs/report/svg.h"
#include "jobs/sweep_status.h"

namespace nar::jobs::report {

namespace fs = std::filesystem;

namespace {

const char* kStyle = R"(
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; color: #222; max-width: 1260px;
       margin: 24px auto; padding: 0 16px; line-height: 1.4; }
h1 { font-size: 26px; margin-bottom: 4px; }
h2 { font-size: 21px; margin-top: 40px; border-bottom: 2px solid #ddd; padding-bottom: 4px; }
h3 { font-size: 16px; margin: 22px 0 8px; color: #333; }
table { border-collapse: collapse; font-size: 14px; margin: 8px 0 12px; }
th, td { border: 1px solid #d6d6d6; padding: 4px 9px; vertical-align: top; }
th { background: #f2f2f2; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.warn, p.warn, span.warn { color: #b00000; }
.charts { display: flex; flex-wrap: wrap; gap: 14px; align-items: flex-start; margin: 14px 0; }
.charts svg { max-width: 100%; height: auto; border: 1px solid #e6e6e6; }
nav ul { columns: 2; font-size: 14px; }
code, td.path { font-family: "DejaVu Sans Mono", Menlo, monospace; font-size: 13px; }
p.summary { font-size: 15px; }
)";

std::string esc(const std::string& s) { return xml_escape(s); }

bool numeric(const std::string& s) {
    return !s.empty() && (std::isdigit(static_cast<unsigned char>(s[0])) ||
                          ((s[0] == '-' || s[0] == '+') &&
                           (s.size() == 1 || std::isdigit(static_cast<unsigned char>(s[1])))));
}

void table_html(std::ostringstream& o, const MdTable& t) {
    if (t.header.empty()) return;
    o << "<table class=\"aggregate\">\n<tr>";
    for (const auto& h : t.header) o << "<th>" << esc(h) << "</th>";
    o << "</tr>\n";
    for (const auto& r : t.rows) {
        o << "<tr>";
        for (size_t i = 0; i < r.size(); ++i) {
            const bool last = i + 1 == r.size();
            const bool warn = last && (r[i].find("failed") != std::string::npos ||
                                       r[i].find("missing") != std::string::npos);
            const char* cls = warn                     ? " class=\"num warn\""
                              : i > 0 && numeric(r[i]) ? " class=\"num\""
                                                       : "";
            o << "<td" << cls << ">" << esc(r[i]) << "</td>";
        }
        o << "</tr>\n";
    }
    o << "</table>\n";
}

void charts_html(std::ostringstream& o, const std::vector<Chart>& charts) {
    if (charts.empty()) return;
    o << "<div class=\"charts\">\n";
    for (const auto& c : charts) o << c.svg;
    o << "</div>\n";
}

}  // namespace

std::string render_html(const Report& rep) {
    std::ostringstream o;
    const std::string name =
        rep.sweep.empty() ? fs::path(rep.source).filename().string() : rep.sweep;
    o << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
      << "<title>nar report: " << esc(name) << "</title>\n<style>" << kStyle << "</style>\n"
      << "</head>\n<body>\n<h1>nar report: " << esc(name) << "</h1>\n"
      << "<p class=\"summary\">" << esc(rep.source) << " &#8212; " << esc(rep.summary) << "</p>\n";
    if (!rep.failed.empty())
        o << "<p class=\"warn\">" << rep.failed.size()
          << (rep.failed.size() == 1 ? " failed run: it is" : " failed runs: they are")
          << " listed below and left out of every avg.</p>\n";
    for (const auto& line : rep.other) o << "<p>" << esc(line) << "</p>\n";
    o << "<nav><ul>\n";
    for (const auto& s : rep.sections)
        o << "<li><a href=\"#" << esc(s.anchor) << "\">" << esc(s.table.title) << "</a></li>\n";
    if (!rep.failed.empty()) o << "<li><a href=\"#failed\">Failed runs</a></li>\n";
    o << "<li><a href=\"#notes\">Notes</a></li>\n<li><a href=\"#provenance\">Provenance</a></li>\n"
      << "</ul></nav>\n";
    for (const auto& s : rep.sections) {
        o << "<section id=\"" << esc(s.anchor) << "\">\n<h2>" << esc(s.table.title) << "</h2>\n";
        table_html(o, s.table);
        // Rows of charts by kind; each chart says what it shows in its own title.
        std::vector<Chart> first = s.spread;
        first.insert(first.end(), s.family.begin(), s.family.end());
        charts_html(o, first);
        charts_html(o, s.curves);
        charts_html(o, s.scatter);
        o << "</section>\n";
    }
    if (!rep.failed.empty()) {
        o << "<section id=\"failed\">\n<h2>Failed runs</h2>\n<table class=\"failed\">\n"
          << "<tr><th>job</th><th>attempt</th><th>error (first line)</th><th>log</th></tr>\n";
        for (const auto& f : rep.failed) {
            o << "<tr class=\"failed-job\"><td>" << esc(f.job_id) << "</td><td class=\"num\">"
              << f.attempt << "</td><td class=\"warn\">" << esc(f.error)
              << "</td><td class=\"path\">" << esc(f.log_path) << (f.log_exists ? "" : " (absent)")
              << "</td></tr>\n";
        }
        o << "</table>\n</section>\n";
    }
    o << "<section id=\"notes\">\n<h2>Notes</h2>\n<ul>\n";
    for (const auto& n : rep.notes) o << "<li>" << esc(n) << "</li>\n";
    o << "<li>Charts: dots are single runs; hollow dots the best and worst run, dropped from the "
         "avg; bars the avg; diamonds the paper's value.</li>\n</ul>\n</section>\n";
    o << "<section id=\"provenance\">\n<h2>Provenance</h2>\n<table class=\"provenance\">\n";
    for (const auto& [k, v] : rep.provenance)
        o << "<tr><th>" << esc(k) << "</th><td>" << esc(v) << "</td></tr>\n";
    o << "</table>\n<table class=\"times\">\n<tr><th>study</th><th>jobs</th><th>job wall time "
         "(sum)</th><th>first start</th><th>last end</th></tr>\n";
    for (const auto& t : rep.times) {
        o << "<tr><td>" << esc(t.table) << "</td><td class=\"num\">" << t.jobs
          << "</td><td class=\"num\">" << esc(duration_text(t.wall_seconds)) << "</td><td>"
          << esc(t.first_start) << "</td><td>" << esc(t.last_end) << "</td></tr>\n";
    }
    o << "</table>\n</section>\n</body>\n</html>\n";
    return o.str();
}

namespace {

// Parent directories, then the one temp-then-rename writer.
void write_file(const std::string& path, const std::string& content) {
    std::error_code ec;
    const fs::path p(path);
    if (p.has_parent_path()) fs::create_directories(p.parent_path(), ec);
    if (ec) throw common::Error(path + ": cannot create its directory: " + ec.message());
    common::write_text_atomically(path, content);
}

}  // namespace

int write_report(const std::string& out_dir, const std::string& html_path,
                 const std::string& svg_dir) {
    const Report rep = build_report(out_dir);
    const std::string path =
        html_path.empty() ? (fs::path(out_dir) / "report.html").string() : html_path;
    int charts = 0;
    for (const auto& s : rep.sections) {
        for (const auto* group : {&s.spread, &s.family, &s.curves, &s.scatter}) {
            for (const auto& c : *group) {
                ++charts;
                if (!svg_dir.empty()) {
                    write_file((fs::path(svg_dir) / (c.name + ".svg")).string(),
                               "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + c.svg);
                }
            }
        }
    }
    write_file(path, render_html(rep));
    return charts;
}

void write_sweep_outputs(const std::string& out_dir) {
    const Report rep = build_report(out_dir);
    write_file((fs::path(out_dir) / "tables.md").string(), rep.tables_md);
    write_file((fs::path(out_dir) / "report.html").string(), render_html(rep));
}

}  // namespace nar::jobs::report
