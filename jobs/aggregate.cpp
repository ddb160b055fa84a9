#include "jobs/aggregate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <set>
#include <sstream>

#include "common/error.h"
#include "jobs/job_id.h"
#include "jobs/paper_numbers.h"
#include "jobs/result_file.h"
#include "jobs/sweep_index.h"

namespace nar::jobs {

namespace fs = std::filesystem;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

double metric_or_nan(const std::map<std::string, double>& m, const std::string& k) {
    auto it = m.find(k);
    return it == m.end() ? kNaN : it->second;
}

// Mean per key over the maps that have it.
std::map<std::string, double> mean_of(const std::vector<const std::map<std::string, double>*>& v) {
    std::map<std::string, std::pair<double, int>> acc;
    for (const auto* m : v) {
        for (const auto& [k, x] : *m) {
            auto& a = acc[k];
            a.first += x;
            a.second += 1;
        }
    }
    std::map<std::string, double> out;
    for (const auto& [k, a] : acc) out[k] = a.first / a.second;
    return out;
}

void summarise(ConfigSummary& c, std::vector<const RunRecord*> done) {
    const bool lower = is_latency_study(c.study);
    c.primary = lower ? "mape" : "kendall_tau";
    // Best first; a NaN primary metric ranks worst.
    std::stable_sort(done.begin(), done.end(), [&](const RunRecord* a, const RunRecord* b) {
        double x = metric_or_nan(a->metrics, c.primary), y = metric_or_nan(b->metrics, c.primary);
        if (std::isnan(x) || std::isnan(y)) return !std::isnan(x) && std::isnan(y);
        return lower ? x < y : x > y;
    });
    c.done = static_cast<int>(done.size());
    if (done.empty()) return;
    c.best_run = done.front()->job_id;
    c.best = done.front()->metrics;
    c.group_best = done.front()->group_metrics;
    size_t lo = 0, hi = done.size();
    if (done.size() >= 3) {
        c.trimmed = true;
        c.dropped = {done.front()->job_id, done.back()->job_id};
        lo = 1;
        hi = done.size() - 1;
    }
    std::vector<const std::map<std::string, double>*> kept;
    std::map<std::string, std::vector<const std::map<std::string, double>*>> kept_groups;
    for (size_t i = lo; i < hi; ++i) {
        c.used.push_back(done[i]->job_id);
        kept.push_back(&done[i]->metrics);
        for (const auto& [g, m] : done[i]->group_metrics) kept_groups[g].push_back(&m);
    }
    c.avg = mean_of(kept);
    for (const auto& [g, v] : kept_groups) c.group_avg[g] = mean_of(v);
}

// ---- rendering -----------------------------------------------------------

struct Cell {
    double avg = kNaN, best = kNaN;
};

struct Row {
    std::string label;
    std::string runs;
    std::map<std::string, Cell> values;  // metric -> avg/best
    std::string paper_row;               // key for paper_number; empty: none
};

struct Table {
    std::string title;
    std::string label_header;
    std::vector<std::string> metrics;
    std::vector<Row> rows;
    int paper_table = 0;
};

struct TextTable {
    std::string title;
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
};

std::string metric_title(const std::string& m) {
    if (m == "mape") return "MAPE (%)";
    if (m == "acc10") return "Acc(10%)";
    if (m == "acc5") return "Acc(5%)";
    if (m == "acc1") return "Acc(1%)";
    if (m == "kendall_tau") return "Kendall tau";
    return m;
}

bool percent_metric(const std::string& m) { return m == "mape" || m.rfind("acc", 0) == 0; }

std::string fmt(double v, int decimals) {
    if (std::isnan(v)) return "-";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

// Our value in display units (% for MAPE/Acc).
double display(const std::string& metric, double v) { return percent_metric(metric) ? 100 * v : v; }
int decimals(const std::string& metric) { return metric == "kendall_tau" ? 3 : 2; }

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

// The paper table a group of configurations matches (by table name and study), or 0.
int paper_table_of(const std::string& table, const std::vector<const ConfigSummary*>& cs) {
    if (table.size() != 6 || table.compare(0, 5, "table") != 0) return 0;
    int t = table[5] - '0';
    if (t < 1 || t > 6) return 0;
    for (const auto* c : cs) {
        bool nnlqp = c->study == "nnlqp-in-domain" || c->study == "nnlqp-unseen";
        if ((t == 1 || t == 2 || t == 5 || t == 6) && !nnlqp) return 0;
        if (t == 3 && c->study != "nb101-accuracy") return 0;
        if (t == 4 && c->study != "nb201-accuracy") return 0;
        if (t == 1 && cs.size() != 1) return 0;
    }
    return t;
}

std::vector<Table> build_tables(const Aggregate& agg) {
    std::vector<std::string> order;
    std::map<std::string, std::vector<const ConfigSummary*>> by_table;
    for (const auto& c : agg.configs) {
        if (!by_table.count(c.table)) order.push_back(c.table);
        by_table[c.table].push_back(&c);
    }
    std::vector<Table> tables;
    for (const auto& name : order) {
        const auto& cs = by_table[name];
        Table t;
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
                const std::string study = cs.front()->study;
                t.title = name + (study.empty() ? "" : " (" + study + ")");
                t.label_header = "configuration";
                t.metrics = is_latency_study(study) ? std::vector<std::string>{"mape", "acc10"}
                                                    : std::vector<std::string>{"kendall_tau"};
                for (const auto* c : cs)
                    t.rows.push_back(config_row(*c, c->config_id, "", t.metrics));
            }
        }
        tables.push_back(std::move(t));
    }
    return tables;
}

TextTable to_text(const Table& t, bool paper) {
    TextTable out;
    out.title = t.title;
    out.header.push_back(t.label_header);
    const bool with_paper = paper && t.paper_table > 0;
    for (const auto& m : t.metrics) {
        out.header.push_back(metric_title(m) + " avg");
        out.header.push_back(metric_title(m) + " best");
        if (with_paper) {
            out.header.push_back(metric_title(m) + " paper");
            out.header.push_back("diff avg");
        }
    }
    out.header.push_back("runs");
    for (const auto& r : t.rows) {
        std::vector<std::string> row{r.label};
        for (const auto& m : t.metrics) {
            const int d = decimals(m);
            Cell c = r.values.count(m) ? r.values.at(m) : Cell{};
            row.push_back(fmt(c.avg, d));
            row.push_back(fmt(c.best, d));
            if (with_paper) {
                PaperValue p = r.paper_row.empty() ? PaperValue{}
                                                   : paper_number(t.paper_table, r.paper_row, m);
                std::string ptxt = p.avg ? fmt(*p.avg, d) : "-";
                if (p.best) ptxt += " / " + fmt(*p.best, d);
                row.push_back(ptxt);
                row.push_back(p.avg && !std::isnan(c.avg)
                                  ? (c.avg - *p.avg >= 0 ? "+" : "") + fmt(c.avg - *p.avg, d)
                                  : "-");
            }
        }
        row.push_back(r.runs);
        out.rows.push_back(row);
    }
    return out;
}

std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
}

std::string latex_escape(const std::string& s) {
    std::string o;
    for (char c : s) {
        if (c == '%' || c == '_' || c == '&' || c == '#' || c == '$') o += '\\';
        o += c;
    }
    return o;
}

std::string json_string(const std::string& s) {
    std::string o = "\"";
    for (char c : s) {
        switch (c) {
            case '"':
                o += "\\\"";
                break;
            case '\\':
                o += "\\\\";
                break;
            case '\n':
                o += "\\n";
                break;
            case '\t':
                o += "\\t";
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    o += buf;
                } else {
                    o += c;
                }
        }
    }
    return o + "\"";
}

std::string json_number(double v) {
    if (!std::isfinite(v)) return "null";
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

std::string json_metrics(const std::map<std::string, double>& m) {
    std::string o = "{";
    bool first = true;
    for (const auto& [k, v] : m) {
        o += (first ? "" : ", ") + json_string(k) + ": " + json_number(v);
        first = false;
    }
    return o + "}";
}

std::string json_list(const std::vector<std::string>& v) {
    std::string o = "[";
    for (size_t i = 0; i < v.size(); ++i) o += (i ? ", " : "") + json_string(v[i]);
    return o + "]";
}

std::string render_json(const Aggregate& agg) {
    std::ostringstream o;
    o << "{\n  \"source\": " << json_string(agg.source) << ",\n  \"configs\": [";
    for (size_t i = 0; i < agg.configs.size(); ++i) {
        const auto& c = agg.configs[i];
        o << (i ? "," : "") << "\n    {\"config_id\": " << json_string(c.config_id)
          << ", \"table\": " << json_string(c.table) << ", \"study\": " << json_string(c.study)
          << ", \"primary\": " << json_string(c.primary) << ",\n     \"params\": {";
        bool first = true;
        for (const auto& [k, v] : c.params) {
            o << (first ? "" : ", ") << json_string(k) << ": " << json_string(v);
            first = false;
        }
        o << "},\n     \"done\": " << c.done << ", \"failed\": " << c.failed
          << ", \"expected\": " << (c.expected < 0 ? "null" : std::to_string(c.expected))
          << ", \"missing\": " << (c.missing() < 0 ? "null" : std::to_string(c.missing()))
          << ", \"trimmed\": " << (c.trimmed ? "true" : "false")
          << ",\n     \"best_run\": " << json_string(c.best_run)
          << ", \"dropped\": " << json_list(c.dropped) << ", \"used\": " << json_list(c.used)
          << ",\n     \"avg\": " << json_metrics(c.avg)
          << ",\n     \"best\": " << json_metrics(c.best) << ",\n     \"group_avg\": {";
        first = true;
        for (const auto& [g, m] : c.group_avg) {
            o << (first ? "" : ", ") << json_string(g) << ": " << json_metrics(m);
            first = false;
        }
        o << "},\n     \"group_best\": {";
        first = true;
        for (const auto& [g, m] : c.group_best) {
            o << (first ? "" : ", ") << json_string(g) << ": " << json_metrics(m);
            first = false;
        }
        o << "},\n     \"failed_runs\": [";
        for (size_t k = 0; k < c.failed_runs.size(); ++k) {
            const auto& f = c.failed_runs[k];
            o << (k ? ", " : "") << "{\"job_id\": " << json_string(f.job_id)
              << ", \"attempt\": " << f.attempt << ", \"error\": " << json_string(f.error) << "}";
        }
        o << "]}";
    }
    o << "\n  ],\n  \"unreadable\": " << json_list(agg.unreadable) << "\n}\n";
    return o.str();
}

std::vector<std::string> footnotes(const Aggregate& agg) {
    std::vector<std::string> notes;
    bool few = false;
    for (const auto& c : agg.configs) few = few || (c.done > 0 && c.done < 3);
    notes.push_back(
        "avg: mean of the runs left after dropping the best and the worst by the primary "
        "metric (MAPE for latency, Kendall tau for accuracy); best: the best single run.");
    if (few) notes.push_back("*: fewer than 3 finished runs, avg is the mean of all of them.");
    for (const auto& c : agg.configs) {
        for (const auto& f : c.failed_runs) {
            notes.push_back("failed: " + f.job_id + " (attempt " + std::to_string(f.attempt) +
                            "): " + (f.error.empty() ? "no error message" : f.error));
        }
    }
    for (const auto& u : agg.unreadable) notes.push_back("unreadable: " + u);
    return notes;
}

}  // namespace

bool is_latency_study(const std::string& study) {
    return study == "nnlqp-in-domain" || study == "nnlqp-unseen" || study == "nb201-latency";
}

std::vector<RunRecord> scan_results(const std::string& dir, std::vector<std::string>* unreadable) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) throw common::Error(dir + ": results directory does not exist");
    std::vector<std::string> paths;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
        if (!it->is_regular_file()) continue;
        const std::string p = it->path().string();
        if (!ends_with(p, ".h5") || ends_with(p, ".ckpt.h5")) continue;
        paths.push_back(p);
    }
    std::sort(paths.begin(), paths.end());
    std::vector<RunRecord> runs;
    for (const auto& p : paths) {
        try {
            JobResult r = read_result(p);
            RunRecord rec;
            rec.job_id = r.job_id;
            rec.path = p;
            rec.study = r.study;
            rec.status = r.status;
            rec.error = r.error;
            rec.attempt = r.attempt;
            rec.params = parse_config_text(r.config_text);
            rec.metrics = r.metrics;
            rec.group_metrics = r.group_metrics;
            runs.push_back(std::move(rec));
        } catch (const std::exception& e) {
            // Other HDF5 files (the sweep index) have no job_id: not ours, not an error.
            std::string what = e.what();
            if (what.find("not a nar result file") != std::string::npos) continue;
            if (unreadable) unreadable->push_back(what);
        }
    }
    return runs;
}

Aggregate aggregate_runs(const std::vector<RunRecord>& runs, const SweepPlan* plan) {
    // One record per job id; a finished one wins over a failed one.
    std::map<std::string, const RunRecord*> by_id;
    for (const auto& r : runs) {
        auto& slot = by_id[r.job_id];
        if (!slot || (slot->status != "done" && r.status == "done")) slot = &r;
    }
    std::map<std::string, ConfigSummary> configs;
    std::map<std::string, std::vector<const RunRecord*>> done;
    auto get = [&](const std::string& cid) -> ConfigSummary& {
        auto& c = configs[cid];
        if (c.config_id.empty()) {
            c.config_id = cid;
            c.table = cid.substr(0, cid.find('/'));
        }
        return c;
    };
    if (plan) {
        for (const auto& j : plan->jobs) {
            auto& c = get(config_id(j.id));
            c.expected = std::max(c.expected, 0) + 1;
            if (c.study.empty()) c.study = j.params.count("study") ? j.params.at("study") : "";
            if (c.params.empty()) c.params = j.params;
        }
    }
    for (const auto& [id, r] : by_id) {
        auto& c = get(config_id(id));
        if (c.study.empty()) c.study = r->study;
        if (c.params.empty()) c.params = r->params;
        if (r->status == "done") {
            done[c.config_id].push_back(r);
        } else {
            c.failed += 1;
            c.failed_runs.push_back(*r);
        }
    }
    Aggregate agg;
    for (auto& [cid, c] : configs) {
        summarise(c, done[cid]);
        agg.configs.push_back(std::move(c));
    }
    return agg;
}

Aggregate aggregate_results(const std::string& dir, const SweepPlan* plan) {
    std::vector<std::string> unreadable;
    auto runs = scan_results(dir, &unreadable);
    // Without a plan, the coordinator's index (index.tsv) still knows every job:
    // it gives the missing counts and failures that left no result file.
    SweepPlan from_index;
    const std::string index = index_path(dir);
    if (!plan && fs::exists(index)) {
        try {
            std::set<std::string> have;
            for (const auto& r : runs) have.insert(r.job_id);
            for (const auto& e : read_index(index)) {
                JobSpec j;
                j.id = e.job_id;
                from_index.jobs.push_back(j);
                if (e.state == JobState::failed && !have.count(e.job_id)) {
                    RunRecord r;
                    r.job_id = e.job_id;
                    r.status = "failed";
                    r.error = e.error;
                    r.attempt = e.attempts;
                    r.path = index;
                    runs.push_back(r);
                }
            }
            plan = &from_index;
        } catch (const std::exception& e) {
            unreadable.push_back(e.what());
        }
    }
    Aggregate agg = aggregate_runs(runs, plan);
    agg.source = dir;
    agg.unreadable = unreadable;
    return agg;
}

std::string render_aggregate(const Aggregate& agg, const std::string& format, bool paper) {
    if (format == "json") return render_json(agg);
    if (format != "md" && format != "csv" && format != "latex") {
        throw common::Error("unknown format '" + format + "' (md, csv, latex or json)");
    }
    std::vector<TextTable> tables;
    for (const auto& t : build_tables(agg)) tables.push_back(to_text(t, paper));
    const auto notes = footnotes(agg);
    std::ostringstream o;
    if (agg.configs.empty())
        o << (format == "latex" ? "% " : "") << "no results found in " << agg.source << "\n";
    for (const auto& t : tables) {
        if (format == "md") {
            o << "### " << t.title << "\n\n|";
            for (const auto& h : t.header) o << " " << h << " |";
            o << "\n|";
            for (size_t i = 0; i < t.header.size(); ++i) o << (i ? "---:|" : "---|");
            o << "\n";
            for (const auto& r : t.rows) {
                o << "|";
                for (const auto& cell : r) o << " " << cell << " |";
                o << "\n";
            }
            o << "\n";
        } else if (format == "csv") {
            o << "# " << t.title << "\n";
            for (size_t i = 0; i < t.header.size(); ++i)
                o << (i ? "," : "") << csv_field(t.header[i]);
            o << "\n";
            for (const auto& r : t.rows) {
                for (size_t i = 0; i < r.size(); ++i) o << (i ? "," : "") << csv_field(r[i]);
                o << "\n";
            }
            o << "\n";
        } else {
            o << "% " << t.title << "\n\\begin{tabular}{l" << std::string(t.header.size() - 1, 'r')
              << "}\n\\hline\n";
            for (size_t i = 0; i < t.header.size(); ++i) {
                o << (i ? " & " : "") << latex_escape(t.header[i]);
            }
            o << " \\\\\n\\hline\n";
            for (const auto& r : t.rows) {
                for (size_t i = 0; i < r.size(); ++i) o << (i ? " & " : "") << latex_escape(r[i]);
                o << " \\\\\n";
            }
            o << "\\hline\n\\end{tabular}\n\n";
        }
    }
    for (const auto& n : notes) {
        o << (format == "md" ? "- " : format == "csv" ? "# " : "% ") << n << "\n";
    }
    return o.str();
}

}  // namespace nar::jobs
