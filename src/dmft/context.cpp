#include "dmft/context.h"

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/paths.h"
#include "core/yaml_document.h"

#include <cmath>
#include <fmt/format.h>
#include <optional>
#include <yaml-cpp/yaml.h>

namespace tdlab::dmft {

namespace {

std::vector<double> read_row(const YAML::Node &node, const std::string &key, size_t n, const std::string &file) {
    auto fail = [&](const std::string &why) {
        return UsageError(fmt::format("context file '{}': key '{}' {}", file, key, why));
    };
    if (!node || !node.IsSequence()) throw fail("is missing or not a list");
    if (node.size() != n) throw fail(fmt::format("has {} entries, expected {}", node.size(), n));
    std::vector<double> out;
    for (const auto &v : node) {
        double x;
        try {
            x = v.as<double>();
        } catch (const YAML::Exception &) {
            throw fail("has a non-numeric entry");
        }
        if (!std::isfinite(x)) throw fail("has a non-finite entry (NaN or inf)");
        // Every entry is an overlap (an average of products of +-1 spins) or a weighted mean of them.
        if (std::fabs(x) > 1.0 + 1e-9) throw fail(fmt::format("has the entry {}, outside [-1, 1]", x));
        out.push_back(x);
    }
    return out;
}

std::vector<double> read_matrix(const YAML::Node &node, const std::string &key, size_t rows, size_t cols,
                                const std::string &file) {
    if (!node || !node.IsSequence() || node.size() != rows) {
        throw UsageError(fmt::format("context file '{}': key '{}' must be a list of {} rows", file, key, rows));
    }
    std::vector<double> out;
    for (size_t r = 0; r < rows; ++r) {
        auto row = read_row(node[r], fmt::format("{}[{}]", key, r), cols, file);
        out.insert(out.end(), row.begin(), row.end());
    }
    return out;
}

std::string row_text(const double *v, size_t n) {
    std::string s = "[";
    for (size_t k = 0; k < n; ++k) s += fmt::format("{}{:.17g}", k ? ", " : "", v[k]);
    return s + "]";
}

} // namespace

Context load_context(const std::filesystem::path &path, int M, int L) {
    const std::string file = path.string();
    const YAML::Node root = load_yaml_document(read_file(path), file);
    if (!root.IsMap()) throw UsageError("context file '" + file + "' is empty or not a YAML mapping");
    // A misspelt key would otherwise be ignored silently and its intended value lost.
    for (const auto &kv : root) {
        const std::string key = kv.first.Scalar();
        if (key != "t" && key != "M" && key != "L" && key != "att" && key != "mq" && key != "mv" && key != "mk")
            throw UsageError(
                fmt::format("context file '{}' line {}: unknown key '{}' (known: t, M, L, att, mq, mv, mk)", file,
                            yaml_line(kv.first), printable(key)));
    }
    auto integer = [&](const char *key, const std::string &meaning) -> std::optional<int64_t> {
        if (!root[key]) return std::nullopt;
        try {
            return root[key].as<int64_t>();
        } catch (const YAML::Exception &) {
            throw UsageError(fmt::format("context file '{}': key '{}' ({}) is not an integer", file, key, meaning));
        }
    };
    Context c;
    c.M = M;
    c.L = L;
    const auto t = integer("t", "the last computed step");
    if (!t) throw UsageError("context file '" + file + "': key 't' (the last computed step) is missing");
    // t counts steps of one trajectory: negative is meaningless, beyond 1e15 no run could have reached.
    if (*t < 0 || *t > int64_t(1e15))
        throw UsageError(fmt::format("context file '{}': key 't' = {} is out of range [0, 1e15]", file, *t));
    c.t = *t;
    if (const auto m = integer("M", "the number of patterns"); m && *m != M) {
        throw UsageError(fmt::format("context file '{}' has M = {} but the model has M = {}", file, *m, M));
    }
    if (const auto l = integer("L", "the context length"); l && *l != L) {
        throw UsageError(fmt::format("context file '{}' has L = {} but the model has L = {}", file, *l, L));
    }
    c.att = read_row(root["att"], "att", size_t(M), file);
    c.mq = read_row(root["mq"], "mq", size_t(M), file);
    c.mv = read_matrix(root["mv"], "mv", size_t(L), size_t(M), file);
    c.mk = read_matrix(root["mk"], "mk", size_t(L), size_t(M), file);
    c.filled = L;
    return c;
}

void save_context(const std::filesystem::path &path, const Context &c, const std::string &comment) {
    std::string out =
        "# tdlab DMFT context: the state after step t. Ring slot k of mv/mk holds step t' with t' mod L = k.\n";
    if (!comment.empty()) out += "# " + comment + "\n";
    out += fmt::format("t: {}\nM: {}\nL: {}\n", c.t, c.M, c.L);
    out += "att: " + row_text(c.att.data(), size_t(c.M)) + "\n";
    out += "mq: " + row_text(c.mq.data(), size_t(c.M)) + "\n";
    for (const char *key : {"mv", "mk"}) {
        const auto &m = std::string(key) == "mv" ? c.mv : c.mk;
        out += std::string(key) + ":\n";
        for (int r = 0; r < c.L; ++r) out += "  - " + row_text(&m[size_t(r) * size_t(c.M)], size_t(c.M)) + "\n";
    }
    write_file_atomic(path, out);
}

Context start_context(const std::string &start, MeanFieldMap &map) {
    const auto &p = map.model().params;
    if (start == "cold") return map.cold_start();
    std::filesystem::path file;
    if (start == "fig3a" || start == "zoom") {
        if (p.M != 3 || p.L != 4) {
            throw UsageError("config key 'dmft.start' = '" + start +
                             "': the published checkpoints are for M = 3, L = 4");
        }
        file = data_file("dmft/context_" + start + ".yaml");
    } else {
        file = start;
        if (!std::filesystem::exists(file)) {
            throw UsageError(
                "config key 'dmft.start': context file '" + start +
                "' not found (use cold, fig3a, zoom or a context file such as a run's final_context.yaml)");
        }
    }
    return load_context(file, p.M, p.L);
}

} // namespace tdlab::dmft
