// exp over an array: SLEEF's 1-ulp vector exp where the CPU has AVX2 (floats: AVX-512 where it has it;
// SLEEF found at build time), std::exp otherwise. Softmaxes over large output layers are the hottest
// transcendentals of training: Scan and Snap's B x M logits per iteration, the cross-entropy over a word
// model's vocabulary (nn/cross_entropy.cpp: 700 x 47,037 exps per step, where glibc's scalar expf was 9% of
// the step). Each path is deterministic and independent of n's split into vectors (the tail goes through a
// padded vector); paths may differ in the last bit, so the path is a function of the CPU only.
#pragma once

namespace tdlab {

void exp_inplace(double *x, int n);
void exp_inplace(float *x, int n);

} // namespace tdlab
