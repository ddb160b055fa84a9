#pragma once
// Paper-shaped table layouts over an Aggregate: which configurations form
// Table 1..6 of the paper (by table name and the study's registry entry), and
// the rows, metrics and display units of each. Renderers (aggregate_render.cpp,
// the HTML report) turn these into text.
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "jobs/aggregate.h"

namespace nar::jobs {

struct Cell {
    double avg = std::numeric_limits<double>::quiet_NaN();
    double best = std::numeric_limits<double>::quiet_NaN();
};

struct Row {
    std::string label;
    std::string runs;
    std::map<std::string, Cell> values;  // metric -> avg/best
    std::string paper_row;               // key for paper_number; empty: none
};

struct PaperTable {
    std::string title;
    std::string label_header;
    std::vector<std::string> metrics;
    std::vector<Row> rows;
    int paper_table = 0;
};

std::vector<PaperTable> build_tables(const Aggregate& agg);

// "MAPE (%)", "Acc(10%)", "Kendall tau", ...
std::string metric_title(const std::string& metric);
// Fixed decimals; "-" for NaN.
std::string fmt(double v, int decimals);
// Our value in display units (% for MAPE/Acc) and the decimals shown.
double display(const std::string& metric, double v);
int decimals(const std::string& metric);

}  // namespace nar::jobs
