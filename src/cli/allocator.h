// Which malloc the tdlab command line runs on (src/cli/allocator.cpp): jemalloc with its options, or glibc's.
#pragma once

#include <string>

namespace tdlab::cli {

// One line for `tdlab --version`, read back from the allocator itself (so it says what is in effect, not
// what was asked): "allocator: jemalloc 5.3.0 (thp always, oversize_threshold 0)" or "allocator: glibc malloc".
std::string allocator_description();

} // namespace tdlab::cli
