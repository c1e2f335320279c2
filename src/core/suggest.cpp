#include "core/suggest.h"

#include <algorithm>
#include <numeric>

namespace tdlab {

size_t edit_distance(std::string_view a, std::string_view b) {
    // Three rows of the dynamic-programming table: d[i][j] = distance of a[0, i) and b[0, j).
    const size_t n = b.size();
    std::vector<size_t> prev2(n + 1), prev(n + 1), cur(n + 1);
    std::iota(prev.begin(), prev.end(), size_t(0));
    for (size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (size_t j = 1; j <= n; ++j) {
            const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                cur[j] = std::min(cur[j], prev2[j - 2] + 1);
        }
        std::swap(prev2, prev);
        std::swap(prev, cur);
    }
    return prev[n];
}

std::vector<std::string> nearest_names(std::string_view typed, const std::vector<std::string> &candidates,
                                       size_t limit) {
    const size_t budget = std::max<size_t>(1, typed.size() / 3);
    std::vector<std::pair<size_t, size_t>> near; // (distance, index in candidates)
    for (size_t i = 0; i < candidates.size(); ++i) {
        if (candidates[i] == typed) continue;
        if (const size_t d = edit_distance(typed, candidates[i]); d <= budget) near.push_back({d, i});
    }
    size_t best = budget;
    for (const auto &[d, i] : near) best = std::min(best, d);
    std::vector<std::string> out;
    for (const auto &[d, i] : near)
        if (d == best && out.size() < limit) out.push_back(candidates[i]);
    return out;
}

std::string did_you_mean(std::string_view typed, const std::vector<std::string> &candidates) {
    const auto near = nearest_names(typed, candidates);
    if (near.empty()) return "";
    std::string s = " did you mean ";
    for (size_t i = 0; i < near.size(); ++i) {
        if (i > 0) s += i + 1 == near.size() ? " or " : ", ";
        s += "'" + near[i] + "'";
    }
    return s + "?";
}

} // namespace tdlab
