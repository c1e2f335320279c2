// report.html: one page per run linking its figures and tables, readable offline.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace tdlab {

struct ReportSection {
    std::string title;
    std::string html;                // free text (already HTML: <p>, <table>, ...)
    std::vector<std::string> images; // figure files relative to the report (PNG shown, SVG linked)
};

void write_report(const std::filesystem::path &path, const std::string &title,
                  const std::vector<ReportSection> &sections);

// Escapes &, <, > and quotes for HTML text.
std::string html_escape(const std::string &text);

} // namespace tdlab
