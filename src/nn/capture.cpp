#include "nn/capture.h"

#include "core/error.h"

#include <cstring>

namespace tdlab::nn {

bool glob_match(const std::string &pattern, const std::string &text) {
    // Iterative '*' matcher with backtracking to the last star.
    size_t p = 0, t = 0, star = std::string::npos, mark = 0;
    while (t < text.size()) {
        if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            mark = t;
        } else if (p < pattern.size() && pattern[p] == text[t]) {
            ++p;
            ++t;
        } else if (star != std::string::npos) {
            p = star + 1;
            t = ++mark;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

bool ActivationCapture::wants(const std::string &name) const {
    for (const auto &p : patterns_)
        if (glob_match(p, name)) return true;
    return false;
}

void ActivationCapture::record(const std::string &name, const float *data, const std::vector<size_t> &shape) {
    if (!wants(name)) return;
    cache_[name] = make_npy(data, shape);
}

const NpyArray &ActivationCapture::get(const std::string &name) const {
    auto it = cache_.find(name);
    if (it == cache_.end()) throw UsageError("activation capture: no record for hook '" + name + "'");
    return it->second;
}

std::vector<std::string> ActivationCapture::names() const {
    std::vector<std::string> n;
    for (const auto &kv : cache_) n.push_back(kv.first);
    return n;
}

void ActivationCapture::write(const std::filesystem::path &dir) const {
    std::filesystem::create_directories(dir);
    for (const auto &kv : cache_) write_npy(dir / (kv.first + ".npy"), kv.second);
}

} // namespace tdlab::nn
