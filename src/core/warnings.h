// Warnings that must reach the user and the run's record: printed on stderr at once and kept, so that
// RunDir::commit can list them in manifest.json ("warnings"). Used where a failure is not worth losing
// the computed arrays for (a figure gnuplot could not render).
#pragma once

#include <string>
#include <vector>

namespace tdlab {

// Prints "tdlab: warning: <text>" on stderr and records it. Thread-safe.
void warn(const std::string &text);
// Every warning recorded so far, oldest first.
std::vector<std::string> recorded_warnings();

} // namespace tdlab
