// Optimisers with PyTorch 1.13 semantics (torch.optim.SGD and torch.optim.AdamW, foreach=False), over the
// parameters of a ParameterSet that are trainable. A parameter whose requires_grad is false at step()
// (frozen by a FreezeSchedule) is skipped entirely, as torch skips params with grad None: no update, no
// weight decay, no momentum/moment update, and its state (momentum buffer, Adam step count) is created
// at its first real step.
//
// SGD (no dampening, no Nesterov), per element, in fp32:
//   g = grad + wd * w;  buf = g (first real step) else momentum * buf + g;  w -= lr * buf
//   (momentum = 0: w -= lr * g, no buffer).
// AdamW (decoupled weight decay, bias correction), per parameter step count t (1 at its first real step):
//   w *= 1 - lr * wd;  m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;
//   w -= (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
//   in torch's order; scalar factors computed in double (as Python does) and applied in fp32.
//
// Parameter groups: each group lists parameter names (exact, or globs with '*'), and may override the
// learning rate and weight decay; a parameter matched by no group belongs to the default group (the
// options passed to the constructor). A parameter matched by two groups is a UsageError.
#pragma once

#include "core/npy.h"
#include "nn/arena.h"
#include "nn/params.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tdlab::nn {

struct ParamGroupSpec {
    std::string name;                // for messages and set_lr
    std::vector<std::string> params; // exact names or '*' globs
    std::optional<double> lr;        // overrides the default lr
    std::optional<double> weight_decay;
};

struct SgdOptions {
    double lr = 0.01;
    double momentum = 0.0;
    double weight_decay = 0.0;
};

struct AdamWOptions {
    double lr = 1e-3;
    double beta1 = 0.9;
    double beta2 = 0.999;
    double eps = 1e-8;
    double weight_decay = 1e-2;
};

class Optimizer {
  public:
    virtual ~Optimizer() = default;
    // One update of every trainable parameter with requires_grad, from its current .grad.
    virtual void step() = 0;
    // Learning rate of a group by name ("default" = the default group). UsageError for an unknown group.
    void set_lr(const std::string &group, double lr);
    double lr_of(const std::string &param_name) const;
    double weight_decay_of(const std::string &param_name) const;
    // The whole optimiser state for a checkpoint: per optimised parameter its real step count
    // ("steps.<name>") and the state tensors ("<kind>.<name>"); restoring it makes the next step() the
    // same bytes as in the run that saved it. load_state: UsageError naming `what` and the member when
    // a member is missing or has another shape.
    NpzMap save_state() const;
    void load_state(const NpzMap &state, const std::string &what);

  protected:
    Optimizer(ParameterSet &params, double lr, double weight_decay, const std::vector<ParamGroupSpec> &groups);
    struct Slot {
        size_t param;      // index into the ParameterSet
        size_t group;      // index into groups_
        size_t state_slot; // index into the optimiser's state arena(s)
        int64_t steps = 0; // real steps taken (0 = state not created yet)
    };
    struct Group {
        std::string name;
        double lr, weight_decay;
    };
    ParameterSet &params_;
    std::vector<Group> groups_;
    std::vector<Slot> slots_;
    // The state tensors of one slot, by kind name ("momentum", "adam_m", "adam_v"); none for plain SGD.
    virtual std::vector<std::pair<std::string, float *>> state_tensors(const Slot &s) const = 0;
};

class Sgd : public Optimizer {
  public:
    Sgd(ParameterSet &params, const SgdOptions &options, const std::vector<ParamGroupSpec> &groups = {});
    void step() override;
    // Momentum buffer of a parameter (nullptr before its first real step or without momentum).
    const float *momentum_buffer(const std::string &param_name) const;

  protected:
    std::vector<std::pair<std::string, float *>> state_tensors(const Slot &s) const override;

  private:
    double momentum_;
    Arena buf_;
};

class AdamW : public Optimizer {
  public:
    AdamW(ParameterSet &params, const AdamWOptions &options, const std::vector<ParamGroupSpec> &groups = {});
    void step() override;
    int64_t step_count(const std::string &param_name) const;

  protected:
    std::vector<std::pair<std::string, float *>> state_tensors(const Slot &s) const override;

  private:
    double beta1_, beta2_, eps_;
    Arena m_, v_;
};

} // namespace tdlab::nn
