// The house style of every tdlab figure, and the rules a figure script is checked against.
//
// Every figure goes through render_figure (gnuplot.h), which puts house_style() at the top of the
// script: one font family and size for titles, labels and tick labels, a colour cycle that tells
// eight lines apart (Okabe & Ito 2008, colour-blind safe), light dashed grids. The helpers below are
// the only way figures set a log axis, a legend, a shared colour scale, a chance level or an event
// marker, so that one rule holds everywhere:
//   - log axes print powers of ten (10^{-3}), never "0.001000";
//   - legends sit outside the data (right of or below the panels), or on an opaque box over a region
//     that a raster/scatter figure leaves empty;
//   - heat maps in one figure share one colour range, stated in the script;
//   - tick labels are at least 10 pt and upright.
// style_violations() checks a script for these rules; tests/plot renders every figure type from small
// fixed data and asserts it returns nothing.
#pragma once

#include <string>
#include <vector>

namespace tdlab::plot {

// Fonts, colour cycle, grid, and the default legend style. Prepended to every figure script.
std::string house_style();

// "set logscale AXIS" with powers-of-ten tick labels. AXIS is "x", "y", "xy", "y2" or "cb".
std::string log_axis(const std::string &axis);
// Undo log_axis (and restore the plain "%g" format) for the next panel of a multiplot.
std::string linear_axis(const std::string &axis);

// Legend to the right of the plot area (one entry per line), or below it (entries in rows).
std::string legend_right();
std::string legend_below();

// A tick step of 1, 2, 2.5 or 5 times a power of ten that puts at most COUNT major tics over SPAN.
double nice_tic_step(double span, int count);

// One colour range for every image panel that follows (heat maps compared within a figure).
std::string shared_color_range(double lo, double hi, const std::string &label);

// A horizontal reference line y = VALUE across the panel (a chance level), labelled at its right end.
// A vertical event marker at x = VALUE (a thaw iteration, t_0) with LABEL at its top. Both stay set
// for the following panels until clear_references().
std::string chance_level(int tag, double value, const std::string &label);
std::string event_marker(int tag, double value, const std::string &label);
std::string clear_references();

// Every rule of the house style that SCRIPT breaks, one line each (empty when it follows them all).
std::vector<std::string> style_violations(const std::string &script);

} // namespace tdlab::plot
