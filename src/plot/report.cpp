#include "plot/report.h"
#include "core/version.h"

#include "core/atomic_file.h"
#include "core/run_dir.h"

namespace tdlab {

std::string html_escape(const std::string &text) {
    std::string out;
    for (char c : text) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        default: out += c;
        }
    }
    return out;
}

void write_report(const std::filesystem::path &path, const std::string &title,
                  const std::vector<ReportSection> &sections) {
    std::string out = "<!doctype html>\n<html><head><meta charset='utf-8'><title>" + html_escape(title) +
                      "</title>\n<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;line-height:1.45}"
                      "img{max-width:100%;border:1px solid #ddd;margin:.5em 0}table{border-collapse:collapse}"
                      "td,th{border:1px solid #ccc;padding:2px 8px;text-align:right;vertical-align:top}"
                      "figcaption{font-size:90%;color:#444}</style></head><body>\n";
    out += "<h1>" + html_escape(title) + "</h1>\n<p><small>tdlab " + version() + " (" + git_commit() + "), " +
           utc_now_iso() + "</small></p>\n<ul>";
    for (size_t k = 0; k < sections.size(); ++k) {
        out += "<li><a href='#s" + std::to_string(k) + "'>" + html_escape(sections[k].title) + "</a></li>";
    }
    out += "</ul>\n";
    for (size_t k = 0; k < sections.size(); ++k) {
        const auto &s = sections[k];
        out += "<h2 id='s" + std::to_string(k) + "'>" + html_escape(s.title) + "</h2>\n" + s.html + "\n";
        for (const auto &img : s.images) {
            std::string svg = img.size() > 4 ? img.substr(0, img.size() - 4) + ".svg" : img;
            // The caption says how to redraw the figure from its data in this folder (plot/gnuplot.h).
            const std::filesystem::path p(img);
            const std::string script = p.stem().string() + ".gp";
            const std::string redraw = p.has_parent_path()
                                           ? "cd " + p.parent_path().string() + " &amp;&amp; gnuplot " + script
                                           : "gnuplot " + script;
            out += "<figure><a href='" + svg + "'><img src='" + img + "' alt='" + html_escape(img) +
                   "'></a><figcaption>" + html_escape(img) + " (SVG: click). Redraw: <code>" + redraw +
                   "</code></figcaption></figure>\n";
        }
    }
    out += "</body></html>\n";
    write_file_atomic(path, out);
}

} // namespace tdlab
