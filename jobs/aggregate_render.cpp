// Renderers of `nar aggregate`: Markdown, CSV, LaTeX and JSON.
#include <cmath>
#include <cstdio>
#include <sstream>

#include "common/error.h"
#include "common/json.h"
#include "jobs/aggregate.h"
#include "jobs/paper_numbers.h"
#include "jobs/paper_tables.h"

namespace nar::jobs {

namespace {

using common::json_string;

struct TextTable {
    std::string title;
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
};

TextTable to_text(const PaperTable& t, bool paper) {
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
    for (const auto& d : agg.duplicates) notes.push_back("duplicate job id " + d);
    return notes;
}

}  // namespace

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
