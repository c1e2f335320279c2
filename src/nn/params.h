// Named parameters (PyTorch's named_parameters()): values in one arena, gradients in another, each with
// a torch-style dotted name ("layers.1.attention.wo.weight"), a `trainable` flag (false = requires_grad
// False forever, e.g. Bietti et al.'s frozen W_V, W_O^1 and positional buffer) and a `requires_grad` flag
// that a FreezeSchedule toggles per iteration.
//
// Contract with the ops: a model's backward passes `p.grad_or_null()` as the gradient pointer, so a
// parameter that does not require a gradient gets none computed (grad stays 0), and optimisers skip it
// entirely, as torch skips parameters whose .grad is None.
#pragma once

#include "core/npy.h"
#include "nn/arena.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace tdlab::nn {

struct Parameter {
    std::string name;
    std::vector<size_t> shape;
    size_t size = 0;
    float *value = nullptr; // into ParameterSet's value arena
    float *grad = nullptr;  // into ParameterSet's gradient arena (always allocated)
    bool trainable = true;
    bool requires_grad = true; // trainable && not currently frozen
    float *grad_or_null() const { return requires_grad ? grad : nullptr; }

    // Row-sparse gradient (an embedding table's: only the rows of the batch's tokens get one). When
    // `row_sparse`, every gradient row (shape[0] rows of size / shape[0]) outside `grad_rows` (ascending,
    // unique) is exactly +0, so zero_grad, the gradient norm, clipping and plain SGD (no momentum, no weight
    // decay) visit only those rows and write the bits of the dense loops (adding +0 to a sum, scaling +0
    // and w - lr * 0 change nothing). The op that writes such a gradient records its rows with
    // add_grad_rows(); torch's equivalent is nn.Embedding(sparse=True).
    bool row_sparse = false;
    std::vector<int32_t> grad_rows;
    size_t row_len() const { return shape.empty() ? size : size / shape[0]; }
    void add_grad_rows(const int32_t *rows, size_t n); // merges into grad_rows (sorted, unique)
};

class ParameterSet {
  public:
    // Plans a parameter; returns its index. Only before allocate(). Duplicate names: RuntimeError.
    size_t add(const std::string &name, const std::vector<size_t> &shape, bool trainable = true);
    // One allocation for all values and one for all gradients (zero-filled).
    void allocate();

    size_t count() const { return params_.size(); }
    Parameter &operator[](size_t i) { return params_[i]; }
    const Parameter &operator[](size_t i) const { return params_[i]; }
    // By exact name; UsageError naming the parameter (and listing the known names) when absent.
    Parameter &at(const std::string &name);
    const Parameter &at(const std::string &name) const;
    Parameter *find(const std::string &name);
    std::vector<Parameter> &all() { return params_; }
    const std::vector<Parameter> &all() const { return params_; }

    void zero_grad(); // every gradient to 0 (row-sparse ones: their listed rows, and the list emptied)
    size_t total_size() const;

    // NPZ of all values (name.npy members) for checkpoints and for loading golden initial weights.
    void save_npz(const std::filesystem::path &path) const;
    // Loads values by name from an NPZ (float32 or float64 members). `exact`: every parameter must be there with
    // its shape and every array must be a parameter, else UsageError naming the file, the parameter or array,
    // and both shapes (weights of another model are refused, not half loaded); otherwise parameters absent
    // from the file are left as they are and other arrays ignored (shapes must still match).
    void load_npz(const std::filesystem::path &path, bool exact = true);
    // The same from either an NPZ file or a folder of NAME.npy files (one per parameter, the form in which
    // trained weights are shipped under data/; the folder's other files are not read); UsageError naming the
    // path when it is neither.
    void load(const std::filesystem::path &path, bool exact = true);

  private:
    void load_arrays(const NpzMap &arrays, const std::string &what, bool exact);
    std::vector<Parameter> params_;
    Arena values_, grads_;
};

} // namespace tdlab::nn
