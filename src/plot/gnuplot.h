// Figures through gnuplot. Each figure is a script NAME.gp written beside its data; running it
// (`gnuplot NAME.gp` inside the run directory) regenerates NAME.png and NAME.svg, so a user can edit
// and rerun any figure. Data go to plain-text .dat files (whitespace columns, '#' header).
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace tdlab {

// Writes whitespace-separated columns with a "# name1 name2 ..." header. All columns must have the
// same length. Written atomically. Values use the shortest round-trip representation.
void write_columns(const std::filesystem::path &path,
                   const std::vector<std::pair<std::string, const std::vector<double> *>> &columns);

struct FigureSize {
    int width = 1000; // pixels for PNG; SVG uses the same numbers
    int height = 800;
};

// Writes DIR/NAME.gp around `body` (plain gnuplot commands without terminal/output settings; data
// paths relative to DIR) and runs gnuplot in DIR to produce NAME.png and NAME.svg.
// gnuplot is started without a shell (core/process.h). If it fails, a warning naming the figure and
// gnuplot's message goes to stderr and the run's manifest (core/warnings.h) and the run goes on: the
// data and NAME.gp stay, NAME.gnuplot.log keeps the messages. Set TDLAB_NO_FIGURES=1 to skip
// rendering (the script is still written).
void render_figure(const std::filesystem::path &dir, const std::string &name, const std::string &body,
                   FigureSize size = {});

// True if gnuplot can be run (rendering is skipped with a warning otherwise).
bool gnuplot_available();

} // namespace tdlab
