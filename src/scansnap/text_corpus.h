// A training text and its evaluation texts as token ids, batchified as the PyTorch word-language-model
// tutorial does (Tian et al. 2023, arXiv 2305.16380, Section 7: the real-data runs; docs/scansnap.md
// "Real text"):
//   tokens   = the basic_english tokens of every line, concatenated (empty lines add nothing, no <eos>);
//   vocab    = built from the training tokens (text_tokenize.h); evaluation words outside it -> <unk>;
//   batchify = truncate to a multiple of `columns`, then column j holds the j-th contiguous slice:
//              batched[i, j] = tokens[j * rows + i]   (torch's data.view(bsz, -1).t());
//   chunk k  = rows [k*bptt, k*bptt + bptt) as inputs and the rows one below as targets.
//
// Tokenising the 1.2M-word training text takes seconds; the result is cached, keyed by a hash of the
// file's bytes (and of the vocabulary's file for an evaluation text), in text_cache_dir(), never next to
// the user's data. A changed file has a new key, so a stale entry is never read.
#pragma once

#include "scansnap/text_tokenize.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace tdlab::scansnap {

// $TDLAB_CACHE_DIR if set, else $XDG_CACHE_HOME/tdlab, else $HOME/.cache/tdlab; then /text.
std::filesystem::path text_cache_dir();

// FNV-1a 64 of a file's bytes (a cache key, not a security hash); UsageError naming a missing file.
uint64_t file_hash(const std::filesystem::path &path);

// Tokens of every line of `text` (basic_english), concatenated.
std::vector<std::string> tokenize_text(const std::string &text);

struct TextCorpus {
    Vocabulary vocab;
    std::vector<int32_t> train;              // ids of the training text
    std::vector<std::vector<int32_t>> evals; // ids of each evaluation text (OOV -> <unk>)
};

// Loads (or reads from the cache) the training text and the evaluation texts. `max_train_tokens` > 0
// keeps only that prefix of the training tokens BEFORE the vocabulary is built (a smaller vocabulary for
// quick runs); `max_eval_tokens` > 0 keeps a prefix of each evaluation text. use_cache false: no cache
// read or write. UsageError naming the file when one is missing or has no token.
TextCorpus load_text_corpus(const std::filesystem::path &train_path, const std::vector<std::filesystem::path> &evals,
                            int64_t max_train_tokens, int64_t max_eval_tokens, bool use_cache = true);

// Column-major batches: rows x columns, element (i, j) at [i * columns + j].
struct Batched {
    int64_t rows = 0;
    int columns = 0;
    std::vector<int32_t> data;
    int32_t at(int64_t i, int j) const { return data[size_t(i) * columns + j]; }
};
Batched batchify(const std::vector<int32_t> &ids, int columns);

// Number of full chunks of `bptt` rows that have targets (the tutorial's last, shorter chunk is dropped
// so that every step has the same shape).
int64_t full_chunks(const Batched &b, int bptt);

// Chunk k as the model's batch-major (columns, bptt) inputs and targets:
//   tokens[j * bptt + t] = b.at(k*bptt + t, j), targets[j * bptt + t] = b.at(k*bptt + t + 1, j).
void chunk(const Batched &b, int64_t k, int bptt, int32_t *tokens, int32_t *targets);

// Chunk starting at row `row`, column `col`, as one sequence of `bptt` tokens (Fig 7's fixed chunk:
// row 100 * 35, column 0 of the training stream). RuntimeError when it does not fit.
std::vector<int32_t> column_chunk(const Batched &b, int64_t row, int col, int bptt);

} // namespace tdlab::scansnap
