#include "nn/params.h"

#include <algorithm>

#include "core/error.h"
#include "core/npy.h"

#include <cstring>

namespace tdlab::nn {

size_t ParameterSet::add(const std::string &name, const std::vector<size_t> &shape, bool trainable) {
    if (values_.allocated()) throw RuntimeError("parameters: add('" + name + "') after allocate()");
    values_.reserve(name, shape); // throws on duplicates
    grads_.reserve(name, shape);
    Parameter p;
    p.name = name;
    p.shape = shape;
    p.size = values_.tensors().back().size;
    p.trainable = trainable;
    p.requires_grad = trainable;
    params_.push_back(std::move(p));
    return params_.size() - 1;
}

void ParameterSet::allocate() {
    values_.allocate();
    grads_.allocate();
    for (size_t i = 0; i < params_.size(); ++i) {
        params_[i].value = values_.data(i);
        params_[i].grad = grads_.data(i);
    }
}

Parameter *ParameterSet::find(const std::string &name) {
    for (auto &p : params_)
        if (p.name == name) return &p;
    return nullptr;
}

Parameter &ParameterSet::at(const std::string &name) {
    if (Parameter *p = find(name)) return *p;
    std::string known;
    for (const auto &p : params_) known += (known.empty() ? "" : ", ") + p.name;
    throw UsageError("unknown parameter '" + name + "' (known: " + known + ")");
}

const Parameter &ParameterSet::at(const std::string &name) const {
    return const_cast<ParameterSet *>(this)->at(name);
}

void ParameterSet::zero_grad() {
    bool any_sparse = false;
    for (const auto &p : params_) any_sparse = any_sparse || p.row_sparse;
    if (!any_sparse) {
        grads_.zero();
        return;
    }
    // a word model's embedding table is half of its gradient, and a batch touches < 1% of its rows
    for (auto &p : params_) {
        if (!p.row_sparse) {
            std::fill(p.grad, p.grad + p.size, 0.0f);
            continue;
        }
        const size_t L = p.row_len();
        for (const int32_t r : p.grad_rows) std::fill(p.grad + size_t(r) * L, p.grad + size_t(r + 1) * L, 0.0f);
        p.grad_rows.clear();
    }
}

void Parameter::add_grad_rows(const int32_t *rows, size_t n) {
    grad_rows.insert(grad_rows.end(), rows, rows + n);
    std::sort(grad_rows.begin(), grad_rows.end());
    grad_rows.erase(std::unique(grad_rows.begin(), grad_rows.end()), grad_rows.end());
}

size_t ParameterSet::total_size() const {
    size_t n = 0;
    for (const auto &p : params_) n += p.size;
    return n;
}

void ParameterSet::save_npz(const std::filesystem::path &path) const {
    NpzMap m;
    for (const auto &p : params_) m[p.name] = make_npy(p.value, p.shape);
    write_npz(path, m);
}

namespace {

std::string shape_text(const std::vector<size_t> &shape) {
    std::string t = "(";
    for (size_t i = 0; i < shape.size(); ++i) t += (i ? ", " : "") + std::to_string(shape[i]);
    return t + (shape.size() == 1 ? ",)" : ")");
}

} // namespace

void ParameterSet::load_arrays(const NpzMap &m, const std::string &what, bool exact) {
    for (const auto &p : params_) {
        auto it = m.find(p.name);
        if (it == m.end()) {
            if (exact) throw UsageError(what + ": no array for parameter '" + p.name + "' " + shape_text(p.shape));
            continue;
        }
        if (it->second.shape != p.shape)
            throw UsageError(what + ": array '" + p.name + "' has shape " + shape_text(it->second.shape) +
                             ", the model's parameter " + shape_text(p.shape));
    }
    if (exact) {
        std::string extra;
        for (const auto &[name, array] : m)
            if (!find(name)) extra += (extra.empty() ? "" : ", ") + name;
        if (!extra.empty())
            throw UsageError(what + ": arrays that are no parameter of this model: " + extra +
                             " (weights of a model with other layers or parts?)");
    }
    for (auto &p : params_) {
        auto it = m.find(p.name);
        if (it == m.end()) continue;
        std::vector<double> v = it->second.to_double();
        for (size_t i = 0; i < p.size; ++i) p.value[i] = float(v[i]);
    }
}

void ParameterSet::load_npz(const std::filesystem::path &path, bool exact) {
    load_arrays(read_npz(path), path.string(), exact);
}

void ParameterSet::load(const std::filesystem::path &path, bool exact) {
    namespace fs = std::filesystem;
    if (fs::is_regular_file(path)) return load_npz(path, exact);
    if (!fs::is_directory(path))
        throw UsageError(path.string() + ": no such file or folder (expected a params.npz or a folder of NAME.npy)");
    NpzMap m;
    for (const auto &e : fs::directory_iterator(path))
        if (e.is_regular_file() && e.path().extension() == ".npy") m[e.path().stem().string()] = read_npy(e.path());
    load_arrays(m, path.string(), exact);
}

} // namespace tdlab::nn
