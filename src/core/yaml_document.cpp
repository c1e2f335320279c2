#include "core/yaml_document.h"

#include "core/error.h"

#include <fmt/format.h>
#include <map>
#include <sstream>
#include <yaml-cpp/eventhandler.h>

namespace tdlab {

int yaml_line(const YAML::Node &node) {
    return node.Mark().line + 1;
}

std::string printable(const std::string &text, size_t max) {
    std::string out;
    for (char c : text) {
        if (out.size() >= max) return out + "...";
        out += (static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f ? '?' : c;
    }
    return out;
}

namespace {

void check_unique_keys(const YAML::Node &node, const std::string &file, int depth) {
    if (depth > 64) throw UsageError(fmt::format("YAML file '{}' is nested too deeply", file));
    if (node.IsMap()) {
        std::map<std::string, int> seen;
        for (const auto &kv : node) {
            if (!kv.first.IsScalar())
                throw UsageError(
                    fmt::format("YAML file '{}' line {}: a key must be a plain name", file, yaml_line(kv.first)));
            const std::string key = kv.first.Scalar();
            const int line = yaml_line(kv.first);
            auto [it, fresh] = seen.emplace(key, line);
            if (!fresh)
                throw UsageError(fmt::format("YAML file '{}' line {}: duplicate key '{}' (first given at line {})",
                                             file, line, printable(key), it->second));
            check_unique_keys(kv.second, file, depth + 1);
        }
    } else if (node.IsSequence()) {
        for (const auto &e : node) check_unique_keys(e, file, depth + 1);
    }
}

// Counts documents without building them (yaml-cpp's public event interface).
class DocumentCounter : public YAML::EventHandler {
  public:
    int second_line = 0; // 1-based line where the second document starts
    int count = 0;
    void OnDocumentStart(const YAML::Mark &mark) override {
        if (++count == 2) second_line = mark.line + 1;
    }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark &, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark &, YAML::anchor_t) override {}
    void OnScalar(const YAML::Mark &, const std::string &, YAML::anchor_t, const std::string &) override {}
    void OnSequenceStart(const YAML::Mark &, const std::string &, YAML::anchor_t, YAML::EmitterStyle::value) override {}
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark &, const std::string &, YAML::anchor_t, YAML::EmitterStyle::value) override {}
    void OnMapEnd() override {}
};

} // namespace

YAML::Node load_yaml_document(const std::string &text, const std::string &file) {
    // Not YAML::LoadAll: yaml-cpp 0.7 never returns from it on a stray ',' at the top level (it keeps
    // producing documents until memory runs out). The parser is asked for at most two documents.
    YAML::Node root;
    try {
        std::istringstream in(text);
        YAML::Parser parser(in);
        DocumentCounter counter;
        while (counter.count < 2 && parser.HandleNextDocument(counter)) {
        }
        if (counter.count > 1)
            throw UsageError(fmt::format("YAML file '{}' has more than one document (the second starts at line {}; "
                                         "a '---' line or stray text such as a ','); tdlab reads exactly one",
                                         file, counter.second_line));
        root = YAML::Load(text);
    } catch (const YAML::Exception &e) {
        throw UsageError(fmt::format("malformed YAML in '{}' at line {}: {}", file, e.mark.line + 1, e.msg));
    }
    check_unique_keys(root, file, 0);
    return root;
}

} // namespace tdlab
