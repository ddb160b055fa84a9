#pragma once
// The drawing primitives of the report: an SVG canvas that escapes all text,
// axes with nice tick values (linear and log), frames, titles and legends.
// Marks carry class attributes (see chart_classes) so tests can count them.
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace nar::jobs::report {

// &, <, >, " and ' as entities; control characters other than tab/newline dropped.
std::string xml_escape(const std::string& s);

// A number for a coordinate attribute ("12.5").
std::string num(double v);

struct Axis {
    double lo = 0, hi = 1;
    bool log = false;
    std::vector<double> ticks;
    double step = 0;  // linear tick spacing (label precision)
    // Position of v in [0, 1] along the axis (clamped to a small margin outside).
    double frac(double v) const;
    std::string label(double v) const;
};

// Ticks at 1, 2 or 5 times a power of ten, covering [lo, hi] (~target ticks);
// integer: steps of at least 1 (epochs).
Axis linear_axis(double lo, double hi, int target = 6, bool integer = false);
// Decades (and 2, 5 between them when the range spans at most two decades);
// lo and hi must be positive.
Axis log_axis(double lo, double hi);

class Svg {
  public:
    Svg(double width, double height) : width_(width), height_(height) {}
    double width() const { return width_; }
    double height() const { return height_; }
    // attrs: literal attribute text chosen by the caller (classes, colours); never user text.
    void rect(double x, double y, double w, double h, const std::string& attrs);
    void line(double x1, double y1, double x2, double y2, const std::string& attrs);
    void circle(double cx, double cy, double r, const std::string& attrs);
    void polygon(const std::vector<std::pair<double, double>>& pts, const std::string& attrs);
    void polyline(const std::vector<std::pair<double, double>>& pts, const std::string& attrs);
    // <g attrs> ... </g>, for attributes shared by many marks.
    void begin_group(const std::string& attrs);
    void end_group();
    // text is escaped.
    void text(double x, double y, const std::string& text, const std::string& attrs);
    // The whole <svg> element; label becomes its accessible name (aria-label).
    std::string str(const std::string& label) const;

  private:
    double width_, height_;
    std::ostringstream body_;
};

// Approximate rendered width of text at font size px (sans-serif).
double text_width(const std::string& text, double px);

// The plot area of a chart and its axes.
struct Frame {
    double x0 = 0, y0 = 0, w = 100, h = 100;  // pixels
    Axis x, y;
    double px(double v) const { return x0 + x.frac(v) * w; }
    double py(double v) const { return y0 + h - y.frac(v) * h; }
};

// Grid, axis lines, tick marks with labels and the two axis titles.
// With no_x (no_y) that axis is left to the caller (e.g. categorical rows).
void draw_frame(Svg& svg, const Frame& f, const std::string& x_title, const std::string& y_title,
                bool no_x = false, bool no_y = false);
void draw_title(Svg& svg, const std::string& title, const std::string& subtitle = "");

enum class Mark { dot, hollow_dot, line, band, diamond, cross, square, bar, tick };
struct LegendItem {
    std::string label;
    Mark mark;
    std::string colour;
};
// One row of legend items starting at (x, y); returns the height used.
double draw_legend(Svg& svg, double x, double y, const std::vector<LegendItem>& items,
                   double max_width);
// Draws one legend glyph / mark centred at (x, y).
void draw_mark(Svg& svg, Mark m, double x, double y, const std::string& colour,
               const std::string& cls = "");

// Colour-blind safe categorical palette (Okabe-Ito), cycled.
const std::string& palette(size_t i);

}  // namespace nar::jobs::report
