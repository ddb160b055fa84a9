#include "jobs/paper_tables.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "jobs/paper_numbers.h"
#include "jobs/study.h"

namespace nar::jobs {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double metric_or_nan(const std::map<std::string, double>& m, const std::string& k) {
    auto it = m.find(k);
    return it == m.end() ? kNaN : it->second;
}

bool percent_metric(const std::string& m) { return m == "mape" || m.rfind("acc", 0) == 0; }

std::string runs_text(const ConfigSummary& c) {
    std::string s = std::to_string(c.done);
    if (c.expected >= 0) s += "/" + std::to_string(c.expected);
    std::vector<std::string> extra;
    if (c.failed > 0) extra.push_back(std::to_string(c.failed) + " failed");
    if (c.missing() > 0) extra.push_back(std::to_string(c.missing()) + " missing");
    if (!extra.empty()) {
        s += " (";
        for (size_t i = 0; i < extra.size(); ++i) s += (i ? ", " : "") + extra[i];
        s += ")";
    }
    if (c.done > 0 && c.done < 3) s += " *";
    return s;
}

Row config_row(const ConfigSummary& c, const std::string& label, const std::string& paper_row,
               const std::vector<std::string>& metrics) {
    Row r;
    r.label = label;
    r.runs = runs_text(c);
    r.paper_row = paper_row;
    for (const auto& m : metrics) {
        r.values[m] =
            Cell{display(m, metric_or_nan(c.avg, m)), display(m, metric_or_nan(c.best, m))};
    }
    return r;
}

// "0.050000" -> "0.05"; other text unchanged.
std::string pretty_number(const std::string& s) {
    char* end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (end == s.c_str() || *end != '\0') return s;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

std::string param_or(const ConfigSummary& c, const std::string& key) {
    auto it = c.params.find(key);
    if (it != c.params.end()) return it->second;
    size_t slash = c.config_id.rfind('/');
    return slash == std::string::npos ? c.config_id : c.config_id.substr(slash + 1);
}

// The paper table a group of configurations matches (by table name and the
// studies' registry entries), or 0. Tables 1, 2, 5 and 6 are layouts over
// network-latency studies; 3 and 4 belong to one study each.
int paper_table_of(const std::string& table, const std::vector<const ConfigSummary*>& cs) {
    if (table.size() != 6 || table.compare(0, 5, "table") != 0) return 0;
    int t = table[5] - '0';
    if (t < 1 || t > 6) return 0;
    for (const auto* c : cs) {
        const StudyDef* s = find_study(c->study);
        if (!s) return 0;
        if ((t == 1 || t == 2 || t == 5 || t == 6) &&
            !(s->input == InputKind::Graphs && s->latency()))
            return 0;
        if ((t == 3 || t == 4) && s->paper_table != t) return 0;
        if (t == 1 && cs.size() != 1) return 0;
    }
    return t;
}

}  // namespace

std::string metric_title(const std::string& m) {
    if (m == "mape") return "MAPE (%)";
    if (m == "acc10") return "Acc(10%)";
    if (m == "acc5") return "Acc(5%)";
    if (m == "acc1") return "Acc(1%)";
    if (m == "kendall_tau") return "Kendall tau";
    return m;
}

std::string fmt(double v, int decimals) {
    if (std::isnan(v)) return "-";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

double display(const std::string& metric, double v) { return percent_metric(metric) ? 100 * v : v; }
int decimals(const std::string& metric) { return metric == "kendall_tau" ? 3 : 2; }

std::vector<PaperTable> build_tables(const Aggregate& agg) {
    std::vector<std::string> order;
    std::map<std::string, std::vector<const ConfigSummary*>> by_table;
    for (const auto& c : agg.configs) {
        if (!by_table.count(c.table)) order.push_back(c.table);
        by_table[c.table].push_back(&c);
    }
    std::vector<PaperTable> tables;
    for (const auto& name : order) {
        const auto& cs = by_table[name];
        PaperTable t;
        t.paper_table = paper_table_of(name, cs);
        switch (t.paper_table) {
            case 1: {
                const ConfigSummary& c = *cs.front();
                t.title = "Table 1: latency, same distribution (" + c.config_id + ")";
                t.label_header = "family";
                t.metrics = {"mape", "acc10"};
                t.rows.push_back(config_row(c, "All", "all", t.metrics));
                for (const auto& [g, avg] : c.group_avg) {
                    Row r;
                    r.label = family_display_name(g);
                    r.runs = runs_text(c);
                    r.paper_row = g;
                    auto gb = c.group_best.find(g);
                    for (const auto& m : t.metrics) {
                        double b = gb == c.group_best.end() ? kNaN : metric_or_nan(gb->second, m);
                        r.values[m] = Cell{display(m, metric_or_nan(avg, m)), display(m, b)};
                    }
                    t.rows.push_back(r);
                }
                break;
            }
            case 2: {
                t.title = "Table 2: latency, unseen family (leave one family out)";
                t.label_header = "held-out family";
                t.metrics = {"mape", "acc10"};
                Row avg_row;
                avg_row.label = "Average";
                avg_row.paper_row = "average";
                std::map<std::string, std::pair<Cell, int>> sums;
                int done = 0, total = 0;
                for (const auto* c : cs) {
                    std::string h = param_or(*c, "holdout");
                    t.rows.push_back(config_row(*c, family_display_name(h), h, t.metrics));
                    done += c->done;
                    total += c->expected >= 0 ? c->expected : c->done + c->failed;
                    if (c->done == 0) continue;
                    for (const auto& m : t.metrics) {
                        auto& s = sums[m];
                        s.first.avg = (s.second ? s.first.avg : 0) + t.rows.back().values[m].avg;
                        s.first.best = (s.second ? s.first.best : 0) + t.rows.back().values[m].best;
                        s.second += 1;
                    }
                }
                for (const auto& m : t.metrics) {
                    auto it = sums.find(m);
                    avg_row.values[m] = it == sums.end()
                                            ? Cell{}
                                            : Cell{it->second.first.avg / it->second.second,
                                                   it->second.first.best / it->second.second};
                }
                avg_row.runs = std::to_string(done) + "/" + std::to_string(total);
                t.rows.push_back(avg_row);
                break;
            }
            case 3:
            case 4: {
                t.title = t.paper_table == 3 ? "Table 3: accuracy prediction, NAS-Bench-101"
                                             : "Table 4: accuracy prediction, NAS-Bench-201";
                t.label_header = "training set";
                t.metrics = {"kendall_tau"};
                for (const auto* c : cs) {
                    // A fraction, or a train_count when no (non-zero) fraction is set.
                    std::string fraction =
                        c->params.count("fraction") ? c->params.at("fraction") : "";
                    std::string count =
                        c->params.count("train_count") ? c->params.at("train_count") : "";
                    bool by_count = std::strtod(fraction.c_str(), nullptr) <= 0 &&
                                    std::strtod(count.c_str(), nullptr) > 0;
                    std::string key = by_count ? count : pretty_number(fraction);
                    std::string label = by_count ? count + " samples" : "fraction " + key;
                    if (fraction.empty() && count.empty()) key = label = param_or(*c, "fraction");
                    t.rows.push_back(config_row(*c, label, key, t.metrics));
                }
                break;
            }
            case 5:
            case 6: {
                const bool ablation = t.paper_table == 5;
                t.title = ablation ? "Table 5: ablation (table-1 split)"
                                   : "Table 6: attention scope (EfficientNet held out)";
                t.label_header = ablation ? "variant" : "attention";
                t.metrics = ablation ? std::vector<std::string>{"mape", "acc10", "acc5"}
                                     : std::vector<std::string>{"mape", "acc10"};
                for (const auto* c : cs) {
                    std::string v = param_or(*c, ablation ? "variant" : "attention");
                    t.rows.push_back(config_row(*c, v, v, t.metrics));
                }
                break;
            }
            default: {
                // The study of any configuration that knows it (one with no run yet may not).
                std::string study;
                for (const auto* c : cs) {
                    if (study.empty()) study = c->study;
                }
                t.title = name + (study.empty() ? "" : " (" + study + ")");
                t.label_header = "configuration";
                const StudyDef* def = find_study(study);
                t.metrics = def && def->latency() ? std::vector<std::string>{"mape", "acc10"}
                                                  : std::vector<std::string>{"kendall_tau"};
                for (const auto* c : cs)
                    t.rows.push_back(config_row(*c, c->config_id, "", t.metrics));
            }
        }
        tables.push_back(std::move(t));
    }
    return tables;
}

}  // namespace nar::jobs
