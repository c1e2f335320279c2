// Word-level text pipeline of the PyTorch "word language model" tutorial that Scan and Snap's real-data
// experiments train on (Tian et al. 2023, arXiv 2305.16380, Section 7 and Appendix G; docs/scansnap.md
// "Real text"): torchtext's `basic_english` tokenizer and a vocabulary built from the training text.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tdlab::scansnap {

// torchtext's basic_english on one line: lowercase, then, in this order, ' -> " '  ", " -> "", . -> " . ",
// "<br />" -> " ", , ( ) ! ? -> " x ", ; and : -> " ", whitespace runs -> " ", and a whitespace split.
// Lowercasing is ASCII only (Python's str.lower also folds non-ASCII letters; the shipped training text
// is pure ASCII, so a non-ASCII word is out of its vocabulary whatever its case).
std::vector<std::string> basic_english(std::string_view line);

// torchtext's build_vocab_from_iterator(..., specials=["<unk>"]) with min_freq 1 and <unk> the default
// index: id 0 is "<unk>", then every other word by descending count, ties by byte order of the word
// (Python sorts by the word first, then stably by count). A literal "<unk>" in the text is id 0.
class Vocabulary {
  public:
    static constexpr int32_t kUnk = 0;
    static Vocabulary build(const std::vector<std::string> &words);
    static Vocabulary from_words(std::vector<std::string> by_id); // by_id[0] must be "<unk>"

    int32_t id(const std::string &word) const; // kUnk when absent
    const std::string &word(int32_t id) const { return words_.at(size_t(id)); }
    size_t size() const { return words_.size(); }
    const std::vector<std::string> &words() const { return words_; }
    std::vector<int32_t> encode(const std::vector<std::string> &words) const;

  private:
    std::vector<std::string> words_;
    std::unordered_map<std::string, int32_t> index_;
};

} // namespace tdlab::scansnap
