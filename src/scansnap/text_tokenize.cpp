#include "scansnap/text_tokenize.h"

#include "core/error.h"

#include <algorithm>

namespace tdlab::scansnap {

std::vector<std::string> basic_english(std::string_view line) {
    std::vector<std::string> out;
    std::string cur;
    auto flush = [&] {
        if (!cur.empty()) out.push_back(std::move(cur));
        cur.clear();
    };
    for (size_t i = 0; i < line.size(); ++i) {
        char c = line[i];
        if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
        switch (c) {
        case '"': break; // removed: the word continues ("ab"cd" -> abcd)
        case '\'':
        case '.':
        case ',':
        case '(':
        case ')':
        case '!':
        case '?':
            flush();
            out.emplace_back(1, c);
            break;
        case ';':
        case ':':
        case ' ':
        case '\t':
        case '\n':
        case '\r':
        case '\f':
        case '\v': flush(); break;
        case '<':
            // "<br />" (matched after lowercasing, so "<BR />" too) is a separator; the rules before it
            // cannot have touched it, since it holds none of ' " .
            if (line.size() - i >= 6) {
                std::string tag(line.substr(i, 6));
                for (auto &ch : tag) ch = char(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
                if (tag == "<br />") {
                    flush();
                    i += 5;
                    break;
                }
            }
            cur.push_back(c);
            break;
        default: cur.push_back(c);
        }
    }
    flush();
    return out;
}

Vocabulary Vocabulary::from_words(std::vector<std::string> by_id) {
    if (by_id.empty() || by_id[0] != "<unk>") throw RuntimeError("vocabulary: id 0 must be <unk>");
    Vocabulary v;
    v.words_ = std::move(by_id);
    v.index_.reserve(v.words_.size());
    for (size_t i = 0; i < v.words_.size(); ++i)
        if (!v.index_.emplace(v.words_[i], int32_t(i)).second)
            throw RuntimeError("vocabulary: duplicate word '" + v.words_[i] + "'");
    return v;
}

Vocabulary Vocabulary::build(const std::vector<std::string> &words) {
    std::unordered_map<std::string, int64_t> counts;
    for (const auto &w : words)
        if (w != "<unk>") ++counts[w];
    std::vector<std::pair<std::string, int64_t>> sorted(counts.begin(), counts.end());
    std::sort(sorted.begin(), sorted.end(), [](const auto &a, const auto &b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    std::vector<std::string> by_id{"<unk>"};
    by_id.reserve(sorted.size() + 1);
    for (auto &p : sorted) by_id.push_back(std::move(p.first));
    return from_words(std::move(by_id));
}

int32_t Vocabulary::id(const std::string &word) const {
    auto it = index_.find(word);
    return it == index_.end() ? kUnk : it->second;
}

std::vector<int32_t> Vocabulary::encode(const std::vector<std::string> &words) const {
    std::vector<int32_t> ids(words.size());
    for (size_t i = 0; i < words.size(); ++i) ids[i] = id(words[i]);
    return ids;
}

} // namespace tdlab::scansnap
