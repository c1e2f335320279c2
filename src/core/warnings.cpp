#include "core/warnings.h"

#include <cstdio>
#include <mutex>

namespace tdlab {

namespace {
std::mutex g_mu;
std::vector<std::string> g_warnings;
} // namespace

void warn(const std::string &text) {
    std::lock_guard<std::mutex> lock(g_mu);
    std::fprintf(stderr, "tdlab: warning: %s\n", text.c_str());
    std::fflush(stderr);
    g_warnings.push_back(text);
}

std::vector<std::string> recorded_warnings() {
    std::lock_guard<std::mutex> lock(g_mu);
    return g_warnings;
}

} // namespace tdlab
