#include "scansnap/text_corpus.h"

#include "core/atomic_file.h"
#include "core/error.h"

#include <cstdlib>
#include <cstring>
#include <fmt/format.h>

namespace tdlab::scansnap {

namespace fs = std::filesystem;

namespace {
// Bumped whenever the tokenizer or the cache layout changes, so old entries are never read.
constexpr uint32_t kCacheVersion = 1;
constexpr char kMagic[8] = {'T', 'D', 'L', 'T', 'O', 'K', '0', '1'};

uint64_t fnv1a(std::string_view bytes, uint64_t h = 1469598103934665603ull) {
    for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ull;
    return h;
}

std::string pack_ids(const std::vector<int32_t> &ids) {
    std::string s(kMagic, sizeof kMagic);
    const uint64_t n = ids.size();
    s.append(reinterpret_cast<const char *>(&n), sizeof n);
    s.append(reinterpret_cast<const char *>(ids.data()), ids.size() * sizeof(int32_t));
    return s;
}

// Empty optional-like result (false) on any mismatch: a damaged cache entry is simply rebuilt.
bool unpack_ids(const std::string &s, std::vector<int32_t> &ids) {
    if (s.size() < sizeof kMagic + 8 || std::memcmp(s.data(), kMagic, sizeof kMagic) != 0) return false;
    uint64_t n;
    std::memcpy(&n, s.data() + sizeof kMagic, 8);
    if (s.size() != sizeof kMagic + 8 + n * sizeof(int32_t)) return false;
    ids.resize(n);
    std::memcpy(ids.data(), s.data() + sizeof kMagic + 8, n * sizeof(int32_t));
    return true;
}

std::string join_lines(const std::vector<std::string> &words) {
    std::string s;
    for (const auto &w : words) s += w + "\n";
    return s;
}

std::vector<std::string> split_lines(const std::string &s) {
    std::vector<std::string> out;
    size_t a = 0;
    while (a < s.size()) {
        size_t b = s.find('\n', a);
        if (b == std::string::npos) b = s.size();
        out.push_back(s.substr(a, b - a));
        a = b + 1;
    }
    return out;
}

// Best effort: the cache only saves time, so a read-only or full cache directory is not an error.
void cache_write(const fs::path &path, const std::string &bytes) {
    try {
        fs::create_directories(path.parent_path());
        write_file_atomic(path, bytes);
    } catch (const std::exception &) {
    }
}

bool cache_read(const fs::path &path, std::string &bytes) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) return false;
    try {
        bytes = read_file(path);
        return true;
    } catch (const std::exception &) {
        return false;
    }
}

std::string read_text(const fs::path &path) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) throw UsageError(fmt::format("text file '{}' does not exist", path.string()));
    return read_file(path);
}
} // namespace

fs::path text_cache_dir() {
    if (const char *d = std::getenv("TDLAB_CACHE_DIR"); d && *d) return fs::path(d) / "text";
    if (const char *x = std::getenv("XDG_CACHE_HOME"); x && *x) return fs::path(x) / "tdlab" / "text";
    if (const char *h = std::getenv("HOME"); h && *h) return fs::path(h) / ".cache" / "tdlab" / "text";
    return fs::temp_directory_path() / "tdlab-cache" / "text";
}

uint64_t file_hash(const fs::path &path) {
    return fnv1a(read_text(path));
}

std::vector<std::string> tokenize_text(const std::string &text) {
    std::vector<std::string> out;
    size_t a = 0;
    while (a < text.size()) {
        size_t b = text.find('\n', a);
        if (b == std::string::npos) b = text.size();
        for (auto &w : basic_english(std::string_view(text).substr(a, b - a))) out.push_back(std::move(w));
        a = b + 1;
    }
    return out;
}

TextCorpus load_text_corpus(const fs::path &train_path, const std::vector<fs::path> &evals, int64_t max_train_tokens,
                            int64_t max_eval_tokens, bool use_cache) {
    TextCorpus c;
    const std::string train_text = read_text(train_path);
    const uint64_t train_key = fnv1a(fmt::format("v{} prefix {}", kCacheVersion, max_train_tokens), fnv1a(train_text));
    const fs::path dir = text_cache_dir();
    const fs::path vocab_file = dir / fmt::format("{:016x}.vocab", train_key);
    const fs::path ids_file = dir / fmt::format("{:016x}.ids", train_key);
    std::string vocab_bytes, ids_bytes;
    // A cache entry is used only if it is whole and consistent (a vocabulary that loads, ids inside it);
    // anything else, e.g. a truncated or edited file, is rebuilt from the text and rewritten.
    auto ids_fit = [](const std::vector<int32_t> &ids, size_t V) {
        for (const int32_t id : ids)
            if (id < 0 || size_t(id) >= V) return false;
        return true;
    };
    auto cached_train = [&] {
        if (!(use_cache && cache_read(vocab_file, vocab_bytes) && cache_read(ids_file, ids_bytes) &&
              unpack_ids(ids_bytes, c.train)))
            return false;
        try {
            c.vocab = Vocabulary::from_words(split_lines(vocab_bytes));
        } catch (const std::exception &) {
            return false;
        }
        return c.vocab.size() > 0 && ids_fit(c.train, c.vocab.size());
    };
    if (!cached_train()) {
        std::vector<std::string> words = tokenize_text(train_text);
        if (max_train_tokens > 0 && int64_t(words.size()) > max_train_tokens) words.resize(size_t(max_train_tokens));
        if (words.empty()) throw UsageError(fmt::format("training text '{}' has no token", train_path.string()));
        c.vocab = Vocabulary::build(words);
        c.train = c.vocab.encode(words);
        if (use_cache) {
            cache_write(ids_file, pack_ids(c.train));
            cache_write(vocab_file, join_lines(c.vocab.words()));
        }
    }
    for (const auto &e : evals) {
        const std::string text = read_text(e);
        const fs::path f = dir / fmt::format("{:016x}-{:016x}.ids", train_key, fnv1a(text));
        std::vector<int32_t> ids;
        if (!(use_cache && cache_read(f, ids_bytes) && unpack_ids(ids_bytes, ids) && ids_fit(ids, c.vocab.size()))) {
            ids = c.vocab.encode(tokenize_text(text));
            if (use_cache) cache_write(f, pack_ids(ids));
        }
        if (max_eval_tokens > 0 && int64_t(ids.size()) > max_eval_tokens) ids.resize(size_t(max_eval_tokens));
        if (ids.empty()) throw UsageError(fmt::format("evaluation text '{}' has no token", e.string()));
        c.evals.push_back(std::move(ids));
    }
    return c;
}

Batched batchify(const std::vector<int32_t> &ids, int columns) {
    if (columns < 1) throw RuntimeError("batchify: columns must be >= 1");
    Batched b;
    b.columns = columns;
    b.rows = int64_t(ids.size()) / columns;
    b.data.resize(size_t(b.rows) * columns);
    for (int j = 0; j < columns; ++j)
        for (int64_t i = 0; i < b.rows; ++i) b.data[size_t(i) * columns + j] = ids[size_t(j * b.rows + i)];
    return b;
}

int64_t full_chunks(const Batched &b, int bptt) {
    return b.rows < 1 ? 0 : (b.rows - 1) / bptt;
}

void chunk(const Batched &b, int64_t k, int bptt, int32_t *tokens, int32_t *targets) {
    if (k < 0 || k >= full_chunks(b, bptt)) throw RuntimeError(fmt::format("chunk {} out of range", k));
    for (int j = 0; j < b.columns; ++j)
        for (int t = 0; t < bptt; ++t) {
            tokens[j * bptt + t] = b.at(k * bptt + t, j);
            targets[j * bptt + t] = b.at(k * bptt + t + 1, j);
        }
}

std::vector<int32_t> column_chunk(const Batched &b, int64_t row, int col, int bptt) {
    if (col < 0 || col >= b.columns || row < 0 || row + bptt > b.rows)
        throw RuntimeError(
            fmt::format("chunk at row {} column {} does not fit a {} x {} stream", row, col, b.rows, b.columns));
    std::vector<int32_t> s(static_cast<size_t>(bptt));
    for (int t = 0; t < bptt; ++t) s[size_t(t)] = b.at(row + t, col);
    return s;
}

} // namespace tdlab::scansnap
