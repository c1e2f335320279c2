// "Did you mean ...?" for a misspelt config key, command or option: the known names nearest to what the user
// typed, by edit distance. The measure is the optimal string alignment distance (Levenshtein distance with
// transpositions of adjacent characters counted as one edit; Damerau, 1964, Commun. ACM 7(3):171), the one
// git and Python's argparse-style tools use for the same purpose.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tdlab {

// Edits (insert, delete, substitute, swap two adjacent characters) that turn a into b; O(|a| |b|).
size_t edit_distance(std::string_view a, std::string_view b);

// The candidates nearest to `typed` (all those at the smallest distance, at most `limit`, in the candidates'
// order) when that distance is at most max(1, |typed| / 3) edits: a one-letter slip in a short name, two or
// three in a long key. Empty when nothing is that near: a suggestion far from what was typed misleads more
// than none. `typed` itself is never suggested.
std::vector<std::string> nearest_names(std::string_view typed, const std::vector<std::string> &candidates,
                                       size_t limit = 3);

// " did you mean 'a' or 'b'?" for nearest_names(typed, candidates), or "" when there is none.
std::string did_you_mean(std::string_view typed, const std::vector<std::string> &candidates);

} // namespace tdlab
