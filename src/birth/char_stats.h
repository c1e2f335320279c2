// Character statistics of tiny Shakespeare: the unigram law pi_u and the bigram law pi_b(j|i) that
// drive the Birth data (docs/birth.md "Data"). Read from data/birth/tinyshakespeare_char_counts.tsv,
// a lossless plain-text copy of data/meta.pkl in the authors' repository
// (github.com/albietz/transformer-birth; not shipped here):
//   "U id codepoint count" x 65, then "B id_prev id_next count" x 1403, tab-separated, '#' comments.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace tdlab::birth {

struct CharStats {
    int N = 0;                       // vocabulary size (65)
    std::vector<uint32_t> codepoint; // [N] unicode codepoint of token id
    std::vector<int64_t> unigram;    // [N] counts
    std::vector<int64_t> bigram;     // [N*N] counts, row = previous token
    std::vector<double> pi_u;        // [N] unigram / total
    std::vector<double> pi_b;        // [N*N] row-normalised bigram counts (no smoothing)

    // Token ids ordered by ascending unigram count (numpy argsort; counts have no ties).
    std::vector<int> argsort_ascending() const;
    // Printable label of a token for plots ("\\n" for newline, "␣" is avoided: "sp" for space).
    std::string label(int id) const;
    // Entropy of pi_b(.|i) in nats.
    double row_entropy(int i) const;
};

// Parses the TSV; UsageError naming the file and line on any malformed or inconsistent content.
CharStats load_char_stats(const std::filesystem::path &path);
// data/birth/tinyshakespeare_char_counts.tsv (cached after the first call).
const CharStats &shakespeare_stats();

} // namespace tdlab::birth
