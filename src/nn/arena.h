// Arenas: one allocation per kind of memory (parameters, gradients, activations, optimiser state), with
// named tensors carved out of it, as llm.c's malloc_and_point_parameters does. Nothing is allocated in
// the training loop: a model plans its tensors once (reserve), the arena allocates once (allocate), and
// from then on forward/backward only read and write through the carved pointers.
//
// Usage:
//   Arena acts;
//   size_t h = acts.reserve("blocks.0.hook_resid_pre", {B, T, C});
//   acts.allocate();                 // one 64-byte aligned, zero-filled block for all reserved tensors
//   float *p = acts.data(h);         // or acts.find("blocks.0.hook_resid_pre")
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace tdlab::nn {

// A named, shaped view into an arena (C order, fp32). Does not own its memory.
struct TensorRef {
    std::string name;
    std::vector<size_t> shape;
    float *data = nullptr;
    size_t size = 0; // product of shape
};

class Arena {
  public:
    Arena() = default;
    Arena(const Arena &) = delete;
    Arena &operator=(const Arena &) = delete;
    Arena(Arena &&) = default;
    Arena &operator=(Arena &&) = default;

    // Plans a tensor; returns its slot index. Names must be unique (RuntimeError otherwise). Each tensor
    // starts on a 64-byte boundary. Only valid before allocate().
    size_t reserve(const std::string &name, const std::vector<size_t> &shape);
    // Allocates the single block (zero-filled) and points every slot into it. Only once.
    void allocate();
    bool allocated() const { return block_ != nullptr; }

    float *data(size_t slot) const;
    const TensorRef &tensor(size_t slot) const;
    // Lookup by name: nullptr / throws RuntimeError naming the tensor when absent.
    const TensorRef *find(const std::string &name) const;
    const TensorRef &at(const std::string &name) const;
    const std::vector<TensorRef> &tensors() const { return slots_; }

    void zero();                                   // memset of the whole block
    size_t total_floats() const { return total_; } // including alignment padding
    float *block() const { return block_.get(); }

  private:
    struct Free {
        void operator()(float *p) const;
    };
    std::vector<TensorRef> slots_;
    std::vector<size_t> offsets_;
    size_t total_ = 0;
    std::unique_ptr<float, Free> block_;
};

} // namespace tdlab::nn
