#include "jobs/report/svg.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace nar::jobs::report {

namespace {

constexpr double kTickPx = 13, kAxisTitlePx = 14, kTitlePx = 16, kLegendPx = 13;
const char* kAxisColour = "#444";
const char* kGridColour = "#e3e3e3";

std::string points(const std::vector<std::pair<double, double>>& pts) {
    std::string s;
    for (const auto& [x, y] : pts) s += (s.empty() ? "" : " ") + num(x) + "," + num(y);
    return s;
}

}  // namespace

std::string xml_escape(const std::string& s) {
    std::string o;
    o.reserve(s.size());
    for (char c : s) {
        switch (c) {
            case '&':
                o += "&amp;";
                break;
            case '<':
                o += "&lt;";
                break;
            case '>':
                o += "&gt;";
                break;
            case '"':
                o += "&quot;";
                break;
            case '\'':
                o += "&#39;";
                break;
            default:
                // XML 1.0 forbids most control characters, even as references.
                if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n') o += c;
        }
    }
    return o;
}

std::string num(double v) {
    if (!std::isfinite(v)) v = 0;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    std::string s = buf;
    if (s == "-0.0") s = "0.0";
    return s;
}

double Axis::frac(double v) const {
    double a = log ? std::log10(std::max(v, 1e-300)) : v;
    double l = log ? std::log10(lo) : lo, h = log ? std::log10(hi) : hi;
    double f = h > l ? (a - l) / (h - l) : 0.5;
    return std::clamp(f, -0.02, 1.02);
}

std::string Axis::label(double v) const {
    char buf[32];
    if (log) {
        std::snprintf(buf, sizeof buf, "%g", v);
    } else {
        int decimals =
            step > 0 ? std::max(0, static_cast<int>(-std::floor(std::log10(step) + 1e-9))) : 2;
        if (std::fabs(v) < step * 1e-6) v = 0;
        std::snprintf(buf, sizeof buf, "%.*f", std::min(decimals, 6), v);
    }
    return buf;
}

Axis linear_axis(double lo, double hi, int target, bool integer) {
    if (!std::isfinite(lo) || !std::isfinite(hi)) lo = 0, hi = 1;
    if (lo > hi) std::swap(lo, hi);
    if (hi - lo < 1e-12 * std::max(1.0, std::fabs(hi))) {
        double pad = lo == 0 ? 1 : std::fabs(lo) * 0.1;
        lo -= pad;
        hi += pad;
    }
    double raw = (hi - lo) / std::max(1, target - 1);
    double mag = std::pow(10.0, std::floor(std::log10(raw)));
    double f = raw / mag;
    double step = (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
    if (integer) step = std::max(1.0, std::round(step));
    Axis a;
    a.step = step;
    a.lo = std::floor(lo / step + 1e-9) * step;
    a.hi = std::ceil(hi / step - 1e-9) * step;
    for (double t = a.lo; t <= a.hi + step * 1e-6; t += step) a.ticks.push_back(t);
    return a;
}

Axis log_axis(double lo, double hi) {
    if (!(lo > 0) || !std::isfinite(lo)) lo = 1e-3;
    if (!(hi > lo) || !std::isfinite(hi)) hi = lo * 10;
    Axis a;
    a.log = true;
    // Ends and ticks at 1, 2 and 5 times a power of ten; only decades past 3 decades.
    const int d0 = static_cast<int>(std::floor(std::log10(lo) + 1e-9));
    const int d1 = static_cast<int>(std::ceil(std::log10(hi) - 1e-9));
    const bool fine = d1 - d0 <= 3;
    std::vector<double> steps;
    for (int d = d0; d <= d1; ++d) {
        for (double m : {1.0, 2.0, 5.0}) {
            if (m == 1.0 || fine) steps.push_back(m * std::pow(10.0, d));
        }
    }
    a.lo = steps.front();
    a.hi = steps.back();
    for (double v : steps) {
        if (v <= lo * (1 + 1e-9)) a.lo = v;
    }
    for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
        if (*it >= hi * (1 - 1e-9)) a.hi = *it;
    }
    if (a.hi <= a.lo) a.hi = a.lo * 10;
    for (double v : steps) {
        if (v >= a.lo * (1 - 1e-9) && v <= a.hi * (1 + 1e-9)) a.ticks.push_back(v);
    }
    return a;
}

void Svg::rect(double x, double y, double w, double h, const std::string& attrs) {
    body_ << "<rect x=\"" << num(x) << "\" y=\"" << num(y) << "\" width=\"" << num(std::max(0.0, w))
          << "\" height=\"" << num(std::max(0.0, h)) << "\" " << attrs << "/>\n";
}

void Svg::line(double x1, double y1, double x2, double y2, const std::string& attrs) {
    body_ << "<line x1=\"" << num(x1) << "\" y1=\"" << num(y1) << "\" x2=\"" << num(x2)
          << "\" y2=\"" << num(y2) << "\" " << attrs << "/>\n";
}

void Svg::circle(double cx, double cy, double r, const std::string& attrs) {
    body_ << "<circle cx=\"" << num(cx) << "\" cy=\"" << num(cy) << "\" r=\"" << num(r) << "\" "
          << attrs << "/>\n";
}

void Svg::polygon(const std::vector<std::pair<double, double>>& pts, const std::string& attrs) {
    body_ << "<polygon points=\"" << points(pts) << "\" " << attrs << "/>\n";
}

void Svg::polyline(const std::vector<std::pair<double, double>>& pts, const std::string& attrs) {
    body_ << "<polyline points=\"" << points(pts) << "\" fill=\"none\" " << attrs << "/>\n";
}

void Svg::begin_group(const std::string& attrs) { body_ << "<g " << attrs << ">\n"; }

void Svg::end_group() { body_ << "</g>\n"; }

void Svg::text(double x, double y, const std::string& text, const std::string& attrs) {
    body_ << "<text x=\"" << num(x) << "\" y=\"" << num(y) << "\" " << attrs << ">"
          << xml_escape(text) << "</text>\n";
}

std::string Svg::str(const std::string& label) const {
    std::ostringstream o;
    o << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << num(width_) << "\" height=\""
      << num(height_) << "\" viewBox=\"0 0 " << num(width_) << " " << num(height_)
      << "\" role=\"img\" aria-label=\"" << xml_escape(label)
      << "\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n"
      << "<rect class=\"background\" x=\"0\" y=\"0\" width=\"" << num(width_) << "\" height=\""
      << num(height_) << "\" fill=\"#ffffff\"/>\n"
      << body_.str() << "</svg>\n";
    return o.str();
}

double text_width(const std::string& text, double px) {
    // UTF-8 continuation bytes do not add width.
    size_t chars = 0;
    for (unsigned char c : text) chars += (c & 0xC0) != 0x80;
    return 0.58 * px * static_cast<double>(chars);
}

void draw_frame(Svg& svg, const Frame& f, const std::string& x_title, const std::string& y_title,
                bool no_x, bool no_y) {
    const std::string grid = std::string("stroke=\"") + kGridColour + "\" stroke-width=\"1\"";
    const std::string axis = std::string("stroke=\"") + kAxisColour + "\" stroke-width=\"1\"";
    const std::string tick_text = "font-size=\"" + num(kTickPx) + "\" fill=\"#222\"";
    if (!no_x) {
        for (double t : f.x.ticks) {
            double x = f.px(t);
            svg.line(x, f.y0, x, f.y0 + f.h, grid);
            svg.line(x, f.y0 + f.h, x, f.y0 + f.h + 5, axis);
            svg.text(x, f.y0 + f.h + 19, f.x.label(t), tick_text + " text-anchor=\"middle\"");
        }
        svg.line(f.x0, f.y0 + f.h, f.x0 + f.w, f.y0 + f.h, axis);
    }
    if (!no_y) {
        double widest = 0;
        for (double t : f.y.ticks) {
            double y = f.py(t);
            svg.line(f.x0, y, f.x0 + f.w, y, grid);
            svg.line(f.x0 - 5, y, f.x0, y, axis);
            svg.text(f.x0 - 8, y + 4.5, f.y.label(t), tick_text + " text-anchor=\"end\"");
            widest = std::max(widest, text_width(f.y.label(t), kTickPx));
        }
        svg.line(f.x0, f.y0, f.x0, f.y0 + f.h, axis);
        if (!y_title.empty()) {
            double x = f.x0 - widest - 18, y = f.y0 + f.h / 2;
            svg.text(x, y, y_title,
                     "font-size=\"" + num(kAxisTitlePx) +
                         "\" fill=\"#222\" text-anchor=\"middle\" " + "transform=\"rotate(-90 " +
                         num(x) + " " + num(y) + ")\"");
        }
    }
    if (!x_title.empty()) {
        svg.text(f.x0 + f.w / 2, f.y0 + f.h + 40, x_title,
                 "font-size=\"" + num(kAxisTitlePx) + "\" fill=\"#222\" text-anchor=\"middle\"");
    }
}

void draw_title(Svg& svg, const std::string& title, const std::string& subtitle) {
    svg.text(12, 22, title,
             "class=\"chart-title\" font-size=\"" + num(kTitlePx) +
                 "\" font-weight=\"bold\" fill=\"#111\"");
    if (!subtitle.empty()) {
        svg.text(12, 40, subtitle, "font-size=\"" + num(kLegendPx) + "\" fill=\"#555\"");
    }
}

void draw_mark(Svg& svg, Mark m, double x, double y, const std::string& colour,
               const std::string& cls) {
    const std::string c = cls.empty() ? "" : "class=\"" + cls + "\" ";
    switch (m) {
        case Mark::dot:
            svg.circle(x, y, 3.5, c + "fill=\"" + colour + "\" fill-opacity=\"0.85\"");
            break;
        case Mark::hollow_dot:
            svg.circle(x, y, 3.5,
                       c + "fill=\"#ffffff\" stroke=\"" + colour + "\" stroke-width=\"1.5\"");
            break;
        case Mark::line:
            svg.line(x - 9, y, x + 9, y, c + "stroke=\"" + colour + "\" stroke-width=\"2.5\"");
            break;
        case Mark::band:
            svg.rect(x - 9, y - 6, 18, 12, c + "fill=\"" + colour + "\" fill-opacity=\"0.25\"");
            break;
        case Mark::bar:
            svg.rect(x - 9, y - 6, 18, 12, c + "fill=\"" + colour + "\" fill-opacity=\"0.45\"");
            break;
        case Mark::tick:
            svg.rect(x - 2, y - 9, 4, 18, c + "fill=\"" + colour + "\"");
            break;
        case Mark::diamond:
            svg.polygon({{x, y - 6}, {x + 6, y}, {x, y + 6}, {x - 6, y}},
                        c + "fill=\"" + colour + "\" stroke=\"#ffffff\" stroke-width=\"1\"");
            break;
        case Mark::cross:
            svg.polyline({{x - 5, y - 5}, {x + 5, y + 5}, {x, y}, {x + 5, y - 5}, {x - 5, y + 5}},
                         c + "stroke=\"" + colour + "\" stroke-width=\"2.2\"");
            break;
        case Mark::square:
            svg.rect(x - 4.5, y - 4.5, 9, 9,
                     c + "fill=\"none\" stroke=\"" + colour +
                         "\" stroke-width=\"1.5\" stroke-dasharray=\"2 2\"");
            break;
    }
}

double draw_legend(Svg& svg, double x, double y, const std::vector<LegendItem>& items,
                   double max_width) {
    double cx = x, cy = y, row = 20;
    for (const auto& it : items) {
        double w = 26 + text_width(it.label, kLegendPx) + 16;
        if (cx > x && cx + w > x + max_width) {
            cx = x;
            cy += row;
        }
        draw_mark(svg, it.mark, cx + 9, cy, it.colour, "legend-mark");
        svg.text(cx + 24, cy + 4.5, it.label,
                 "class=\"legend-item\" font-size=\"" + num(kLegendPx) + "\" fill=\"#222\"");
        cx += w;
    }
    return cy - y + row;
}

const std::string& palette(size_t i) {
    static const std::vector<std::string> colours = {"#0072B2", "#E69F00", "#009E73", "#CC79A7",
                                                     "#56B4E9", "#D55E00", "#7F7F7F", "#000000"};
    return colours[i % colours.size()];
}

}  // namespace nar::jobs::report
