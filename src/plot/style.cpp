#include "plot/style.h"

#include <cmath>
#include <fmt/format.h>
#include <map>
#include <regex>
#include <sstream>

namespace tdlab::plot {

std::string house_style() {
    // Okabe & Ito's colour-blind-safe cycle (yellow replaced by grey, which prints), then black.
    return "set linetype 1 lc rgb '#0072B2' lw 2 pt 7\n"
           "set linetype 2 lc rgb '#D55E00' lw 2 pt 5\n"
           "set linetype 3 lc rgb '#009E73' lw 2 pt 9\n"
           "set linetype 4 lc rgb '#CC79A7' lw 2 pt 11\n"
           "set linetype 5 lc rgb '#E69F00' lw 2 pt 13\n"
           "set linetype 6 lc rgb '#56B4E9' lw 2 pt 6\n"
           "set linetype 7 lc rgb '#000000' lw 2 pt 4\n"
           "set linetype 8 lc rgb '#999999' lw 2 pt 8\n"
           "set linetype cycle 8\n"
           "set style line 100 lc rgb '#d0d0d0' dt 3 lw 1\n"
           "set grid ls 100\nunset grid\n"
           "set key outside right top vertical Left reverse noopaque samplen 2 spacing 1.15\n"
           "set tics font ',11'\n";
}

std::string log_axis(const std::string &axis) {
    std::string out = "set logscale " + axis + "\n";
    if (axis == "xy") return out + "set format x '10^{%L}'\nset format y '10^{%L}'\n";
    return out + "set format " + axis + " '10^{%L}'\n";
}

std::string linear_axis(const std::string &axis) {
    std::string out = "unset logscale " + axis + "\n";
    if (axis == "xy") return out + "set format x '%g'\nset format y '%g'\n";
    return out + "set format " + axis + " '%g'\n";
}

std::string legend_right() {
    return "set key outside right top vertical Left reverse samplen 2\n";
}
std::string legend_below() {
    return "set key below center horizontal samplen 2\n";
}

double nice_tic_step(double span, int count) {
    if (!(span > 0) || count < 1) return 1.0;
    double e = std::pow(10.0, std::floor(std::log10(span / count)));
    for (;; e *= 10)
        for (double m : {1.0, 2.0, 2.5, 5.0})
            if (m * e * count >= span) return m * e;
}

std::string shared_color_range(double lo, double hi, const std::string &label) {
    return fmt::format("set cbrange [{}:{}]\nset cblabel '{}'\n", lo, hi, label);
}

// Arrow and label tags from 50 up, so that they never replace a figure's own numbered arrows.
std::string chance_level(int tag, double value, const std::string &label) {
    return fmt::format("set arrow {0} from graph 0, first {1} to graph 1, first {1} nohead dt 2 lw 1.5 lc rgb "
                       "'#666666' front\nset label {0} '{2}' at graph 0.99, first {1} right offset 0,0.55 tc rgb "
                       "'#555555' front font ',10'\n",
                       50 + tag, value, label);
}

std::string event_marker(int tag, double value, const std::string &label) {
    return fmt::format("set arrow {0} from first {1}, graph 0 to first {1}, graph 1 nohead dt 3 lw 1.5 lc rgb "
                       "'#444444' front\nset label {0} '{2}' at first {1}, graph 0.97 left offset 0.4,0 tc rgb "
                       "'#444444' front font ',10'\n",
                       50 + tag, value, label);
}

std::string clear_references() {
    return "unset arrow\nunset label\n";
}

namespace {

bool has_word(const std::string &line, const std::string &word) {
    return std::regex_search(line, std::regex("(^|[^a-z])" + word + "([^a-z]|$)"));
}

} // namespace

std::vector<std::string> style_violations(const std::string &script) {
    std::vector<std::string> out;
    std::istringstream in(script);
    std::string line;
    std::map<std::string, bool> log_axes;       // axis -> has a powers-of-ten format
    std::map<std::string, std::string> palette; // palette definition -> colour range of its images
    std::string current_palette = "default", current_range;
    const std::regex font_size(R"(font\s+'[^',]*,(\d+)')");
    const std::regex fixed_format(R"(set format \w+ '%\.(\d+)f')");
    while (std::getline(in, line)) {
        const auto hash = line.find('#');
        if (hash == 0) continue;
        if (line.rfind("set logscale", 0) == 0) {
            std::string axes = line.size() > 13 ? line.substr(13) : "xy";
            if (axes.rfind("y2", 0) == 0)
                log_axes.emplace("y2", false);
            else if (axes.rfind("cb", 0) == 0)
                log_axes.emplace("cb", false);
            else
                for (char c : axes.substr(0, axes.find(' '))) log_axes.emplace(std::string(1, c), false);
        }
        if (line.rfind("set format ", 0) == 0) {
            const std::string axis = line.substr(11, line.find(' ', 11) - 11);
            if (line.find("10^") != std::string::npos) log_axes[axis] = true;
        }
        // Explicit tick positions on a log axis (e.g. "set xtics (1, 2, 5, 10)") are readable as they are.
        if (line.rfind("set ", 0) == 0 && line.find("tics (") != std::string::npos) {
            const std::string axis = line.substr(4, line.find("tics") - 4);
            log_axes[axis] = true;
        }
        if (line.rfind("set key", 0) == 0) {
            bool positioned = false, outside = false;
            for (const char *w : {"top", "bottom", "left", "right", "center", "inside", "at"})
                positioned = positioned || has_word(line, w);
            for (const char *w : {"off", "outside", "below", "above", "opaque"}) outside = outside || has_word(line, w);
            outside = outside || line.find("at screen") != std::string::npos; // placed in the page margin
            // An opaque box may sit inside a raster or scatter figure over a region it leaves empty (the
            // paper's own Fig 3 legend); any other placement inside the data is a violation.
            if (positioned && !outside) out.push_back("legend inside the data area: " + line);
        }
        for (std::sregex_iterator it(line.begin(), line.end(), font_size), end; it != end; ++it)
            if (std::stoi((*it)[1]) < 10) out.push_back("font below 10 pt: " + line);
        if (line.find("tics") != std::string::npos && has_word(line, "rotate"))
            out.push_back("rotated tick labels: " + line);
        std::smatch m;
        if (std::regex_search(line, m, fixed_format) && std::stoi(m[1]) >= 3)
            out.push_back("fixed-point tick labels with " + std::string(m[1]) + " decimals: " + line);
        if (line.rfind("set palette", 0) == 0 && line.find("maxcolors") == std::string::npos) current_palette = line;
        if (line.rfind("set cbrange", 0) == 0) current_range = line;
        if (line.rfind("set autoscale cb", 0) == 0) current_range.clear();
        if (line.rfind("plot ", 0) == 0 &&
            (line.find("with image") != std::string::npos || line.find("w image") != std::string::npos)) {
            auto [it, fresh] = palette.emplace(current_palette, current_range);
            if (current_range.empty())
                out.push_back("heat map without a stated colour range: " + line);
            else if (!fresh && it->second != current_range)
                out.push_back("heat maps of one palette with different colour ranges (" + it->second + " vs " +
                              current_range + ")");
        }
    }
    for (const auto &[axis, ok] : log_axes)
        if (!ok) out.push_back("log axis " + axis + " without powers-of-ten tick labels");
    return out;
}

} // namespace tdlab::plot
