// Freeze-until-iteration schedules, Bietti et al.'s `freeze_until="300:layers.1.attention.wo.weight,..."`:
// the named parameters are frozen (requires_grad = false: no gradient, no update, no weight decay, no
// momentum) for iterations 0 .. thaw-1 and thawed before the forward pass of iteration `thaw`.
#pragma once

#include "nn/params.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace tdlab::nn {

class FreezeSchedule {
  public:
    FreezeSchedule() = default;
    // "ITER:NAME,ITER:NAME,..." (whitespace around items ignored; empty string = no freezing).
    // UsageError naming the bad item for a malformed entry or a negative iteration.
    static FreezeSchedule parse(const std::string &spec);
    void add(const std::string &name, int64_t thaw_iter);

    // Sets requires_grad of every parameter for iteration `iter`: trainable && iter >= thaw(name).
    // UsageError naming the parameter if the schedule names one that `params` does not have.
    void apply(ParameterSet &params, int64_t iter) const;
    // Thaw iteration of `name` (0 if unscheduled).
    int64_t thaw_iter(const std::string &name) const;
    const std::vector<std::pair<std::string, int64_t>> &entries() const { return entries_; }

  private:
    std::vector<std::pair<std::string, int64_t>> entries_;
};

} // namespace tdlab::nn
