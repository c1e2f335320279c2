#include "nn/optimizer.h"

#include "core/error.h"
#include "nn/capture.h"

#include <cmath>
#include <cstring>

namespace tdlab::nn {

// ---------------------------------------------------------------------------------------------------
// Groups and slots

Optimizer::Optimizer(ParameterSet &params, double lr, double weight_decay, const std::vector<ParamGroupSpec> &groups)
    : params_(params) {
    groups_.push_back({"default", lr, weight_decay});
    for (const auto &g : groups) {
        if (g.name.empty() || g.name == "default")
            throw UsageError("optimizer: a parameter group needs a name other than 'default'");
        groups_.push_back({g.name, g.lr.value_or(lr), g.weight_decay.value_or(weight_decay)});
    }
    for (const auto &g : groups)
        for (const auto &pat : g.params) {
            bool any = false;
            for (const auto &p : params.all()) any = any || glob_match(pat, p.name);
            if (!any)
                throw UsageError("optimizer: group '" + g.name + "' names '" + pat + "', which matches no parameter");
        }
    size_t state = 0;
    for (size_t i = 0; i < params.count(); ++i) {
        const Parameter &p = params[i];
        if (!p.trainable) continue;
        size_t group = 0;
        for (size_t gi = 0; gi < groups.size(); ++gi)
            for (const auto &pat : groups[gi].params)
                if (glob_match(pat, p.name)) {
                    if (group != 0 && group != gi + 1)
                        throw UsageError("optimizer: parameter '" + p.name + "' is in groups '" + groups_[group].name +
                                         "' and '" + groups[gi].name + "'");
                    group = gi + 1;
                }
        slots_.push_back({i, group, state++, 0});
    }
}

void Optimizer::set_lr(const std::string &group, double lr) {
    for (auto &g : groups_)
        if (g.name == group) {
            g.lr = lr;
            return;
        }
    throw UsageError("optimizer: no parameter group '" + group + "'");
}

double Optimizer::lr_of(const std::string &param_name) const {
    for (const auto &s : slots_)
        if (params_[s.param].name == param_name) return groups_[s.group].lr;
    throw UsageError("optimizer: parameter '" + param_name + "' is not optimised");
}

double Optimizer::weight_decay_of(const std::string &param_name) const {
    for (const auto &s : slots_)
        if (params_[s.param].name == param_name) return groups_[s.group].weight_decay;
    throw UsageError("optimizer: parameter '" + param_name + "' is not optimised");
}

NpzMap Optimizer::save_state() const {
    NpzMap out;
    for (const auto &s : slots_) {
        const Parameter &p = params_[s.param];
        out["steps." + p.name] = make_npy(&s.steps, {1});
        for (const auto &[kind, data] : state_tensors(s)) out[kind + "." + p.name] = make_npy(data, p.shape);
    }
    return out;
}

void Optimizer::load_state(const NpzMap &state, const std::string &what) {
    auto member = [&](const std::string &key, size_t size) -> const NpyArray & {
        auto it = state.find(key);
        if (it == state.end()) throw UsageError(what + ": no optimiser state '" + key + "'");
        if (it->second.size() != size)
            throw UsageError(what + ": optimiser state '" + key + "' holds " + std::to_string(it->second.size()) +
                             " values, expected " + std::to_string(size));
        return it->second;
    };
    for (auto &s : slots_) {
        const Parameter &p = params_[s.param];
        s.steps = member("steps." + p.name, 1).to_int64()[0];
        for (const auto &[kind, data] : state_tensors(s)) {
            const NpyArray &a = member(kind + "." + p.name, p.size);
            if (a.dtype != "<f4")
                throw UsageError(what + ": optimiser state '" + kind + "." + p.name + "' is not float32");
            std::memcpy(data, a.bytes.data(), p.size * sizeof(float));
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// SGD (torch.optim.SGD, dampening 0, nesterov False)

Sgd::Sgd(ParameterSet &params, const SgdOptions &o, const std::vector<ParamGroupSpec> &groups)
    : Optimizer(params, o.lr, o.weight_decay, groups), momentum_(o.momentum) {
    if (momentum_ != 0.0) {
        for (const auto &s : slots_) buf_.reserve(params[s.param].name, params[s.param].shape);
        buf_.allocate();
    }
}

void Sgd::step() {
    const float mu = float(momentum_);
    for (auto &s : slots_) {
        Parameter &p = params_[s.param];
        if (!p.requires_grad) continue; // grad None in torch: skipped entirely
        const float wd = float(groups_[s.group].weight_decay), neg_lr = float(-groups_[s.group].lr);
        float *w = p.value, *g = p.grad;
        const size_t n = p.size;
        float *buf = momentum_ != 0.0 ? buf_.data(s.state_slot) : nullptr;
        const bool first = s.steps == 0;
        if (p.row_sparse && !buf && wd == 0.0f) {
            // w + (-lr) * (+0) is w: only the rows that can hold a gradient change (params.h)
            const size_t L = p.row_len();
            for (const int32_t r : p.grad_rows)
                for (size_t i = size_t(r) * L; i < size_t(r + 1) * L; ++i) w[i] = w[i] + neg_lr * g[i];
            ++s.steps;
            continue;
        }
#pragma omp parallel for schedule(static)
        for (size_t i = 0; i < n; ++i) {
            float d = wd != 0.0f ? g[i] + wd * w[i] : g[i]; // d_p.add(param, alpha=wd)
            if (buf) {
                if (first) {
                    buf[i] = d; // clone of d_p
                } else {
                    float b = buf[i] * mu; // buf.mul_(momentum).add_(d_p)
                    buf[i] = b + d;
                }
                d = buf[i];
            }
            w[i] = w[i] + neg_lr * d; // param.add_(d_p, alpha=-lr)
        }
        ++s.steps;
    }
}

std::vector<std::pair<std::string, float *>> Sgd::state_tensors(const Slot &s) const {
    if (momentum_ == 0.0) return {};
    return {{"momentum", buf_.data(s.state_slot)}};
}

const float *Sgd::momentum_buffer(const std::string &name) const {
    for (const auto &s : slots_)
        if (params_[s.param].name == name) return (momentum_ != 0.0 && s.steps > 0) ? buf_.data(s.state_slot) : nullptr;
    return nullptr;
}

// ---------------------------------------------------------------------------------------------------
// AdamW (torch.optim.AdamW, amsgrad False, _single_tensor_adamw)

AdamW::AdamW(ParameterSet &params, const AdamWOptions &o, const std::vector<ParamGroupSpec> &groups)
    : Optimizer(params, o.lr, o.weight_decay, groups), beta1_(o.beta1), beta2_(o.beta2), eps_(o.eps) {
    for (const auto &s : slots_) {
        m_.reserve(params[s.param].name, params[s.param].shape);
        v_.reserve(params[s.param].name, params[s.param].shape);
    }
    m_.allocate();
    v_.allocate();
}

void AdamW::step() {
    for (auto &s : slots_) {
        Parameter &p = params_[s.param];
        if (!p.requires_grad) continue;
        const double lr = groups_[s.group].lr, wd = groups_[s.group].weight_decay;
        const int64_t t = ++s.steps;
        // Python-side scalars, in double, exactly as torch computes them
        const float decay = float(1.0 - lr * wd);
        const double bc1 = 1.0 - std::pow(beta1_, double(t));
        const double bc2 = 1.0 - std::pow(beta2_, double(t));
        const float neg_step = float(-(lr / bc1));
        const float bc2_sqrt = float(std::sqrt(bc2));
        const float b1 = float(beta1_), one_b1 = float(1.0 - beta1_), b2 = float(beta2_), one_b2 = float(1.0 - beta2_);
        const float eps = float(eps_);
        float *w = p.value, *g = p.grad, *m = m_.data(s.state_slot), *v = v_.data(s.state_slot);
        const size_t n = p.size;
#pragma omp parallel for schedule(static)
        for (size_t i = 0; i < n; ++i) {
            w[i] = w[i] * decay;                            // param.mul_(1 - lr*wd)
            m[i] = m[i] * b1 + one_b1 * g[i];               // exp_avg.mul_(b1).add_(grad, alpha=1-b1)
            v[i] = v[i] * b2 + (one_b2 * g[i]) * g[i];      // exp_avg_sq.mul_(b2).addcmul_(g, g, value=1-b2)
            float denom = std::sqrt(v[i]) / bc2_sqrt + eps; // (exp_avg_sq.sqrt() / bc2_sqrt).add_(eps)
            w[i] = w[i] + (neg_step * m[i]) / denom;        // param.addcdiv_(exp_avg, denom, value=-step_size)
        }
    }
}

std::vector<std::pair<std::string, float *>> AdamW::state_tensors(const Slot &s) const {
    return {{"adam_m", m_.data(s.state_slot)}, {"adam_v", v_.data(s.state_slot)}};
}

int64_t AdamW::step_count(const std::string &name) const {
    for (const auto &s : slots_)
        if (params_[s.param].name == name) return s.steps;
    return 0;
}

} // namespace tdlab::nn
