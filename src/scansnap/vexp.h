// exp over an array: SLEEF's 1-ulp vector exp where the CPU has AVX2 (floats: AVX-512 where it has it;
// SLEEF found at build time), std::exp otherwise. The softmax over M output tokens is the hottest transcendental of
// a training run (B x M exps per iteration). Each path is deterministic; they may differ in the last bit.
#pragma once

namespace tdlab::scansnap {

void exp_inplace(double *x, int n);
void exp_inplace(float *x, int n);

} // namespace tdlab::scansnap
