#include "birth/char_stats.h"

#include "core/error.h"
#include "core/paths.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <mutex>
#include <numeric>
#include <sstream>

namespace tdlab::birth {

std::vector<int> CharStats::argsort_ascending() const {
    std::vector<int> idx(static_cast<size_t>(N));
    std::iota(idx.begin(), idx.end(), 0);
    std::stable_sort(idx.begin(), idx.end(), [&](int a, int b) { return unigram[size_t(a)] < unigram[size_t(b)]; });
    return idx;
}

std::string CharStats::label(int id) const {
    const uint32_t c = codepoint[size_t(id)];
    if (c == '\n') return "\\n";
    if (c == ' ') return "sp";
    if (c < 128) return std::string(1, char(c));
    return "?";
}

double CharStats::row_entropy(int i) const {
    double h = 0.0;
    for (int j = 0; j < N; ++j) {
        const double p = pi_b[size_t(i) * size_t(N) + size_t(j)];
        if (p > 0.0) h -= p * std::log(p);
    }
    return h;
}

CharStats load_char_stats(const std::filesystem::path &path) {
    std::ifstream in(path);
    if (!in) throw UsageError("cannot open character statistics file '" + path.string() + "'");
    struct Row {
        char kind;
        int64_t a, b, c;
    };
    std::vector<Row> rows;
    std::string line;
    int lineno = 0;
    while (std::getline(in, line)) {
        ++lineno;
        if (line.empty() || line[0] == '#') continue;
        std::istringstream ss(line);
        std::string kind;
        Row r{};
        if (!(ss >> kind >> r.a >> r.b >> r.c) || (kind != "U" && kind != "B") || r.c < 0) {
            throw UsageError("malformed line " + std::to_string(lineno) + " in '" + path.string() + "': '" + line +
                             "'");
        }
        r.kind = kind[0];
        rows.push_back(r);
    }
    CharStats s;
    for (const auto &r : rows)
        if (r.kind == 'U') s.N = std::max<int>(s.N, int(r.a) + 1);
    if (s.N <= 1) throw UsageError("no unigram rows in '" + path.string() + "'");
    const size_t N = size_t(s.N);
    s.codepoint.assign(N, 0);
    s.unigram.assign(N, -1);
    s.bigram.assign(N * N, 0);
    for (const auto &r : rows) {
        if (r.kind == 'U') {
            s.codepoint[size_t(r.a)] = uint32_t(r.b);
            s.unigram[size_t(r.a)] = r.c;
        } else {
            if (r.a < 0 || r.b < 0 || r.a >= s.N || r.b >= s.N)
                throw UsageError("bigram id out of range in '" + path.string() + "'");
            s.bigram[size_t(r.a) * N + size_t(r.b)] = r.c;
        }
    }
    const int64_t total = std::accumulate(s.unigram.begin(), s.unigram.end(), int64_t(0));
    s.pi_u.resize(N);
    s.pi_b.assign(N * N, 0.0);
    for (size_t i = 0; i < N; ++i) {
        if (s.unigram[i] < 0)
            throw UsageError("missing unigram row for id " + std::to_string(i) + " in '" + path.string() + "'");
        s.pi_u[i] = double(s.unigram[i]) / double(total);
        int64_t row = 0;
        for (size_t j = 0; j < N; ++j) row += s.bigram[i * N + j];
        if (row == 0) throw UsageError("empty bigram row for id " + std::to_string(i) + " in '" + path.string() + "'");
        for (size_t j = 0; j < N; ++j) s.pi_b[i * N + j] = double(s.bigram[i * N + j]) / double(row);
    }
    return s;
}

const CharStats &shakespeare_stats() {
    static std::once_flag once;
    static CharStats stats;
    std::call_once(once, [] { stats = load_char_stats(data_file("birth/tinyshakespeare_char_counts.tsv")); });
    return stats;
}

} // namespace tdlab::birth
