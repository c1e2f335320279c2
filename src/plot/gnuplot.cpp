#include "plot/gnuplot.h"

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/process.h"
#include "core/warnings.h"
#include "plot/style.h"

#include <cstdlib>
#include <fmt/format.h>

namespace tdlab {

namespace fs = std::filesystem;

void write_columns(const fs::path &path,
                   const std::vector<std::pair<std::string, const std::vector<double> *>> &columns) {
    std::string out = "#";
    size_t rows = columns.empty() ? 0 : columns.front().second->size();
    for (const auto &[name, col] : columns) {
        if (col->size() != rows) throw std::logic_error("write_columns: column '" + name + "' has another length");
        out += " " + name;
    }
    out += "\n";
    for (size_t r = 0; r < rows; ++r) {
        for (size_t c = 0; c < columns.size(); ++c) {
            out += fmt::format("{}{}", c ? " " : "", (*columns[c].second)[r]);
        }
        out += "\n";
    }
    write_file_atomic(path, out);
}

bool gnuplot_available() {
    // Looked up on PATH directly: no shell is involved anywhere in starting gnuplot.
    static const bool available = find_program("gnuplot").has_value();
    return available;
}

namespace {
// Runs the PNG and the SVG halves of a figure script as two gnuplot processes side by side, each reading
// its half on standard input (the halves are what `gnuplot NAME.gp` runs one after the other, so the
// files are the same bytes; a large PNG and its SVG take about as long each). Falls back to one process
// on NAME.gp when a half does not fit a pipe. Returns "" on success, else why it failed.
std::string run_gnuplot(const fs::path &dir, const std::string &name, const std::string &png_half,
                        const std::string &svg_half, const fs::path &log) {
    const fs::path cwd = fs::absolute(dir);
    // gnuplot keeps a large image's points in one big malloc block, faulted in 4 KiB pages when the kernel
    // gives huge pages only on request (THP "madvise", the common default): a Fig 3a PNG took 19,600 page
    // faults and 0.54 s, with malloc asking for huge pages (glibc >= 2.35; older ones ignore the tunable)
    // 5,000 and 0.34 s, the same bytes. Not when the user set GLIBC_TUNABLES.
    std::vector<std::string> env;
    if (!std::getenv("GLIBC_TUNABLES")) env.push_back("GLIBC_TUNABLES=glibc.malloc.hugetlb=1");
    std::vector<StartedProcess> started;
    std::string reason;
    try {
        started.push_back(start_process({"gnuplot"}, cwd, log, &png_half, env));
        started.push_back(start_process({"gnuplot"}, cwd, log, &svg_half, env));
    } catch (const RuntimeError &e) {
        reason = e.what();
    }
    for (const auto &p : started) {
        const ProcessResult r = wait_process(p);
        if (!r.ok() && reason.empty()) reason = "gnuplot " + r.describe();
    }
    if (started.empty()) { // the halves could not be piped: the script itself, in one process
        const ProcessResult r = run_process({"gnuplot", name + ".gp"}, cwd, log);
        reason = r.ok() ? "" : "gnuplot " + r.describe();
    }
    return reason;
}
} // namespace

void render_figure(const fs::path &dir, const std::string &name, const std::string &body, FigureSize size) {
    const std::string head = fmt::format(
        "# tdlab figure '{0}'. Regenerate with: gnuplot {0}.gp (in this directory)\nset encoding utf8\n", name);
    // One half per output: its terminal, its file, the house style and the body.
    auto half = [&](const char *terminal, const char *extra, const char *ext) {
        return fmt::format("set terminal {0} size {1},{2} enhanced font 'Sans,12'{3}\nset output '{4}.{5}'\n{6}{7}\n"
                           "unset output\n",
                           terminal, size.width, size.height, extra, name, ext, plot::house_style(), body);
    };
    const std::string png = half("pngcairo", "", "png"), svg = half("svg", " background rgb 'white'", "svg");
    write_file_atomic(dir / (name + ".gp"), head + png + "reset\n" + svg);
    if (std::getenv("TDLAB_NO_FIGURES")) return;
    if (!gnuplot_available()) {
        static bool warned = false;
        if (!warned) warn("gnuplot not found on PATH; figure scripts written but not rendered");
        warned = true;
        return;
    }
    // gnuplot runs inside DIR and reads its commands from a pipe (or the script's bare name), so the
    // script's relative data paths resolve and no part of DIR is ever parsed by a shell or by gnuplot.
    const fs::path log = fs::absolute(dir / (name + ".gnuplot.log"));
    std::error_code ec;
    fs::remove(log, ec);
    std::string reason;
    try {
        reason = run_gnuplot(dir, name, head + png, head + svg, log);
        if (reason.empty()) {
            fs::remove(log, ec);
            return;
        }
        std::string messages;
        try {
            messages = read_file(log);
        } catch (const UsageError &) {
        }
        if (messages.size() > 600) messages = messages.substr(0, 600) + "...";
        reason += messages.empty() ? "" : ": " + messages;
    } catch (const RuntimeError &e) {
        reason = e.what();
    }
    // A figure is a view of arrays that are already written: losing the run for it would be worse.
    warn("figure '" + name + "' in '" + dir.string() + "' was not rendered (" + reason + "); the data and " + name +
         ".gp are kept" + (fs::exists(log, ec) ? ", gnuplot's messages are in " + name + ".gnuplot.log" : ""));
}

} // namespace tdlab
