// `tdlab reproduce scansnap [--scale quick|paper]`: every synthetic figure of Scan and Snap plus the
// entropy table and report.html, into one run directory (specs/scansnap.md §5).
#pragma once

#include <string>

namespace tdlab::plot {

void reproduce_scansnap(const std::string &scale, const std::string &out, int threads);

} // namespace tdlab::plot
