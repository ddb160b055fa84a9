#pragma once
// `nar report`: one self-contained HTML page (inline SVG and CSS, no scripts, no
// fetched resources) from a results directory, and the files a finished sweep leaves.
#include <string>

#include "jobs/report/report_model.h"

namespace nar::jobs::report {

// The page. It is also well-formed XML (polyglot markup), so it can be checked strictly.
std::string render_html(const Report& report);

// Builds the report of out_dir and writes it to html_path (default: OUT/report.html)
// atomically; with svg_dir, also every chart as <svg_dir>/<name>.svg. Returns the
// number of charts. Throws common::Error naming the path on failure.
int write_report(const std::string& out_dir, const std::string& html_path = "",
                 const std::string& svg_dir = "");

// For the end of `nar sweep run` and the Slurm aggregate job: OUT/tables.md (the
// tables of `nar aggregate --paper`) and OUT/report.html, each atomically.
void write_sweep_outputs(const std::string& out_dir);

}  // namespace nar::jobs::report
