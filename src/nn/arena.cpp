#include "nn/arena.h"

#include "core/error.h"

#include <cstdlib>
#include <cstring>

namespace tdlab::nn {

namespace {
constexpr size_t kAlignFloats = 16; // 64 bytes
size_t round_up(size_t n) {
    return (n + kAlignFloats - 1) / kAlignFloats * kAlignFloats;
}
} // namespace

void Arena::Free::operator()(float *p) const {
    std::free(p);
}

size_t Arena::reserve(const std::string &name, const std::vector<size_t> &shape) {
    if (block_) throw RuntimeError("arena: reserve('" + name + "') after allocate()");
    if (find(name)) throw RuntimeError("arena: duplicate tensor name '" + name + "'");
    TensorRef t;
    t.name = name;
    t.shape = shape;
    t.size = 1;
    for (size_t s : shape) t.size *= s;
    offsets_.push_back(total_);
    total_ += round_up(t.size);
    slots_.push_back(std::move(t));
    return slots_.size() - 1;
}

void Arena::allocate() {
    if (block_) throw RuntimeError("arena: allocate() called twice");
    size_t bytes = std::max<size_t>(total_, kAlignFloats) * sizeof(float);
    float *p = static_cast<float *>(std::aligned_alloc(64, bytes));
    if (!p) throw RuntimeError("arena: cannot allocate " + std::to_string(bytes) + " bytes");
    std::memset(p, 0, bytes);
    block_.reset(p);
    for (size_t i = 0; i < slots_.size(); ++i) slots_[i].data = p + offsets_[i];
}

float *Arena::data(size_t slot) const {
    return slots_.at(slot).data;
}
const TensorRef &Arena::tensor(size_t slot) const {
    return slots_.at(slot);
}

const TensorRef *Arena::find(const std::string &name) const {
    for (const auto &t : slots_)
        if (t.name == name) return &t;
    return nullptr;
}

const TensorRef &Arena::at(const std::string &name) const {
    const TensorRef *t = find(name);
    if (!t) throw RuntimeError("arena: no tensor named '" + name + "'");
    return *t;
}

void Arena::zero() {
    if (block_) std::memset(block_.get(), 0, total_ * sizeof(float));
}

} // namespace tdlab::nn
