#pragma once
// The report's four chart kinds, each drawn as one self-contained SVG element.
// Every data mark carries a class (below) so a test can count what was drawn.
//   spread:  dot (dropped: also "dropped"), avg-bar, paper-mark, failed-run, missing-run
//   curves:  band, median-line, selected-epoch
//   scatter: point, band10, diagonal
//   bars:    family-bar, paper-mark
// Values are in display units (% for MAPE); NaN values are skipped.
#include <optional>
#include <string>
#include <vector>

namespace nar::jobs::report {

struct SpreadRow {
    std::string label;      // e.g. "AlexNet", "fraction 0.05"
    std::string runs_text;  // e.g. "10/12 (1 failed, 1 missing)"
    std::vector<double> values;
    std::vector<bool> dropped;  // per value: dropped from avg (best or worst)
    double avg = 0;             // NaN: none
    std::optional<double> paper;
    int failed = 0, missing = 0;
};

struct SpreadChart {
    std::string title, metric_title, note;
    std::vector<SpreadRow> rows;
};

struct CurveChart {
    std::string title, metric_title;
    std::vector<std::vector<double>> runs;  // per run: val metric per epoch
    std::vector<int> selected;              // per run: tested epoch, 0-based (-1: none)
};

struct ScatterChart {
    std::string title, subtitle, x_title, y_title;
    std::string diagonal_label = "predicted = measured";
    bool log = false;     // log-log axes (latency)
    bool band10 = false;  // shade |pred/true - 1| <= 10%
    std::vector<double> x, y;
    std::vector<std::string> group;  // colour key per point ("" allowed)
};

struct BarChart {
    std::string title, metric_title;
    std::vector<std::string> labels;
    std::vector<double> values;
    std::vector<std::optional<double>> paper;  // same length as values, or empty
};

std::string spread_svg(const SpreadChart& c);
std::string curve_svg(const CurveChart& c);
std::string scatter_svg(const ScatterChart& c);
std::string bar_svg(const BarChart& c);

}  // namespace nar::jobs::report
