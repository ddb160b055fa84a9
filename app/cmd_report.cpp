// `nar report OUT [--out FILE] [--svg DIR]`: the self-contained HTML report.
#include <iostream>
#include <memory>

#include "app/commands.h"
#include "jobs/report/report_html.h"

namespace nar::app {

namespace {

struct ReportArgs {
    std::string dir, out, svg_dir;
};

}  // namespace

void add_report_commands(CLI::App& app) {
    auto args = std::make_shared<ReportArgs>();
    auto* cmd = app.add_subcommand(
        "report",
        "Write a self-contained HTML report of a results directory: the tables of `nar "
        "aggregate --paper`, spreads, training curves, predicted vs measured, provenance");
    cmd->add_option("results", args->dir, "Results directory (searched recursively)")->required();
    cmd->add_option("--out", args->out, "HTML file to write (default: RESULTS/report.html)");
    cmd->add_option("--svg", args->svg_dir, "Also write each chart as DIR/<chart>.svg");
    cmd->callback([args] {
        const int charts = jobs::report::write_report(args->dir, args->out, args->svg_dir);
        const std::string path = args->out.empty() ? args->dir + "/report.html" : args->out;
        std::cout << "report: " << path << " (" << charts << " charts)";
        if (!args->svg_dir.empty()) std::cout << "; SVG files in " << args->svg_dir;
        std::cout << "\n";
    });
}

}  // namespace nar::app
