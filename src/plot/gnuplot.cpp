#include "plot/gnuplot.h"

#include "core/atomic_file.h"
#include "core/error.h"

#include <cstdio>
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
    static const bool available = std::system("command -v gnuplot >/dev/null 2>&1") == 0;
    return available;
}

void render_figure(const fs::path &dir, const std::string &name, const std::string &body, FigureSize size) {
    std::string script = fmt::format("# tdlab figure '{0}'. Regenerate with: gnuplot {0}.gp (in this directory)\n"
                                     "set encoding utf8\n"
                                     "set terminal pngcairo size {1},{2} enhanced font 'Sans,12'\n"
                                     "set output '{0}.png'\n{3}\nunset output\n"
                                     "reset\n"
                                     "set terminal svg size {1},{2} enhanced font 'Sans,12' background rgb 'white'\n"
                                     "set output '{0}.svg'\n{3}\nunset output\n",
                                     name, size.width, size.height, body);
    write_file_atomic(dir / (name + ".gp"), script);
    if (std::getenv("TDLAB_NO_FIGURES")) return;
    if (!gnuplot_available()) {
        static bool warned = false;
        if (!warned) std::fputs("tdlab: gnuplot not found; figure scripts written but not rendered\n", stderr);
        warned = true;
        return;
    }
    std::string log = (dir / (name + ".gnuplot.log")).string();
    std::string cmd = fmt::format("cd '{}' && gnuplot '{}.gp' >'{}' 2>&1", dir.string(), name, log);
    int rc = std::system(cmd.c_str());
    std::string messages;
    try {
        messages = read_file(log);
    } catch (...) {
    }
    fs::remove(log);
    if (rc != 0) throw RuntimeError("gnuplot failed on figure '" + name + "': " + messages);
}

} // namespace tdlab
