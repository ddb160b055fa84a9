#include "jobs/report/sections.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>

#include "jobs/job_id.h"
#include "jobs/paper_numbers.h"
#include "jobs/report/charts.h"
#include "jobs/study.h"

namespace nar::jobs::report {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr size_t kMaxPoints = 4000;  // per scatter, to keep the page light

// One row of a spread chart: a configuration, or one family of it (Table 1).
struct RowRef {
    const ConfigSummary* c = nullptr;
    std::string group;  // "" for the configuration as a whole
    std::string label, runs_text;
    std::optional<double> paper;
};

double metric_of(const std::map<std::string, double>& m, const std::string& k) {
    auto it = m.find(k);
    return it == m.end() ? kNaN : it->second;
}

double run_value(const JobResult& r, const std::string& group, const std::string& metric) {
    if (group.empty()) return metric_of(r.metrics, metric);
    auto it = r.group_metrics.find(group);
    return it == r.group_metrics.end() ? kNaN : metric_of(it->second, metric);
}

double avg_value(const ConfigSummary& c, const std::string& group, const std::string& metric) {
    if (group.empty()) return metric_of(c.avg, metric);
    auto it = c.group_avg.find(group);
    return it == c.group_avg.end() ? kNaN : metric_of(it->second, metric);
}

std::vector<const JobResult*> done_runs(const ConfigSummary& c,
                                        const std::map<std::string, JobResult>& results) {
    std::vector<const JobResult*> out;
    for (auto it = results.lower_bound(c.config_id + "/"); it != results.end(); ++it) {
        if (it->first.compare(0, c.config_id.size() + 1, c.config_id + "/") != 0) break;
        if (config_id(it->first) == c.config_id && it->second.status == nar::jobs::JobStatus::done)
            out.push_back(&it->second);
    }
    return out;
}

std::string file_stem(const std::string& id) {
    std::string s = id;
    std::replace(s.begin(), s.end(), '/', '-');
    return sanitize_id_component(s);
}

// Rows of the spread chart, one per row of the paper-shaped table: Table 1 has "All"
// and one row per family (paper_row = the family's group) of its one configuration;
// the others one row per configuration, in order (Table 2's "Average" row is no
// configuration and is left out here).
std::vector<RowRef> map_rows(const std::vector<const ConfigSummary*>& cs, const PaperTable* t) {
    std::vector<RowRef> rows;
    if (!t) {
        for (const auto* c : cs)
            rows.push_back({c, "", c->config_id, std::to_string(c->done) + " done", std::nullopt});
        return rows;
    }
    const std::string& primary = cs.front()->primary;
    for (size_t i = 0; i < t->rows.size(); ++i) {
        const Row& row = t->rows[i];
        RowRef r;
        if (t->paper_table == 1) {
            r.c = cs.front();
            r.group = row.paper_row == "all" ? "" : row.paper_row;
        } else if (i < cs.size()) {
            r.c = cs[i];
        } else {
            continue;
        }
        r.label = row.label;
        r.runs_text = row.runs;
        if (t->paper_table > 0 && !row.paper_row.empty()) {
            PaperValue p = paper_number(t->paper_table, row.paper_row, primary);
            r.paper = p.avg;
        }
        rows.push_back(r);
    }
    return rows;
}

// The metric a table's rows show: that of a configuration with results (one that has
// none yet knows no study, hence no metric), else of the first.
std::string primary_of(const std::vector<RowRef>& rows) {
    for (const auto& r : rows) {
        if (r.c->done > 0) return r.c->primary;
    }
    return rows.empty() ? "" : rows.front().c->primary;
}

Chart spread_chart(const std::string& name, const std::string& title,
                   const std::vector<RowRef>& rows,
                   const std::map<std::string, JobResult>& results) {
    SpreadChart ch;
    ch.title = title.empty() ? name : title;
    ch.metric_title = metric_title(primary_of(rows));
    ch.note = "avg: mean of the runs left after dropping the best and the worst (3 or more runs).";
    for (const auto& r : rows) {
        const ConfigSummary& c = *r.c;
        SpreadRow row;
        row.label = r.label;
        row.runs_text = r.runs_text;
        row.paper = r.paper;
        row.failed = c.failed;
        row.missing = std::max(0, c.missing());
        row.avg = display(c.primary, avg_value(c, r.group, c.primary));
        for (const JobResult* run : done_runs(c, results)) {
            row.values.push_back(display(c.primary, run_value(*run, r.group, c.primary)));
            row.dropped.push_back(std::find(c.dropped.begin(), c.dropped.end(), run->job_id) !=
                                  c.dropped.end());
        }
        ch.rows.push_back(row);
    }
    return {name + "-spread", "spread", spread_svg(ch)};
}

bool nnlqp_study(const std::string& study) {
    const StudyDef* d = find_study(study);
    return d && d->benchmark == "nnlqp";
}

// NNLQP studies: MAPE per family (Table 1: of the one model; Table 2: of each held-out one).
std::optional<Chart> family_chart(const std::string& name, const std::vector<RowRef>& rows,
                                  const std::vector<const ConfigSummary*>& cs) {
    BarChart ch;
    ch.title = name + ": error per family";
    ch.metric_title = metric_title(primary_of(rows));
    for (const auto& r : rows) {
        const ConfigSummary& c = *r.c;
        if (!nnlqp_study(c.study)) continue;
        if (cs.size() == 1 && r.group.empty()) continue;  // Table 1: the "All" row
        std::vector<std::string> groups;
        if (!r.group.empty()) {
            groups.push_back(r.group);
        } else {
            for (const auto& [g, m] : c.group_avg) {
                if (!g.empty()) groups.push_back(g);
            }
        }
        for (const auto& g : groups) {
            ch.labels.push_back(groups.size() == 1 ? r.label
                                                   : r.label + ": " + family_display_name(g));
            ch.values.push_back(display(c.primary, avg_value(c, g, c.primary)));
            ch.paper.push_back(groups.size() == 1 ? r.paper : std::nullopt);
        }
    }
    if (ch.labels.empty()) return std::nullopt;
    return Chart{name + "-family", "family", bar_svg(ch)};
}

Chart curve_chart(const ConfigSummary& c, const std::vector<const JobResult*>& runs) {
    CurveChart ch;
    ch.title = "Training: " + c.config_id;
    const std::string metric = runs.empty() ? c.primary : runs.front()->val_metric_name;
    ch.metric_title = metric_title(metric);
    for (const JobResult* r : runs) {
        std::vector<double> v = r->val_metric;
        for (double& x : v) x = display(metric, x);
        ch.runs.push_back(v);
        ch.selected.push_back(r->best_epoch);
    }
    return {file_stem(c.config_id) + "-curve", "curve", curve_svg(ch)};
}

std::optional<Chart> scatter_chart(const ConfigSummary& c, std::vector<const JobResult*> runs) {
    runs.erase(std::remove_if(runs.begin(), runs.end(),
                              [](const JobResult* r) { return r->predictions.empty(); }),
               runs.end());
    if (runs.empty()) return std::nullopt;
    std::stable_sort(runs.begin(), runs.end(), [&](const JobResult* a, const JobResult* b) {
        double x = metric_of(a->metrics, c.primary), y = metric_of(b->metrics, c.primary);
        if (std::isnan(x) || std::isnan(y)) return !std::isnan(x) && std::isnan(y);
        return x < y;
    });
    const JobResult& r = *runs[(runs.size() - 1) / 2];
    const StudyDef* study = find_study(c.study);
    const bool latency = study ? study->latency() : c.primary == "mape";
    const double v = metric_of(r.metrics, c.primary);
    ScatterChart ch;
    ch.log = ch.band10 = latency;
    ch.title = c.config_id + ": " + metric_title(c.primary) + " = " +
               fmt(display(c.primary, v), decimals(c.primary));
    int rep = -1;
    config_id(r.job_id, &rep);
    const size_t n = std::min(r.predictions.size(), r.targets.size());
    const size_t stride = std::max<size_t>(1, (n + kMaxPoints - 1) / kMaxPoints);
    ch.subtitle = "test split of the median run" + (rep >= 0 ? " " + repeat_tag(rep) : "") +
                  " of " + std::to_string(runs.size()) + ": " + std::to_string(n) + " samples" +
                  (stride > 1 ? " (one in " + std::to_string(stride) + " shown)" : "");
    ch.x_title = latency ? "measured latency (ms)" : "true accuracy";
    ch.y_title = latency ? "predicted latency (ms)" : "predicted accuracy";
    if (!latency) ch.diagonal_label = "predicted = true";
    for (size_t i = 0; i < n; i += stride) {
        ch.x.push_back(r.targets[i]);
        ch.y.push_back(r.predictions[i]);
        ch.group.push_back(i < r.groups.size() ? r.groups[i] : "");
    }
    return Chart{file_stem(c.config_id) + "-scatter", "scatter", scatter_svg(ch)};
}

}  // namespace

Section build_section(const std::string& table_name, const std::vector<const ConfigSummary*>& cs,
                      const PaperTable* layout, const MdTable& shown,
                      const std::map<std::string, JobResult>& results) {
    Section s;
    s.anchor = "section-" + sanitize_id_component(table_name);
    s.table = shown;
    if (s.table.title.empty()) s.table.title = layout ? layout->title : table_name;
    if (cs.empty()) return s;
    const auto rows = map_rows(cs, layout);
    s.spread.push_back(spread_chart(table_name, s.table.title, rows, results));
    if (auto f = family_chart(table_name, rows, cs)) s.family.push_back(*f);
    for (const auto* c : cs) {
        const auto runs = done_runs(*c, results);
        if (runs.empty()) continue;
        s.curves.push_back(curve_chart(*c, runs));
        if (auto sc = scatter_chart(*c, runs)) s.scatter.push_back(*sc);
    }
    return s;
}

}  // namespace nar::jobs::report
