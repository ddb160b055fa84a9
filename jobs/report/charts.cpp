#include "jobs/report/charts.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "jobs/report/svg.h"

namespace nar::jobs::report {

namespace {

constexpr double kLabelPx = 13;
const char* kInk = "#222";
const char* kPaper = "#D55E00";
const char* kFailed = "#C00000";
const char* kMissing = "#7F7F7F";

bool finite(double v) { return std::isfinite(v); }

// Label cut to fit max_px, with an ellipsis.
std::string fit(const std::string& s, double max_px) {
    if (text_width(s, kLabelPx) <= max_px) return s;
    std::string t = s;
    while (!t.empty() && text_width(t + "...", kLabelPx) > max_px) t.pop_back();
    while (!t.empty() && (static_cast<unsigned char>(t.back()) & 0xC0) == 0x80) t.pop_back();
    if (!t.empty() && static_cast<unsigned char>(t.back()) >= 0xC0) t.pop_back();
    return t + "...";
}

double legend_height(const std::vector<LegendItem>& items, double max_width) {
    Svg scratch(0, 0);
    return draw_legend(scratch, 0, 0, items, max_width);
}

std::string label_attrs(const char* anchor) {
    return "font-size=\"" + num(kLabelPx) + "\" fill=\"" + kInk + "\" text-anchor=\"" + anchor +
           "\"";
}

void no_data(Svg& svg, double x, double y) {
    svg.text(x, y, "no data", "class=\"no-data\" " + label_attrs("middle") + " fill=\"#777\"");
}

double median_of(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace

std::string spread_svg(const SpreadChart& c) {
    const double row_h = 30;
    double label_w = 80, runs_w = 60;
    int marks = 0;
    bool any_dropped = false, any_paper = false, any_failed = false, any_missing = false;
    std::vector<double> all;
    for (const auto& r : c.rows) {
        label_w = std::max(label_w, text_width(r.label, kLabelPx));
        runs_w = std::max(runs_w, text_width(r.runs_text, kLabelPx));
        marks = std::max(marks, std::min(24, r.failed + r.missing));
        for (size_t i = 0; i < r.values.size(); ++i) {
            if (finite(r.values[i])) all.push_back(r.values[i]);
            any_dropped = any_dropped || (i < r.dropped.size() && r.dropped[i]);
        }
        if (finite(r.avg)) all.push_back(r.avg);
        if (r.paper && finite(*r.paper)) {
            all.push_back(*r.paper);
            any_paper = true;
        }
        any_failed = any_failed || r.failed > 0;
        any_missing = any_missing || r.missing > 0;
    }
    label_w = std::min(label_w, 260.0);
    const double left = 16 + label_w + 12, plot_w = 440;
    const double right = left + plot_w + 20;
    const double width = std::max(680.0, right + marks * 12 + 8 + runs_w + 12);
    std::vector<LegendItem> legend{{"run", Mark::dot, palette(0)}};
    if (any_dropped) legend.push_back({"dropped (best, worst)", Mark::hollow_dot, palette(0)});
    legend.push_back({"avg of the kept runs", Mark::tick, kInk});
    if (any_paper) legend.push_back({"paper", Mark::diamond, kPaper});
    if (any_failed) legend.push_back({"failed run", Mark::cross, kFailed});
    if (any_missing) legend.push_back({"missing run", Mark::square, kMissing});
    // Legend rows are centred from y = 60, 20 px apart; the "runs" header sits above the rows.
    const double top = 60 + legend_height(legend, width - 24) + 14;
    const double rows = std::max<size_t>(1, c.rows.size());
    const double height = top + rows * row_h + 60 + (c.note.empty() ? 0 : 20);

    Svg svg(width, height);
    draw_title(svg, c.title, c.metric_title + " per configuration: every run, and the avg");
    draw_legend(svg, 12, 60, legend, width - 24);
    Frame f;
    f.x0 = left;
    f.y0 = top;
    f.w = plot_w;
    f.h = rows * row_h;
    f.x = all.empty() ? linear_axis(0, 1)
                      : linear_axis(*std::min_element(all.begin(), all.end()),
                                    *std::max_element(all.begin(), all.end()));
    for (size_t i = 0; i < c.rows.size(); ++i) {
        if (i % 2 == 1) svg.rect(left, top + i * row_h, plot_w, row_h, "fill=\"#f6f6f6\"");
    }
    draw_frame(svg, f, c.metric_title, "", false, true);
    svg.line(left, top, left, top + f.h, "stroke=\"#444\" stroke-width=\"1\"");
    svg.text(right, top - 8, "runs", label_attrs("start") + " font-weight=\"bold\"");
    if (c.rows.empty()) no_data(svg, left + plot_w / 2, top + row_h / 2 + 4);
    for (size_t i = 0; i < c.rows.size(); ++i) {
        const SpreadRow& r = c.rows[i];
        const double yc = top + (i + 0.5) * row_h;
        svg.text(left - 10, yc + 4.5, fit(r.label, label_w), label_attrs("end"));
        if (finite(r.avg)) {
            svg.rect(f.px(r.avg) - 2, yc - row_h * 0.38, 4, row_h * 0.76,
                     std::string("class=\"avg-bar\" fill=\"") + kInk + "\"");
        }
        for (size_t j = 0; j < r.values.size(); ++j) {
            if (!finite(r.values[j])) continue;
            const bool dropped = j < r.dropped.size() && r.dropped[j];
            // A fixed vertical jitter keeps equal values apart and the chart reproducible.
            double y = yc + (static_cast<double>((j * 5) % 7) - 3) * 2.2;
            draw_mark(svg, dropped ? Mark::hollow_dot : Mark::dot, f.px(r.values[j]), y, palette(0),
                      dropped ? "dot dropped" : "dot");
        }
        if (r.paper && finite(*r.paper))
            draw_mark(svg, Mark::diamond, f.px(*r.paper), yc, kPaper, "paper-mark");
        double x = right + 6;
        for (int k = 0; k < r.failed + r.missing && k < 24; ++k, x += 12) {
            const bool failed = k < r.failed;
            draw_mark(svg, failed ? Mark::cross : Mark::square, x, yc, failed ? kFailed : kMissing,
                      failed ? "failed-run" : "missing-run");
        }
        svg.text(x + (r.failed + r.missing > 0 ? 2 : -6), yc + 4.5, r.runs_text,
                 label_attrs("start"));
    }
    if (!c.note.empty()) svg.text(12, height - 10, c.note, "font-size=\"12\" fill=\"#555\"");
    return svg.str(c.title);
}

std::string curve_svg(const CurveChart& c) {
    const double width = 480, left = 72, top = 90, plot_w = width - left - 18, plot_h = 210;
    const double height = top + plot_h + 56;
    size_t epochs = 0;
    std::vector<double> all;
    for (const auto& r : c.runs) {
        epochs = std::max(epochs, r.size());
        for (double v : r) {
            if (finite(v)) all.push_back(v);
        }
    }
    Svg svg(width, height);
    draw_title(svg, c.title,
               std::to_string(c.runs.size()) + (c.runs.size() == 1 ? " run" : " runs") +
                   ": validation " + c.metric_title + " per epoch");
    draw_legend(svg, 12, 60,
                {{"median", Mark::line, palette(0)},
                 {"min-max", Mark::band, palette(0)},
                 {"tested epoch of a run", Mark::dot, kPaper}},
                width - 24);
    Frame f;
    f.x0 = left;
    f.y0 = top;
    f.w = plot_w;
    f.h = plot_h;
    f.x = linear_axis(1, std::max<double>(2, static_cast<double>(epochs)), 6, true);
    f.y = all.empty() ? linear_axis(0, 1, 5)
                      : linear_axis(*std::min_element(all.begin(), all.end()),
                                    *std::max_element(all.begin(), all.end()), 5);
    draw_frame(svg, f, "epoch", c.metric_title);
    std::vector<std::pair<double, double>> upper, lower, mid;
    for (size_t e = 0; e < epochs; ++e) {
        std::vector<double> v;
        for (const auto& r : c.runs) {
            if (e < r.size() && finite(r[e])) v.push_back(r[e]);
        }
        if (v.empty()) continue;
        const double x = f.px(static_cast<double>(e + 1));
        upper.push_back({x, f.py(*std::max_element(v.begin(), v.end()))});
        lower.push_back({x, f.py(*std::min_element(v.begin(), v.end()))});
        mid.push_back({x, f.py(median_of(v))});
    }
    if (mid.empty()) {
        no_data(svg, left + plot_w / 2, top + plot_h / 2);
        return svg.str(c.title);
    }
    std::vector<std::pair<double, double>> band = upper;
    band.insert(band.end(), lower.rbegin(), lower.rend());
    svg.polygon(band,
                "class=\"band\" fill=\"" + palette(0) + "\" fill-opacity=\"0.22\" stroke=\"none\"");
    svg.polyline(mid, "class=\"median-line\" stroke=\"" + palette(0) + "\" stroke-width=\"2\"");
    for (size_t i = 0; i < c.runs.size() && i < c.selected.size(); ++i) {
        const int e = c.selected[i];
        if (e < 0 || static_cast<size_t>(e) >= c.runs[i].size() || !finite(c.runs[i][e])) continue;
        draw_mark(svg, Mark::dot, f.px(e + 1.0), f.py(c.runs[i][e]), kPaper, "selected-epoch");
    }
    return svg.str(c.title);
}

std::string scatter_svg(const ScatterChart& c) {
    const double width = 500, left = 76, plot = 360;
    std::vector<size_t> keep;
    for (size_t i = 0; i < c.x.size() && i < c.y.size(); ++i) {
        if (!finite(c.x[i]) || !finite(c.y[i])) continue;
        if (c.log && (c.x[i] <= 0 || c.y[i] <= 0)) continue;
        keep.push_back(i);
    }
    std::set<std::string> group_set;
    for (size_t i : keep) group_set.insert(i < c.group.size() ? c.group[i] : "");
    std::map<std::string, size_t> colour;
    std::vector<LegendItem> legend;
    for (const auto& g : group_set) {
        colour[g] = colour.size();
        if (group_set.size() > 1 || !g.empty())
            legend.push_back({g.empty() ? "(none)" : g, Mark::dot, palette(colour[g])});
    }
    if (c.band10) legend.push_back({"within 10%", Mark::band, kMissing});
    legend.push_back({c.diagonal_label, Mark::line, kMissing});
    const double top = 52 + legend_height(legend, width - 24) + 8;
    const double height = top + plot + 58;
    Svg svg(width, height);
    draw_title(svg, c.title, c.subtitle);
    draw_legend(svg, 12, 60, legend, width - 24);
    double lo = 0, hi = 1;
    if (!keep.empty()) {
        lo = hi = c.x[keep[0]];
        for (size_t i : keep) {
            lo = std::min({lo, c.x[i], c.y[i]});
            hi = std::max({hi, c.x[i], c.y[i]});
        }
    }
    Frame f;
    f.x0 = left;
    f.y0 = top;
    f.w = f.h = plot;
    f.x = c.log ? log_axis(lo, hi) : linear_axis(lo, hi, 6);
    f.y = f.x;
    draw_frame(svg, f, c.x_title, c.y_title);
    const double L = f.x.lo, H = f.x.hi;
    auto pt = [&](double x, double y) { return std::make_pair(f.px(x), f.py(y)); };
    if (c.band10) {
        // The band between y = 0.9x and y = 1.1x, cut to the square [L, H]^2.
        svg.polygon(
            {pt(L, L), pt(L / 0.9, L), pt(H, 0.9 * H), pt(H, H), pt(H / 1.1, H), pt(L, 1.1 * L)},
            "class=\"band10\" fill=\"#7F7F7F\" fill-opacity=\"0.28\" stroke=\"none\"");
    }
    svg.line(f.px(L), f.py(L), f.px(H), f.py(H),
             "class=\"diagonal\" stroke=\"#7F7F7F\" stroke-width=\"1.5\" stroke-dasharray=\"5 4\"");
    if (keep.empty()) no_data(svg, left + plot / 2, top + plot / 2);
    // One group per colour keeps thousands of points light.
    for (const auto& [g, k] : colour) {
        svg.begin_group("fill=\"" + palette(k) + "\" fill-opacity=\"0.6\"");
        for (size_t i : keep) {
            if ((i < c.group.size() ? c.group[i] : "") == g)
                svg.circle(f.px(c.x[i]), f.py(c.y[i]), 2.6, "class=\"point\"");
        }
        svg.end_group();
    }
    return svg.str(c.title);
}

std::string bar_svg(const BarChart& c) {
    const double row_h = 26;
    double label_w = 80;
    bool any_paper = false;
    std::vector<double> all{0};
    for (size_t i = 0; i < c.labels.size(); ++i) {
        label_w = std::max(label_w, text_width(c.labels[i], kLabelPx));
        if (i < c.values.size() && finite(c.values[i])) all.push_back(c.values[i]);
        if (i < c.paper.size() && c.paper[i] && finite(*c.paper[i])) {
            all.push_back(*c.paper[i]);
            any_paper = true;
        }
    }
    label_w = std::min(label_w, 220.0);
    const double left = 16 + label_w + 12, plot_w = 400, width = left + plot_w + 60;
    std::vector<LegendItem> legend{{"avg of the kept runs", Mark::bar, palette(0)}};
    if (any_paper) legend.push_back({"paper", Mark::diamond, kPaper});
    const double top = 52 + 22;
    const double rows = std::max<size_t>(1, c.labels.size());
    const double height = top + rows * row_h + 58;
    Svg svg(width, height);
    draw_title(svg, c.title, c.metric_title + " per family");
    draw_legend(svg, 12, 60, legend, width - 24);
    Frame f;
    f.x0 = left;
    f.y0 = top;
    f.w = plot_w;
    f.h = rows * row_h;
    f.x = linear_axis(0, *std::max_element(all.begin(), all.end()), 6);
    draw_frame(svg, f, c.metric_title, "", false, true);
    svg.line(left, top, left, top + f.h, "stroke=\"#444\" stroke-width=\"1\"");
    if (c.labels.empty()) no_data(svg, left + plot_w / 2, top + row_h / 2 + 4);
    for (size_t i = 0; i < c.labels.size(); ++i) {
        const double yc = top + (i + 0.5) * row_h;
        svg.text(left - 10, yc + 4.5, fit(c.labels[i], label_w), label_attrs("end"));
        const double v = i < c.values.size() ? c.values[i] : NAN;
        if (finite(v)) {
            svg.rect(f.px(0), yc - row_h * 0.32, f.px(v) - f.px(0), row_h * 0.64,
                     "class=\"family-bar\" fill=\"" + palette(0) + "\" fill-opacity=\"0.75\"");
            char buf[32];
            std::snprintf(buf, sizeof buf, "%.2f", v);
            // After the bar, and after the paper's diamond when that lies beyond it.
            double end = f.px(v);
            if (i < c.paper.size() && c.paper[i] && finite(*c.paper[i]))
                end = std::max(end, f.px(*c.paper[i]) + 6);
            svg.text(end + 6, yc + 4.5, buf, label_attrs("start"));
        }
        if (i < c.paper.size() && c.paper[i] && finite(*c.paper[i]))
            draw_mark(svg, Mark::diamond, f.px(*c.paper[i]), yc, kPaper, "paper-mark");
    }
    return svg.str(c.title);
}

}  // namespace nar::jobs::report
