// The full Lyapunov spectrum of the mean-field map (the authors compute every exponent; the sweeps
// keep only lambda_1), from the analytic tangent map (tangent_map.h) and repeated QR
// (dynamics/lyapunov_spectrum.h), with the Kaplan-Yorke dimension.
//
// How many exponents are finite. The state x = (A-hat, m^v slots, m^k slots) has D = M + 2 L M
// coordinates (27 for the paper), but each step overwrites one slot, so J has 2M zero columns and
// det J = 0: the map forgets. After L steps x is a function of the last L values of A-hat alone,
// y_t = (A(t-L), ..., A(t-1)) (the slots hold m(s) = f(A(s-1)) and A(t) is computed from them), so
// the dynamics lives on an L*M-dimensional manifold and only L*M exponents (12) are finite; the other
// D - L*M are -infinity. `k` defaults to L*M. The exponents are measured in x's Euclidean norm, the norm
// of today's lambda_1 (batched_map.h), so lambda_1 here equals that lambda_1 on the same window.
//
// Volume check. In the delay coordinates y the map is y -> (A(t-L+1), ..., A(t-1), G(y)), whose
// Jacobian is block-companion with |det J_y| = |det dA(t) / dA(t-L)|. The QR frame spans the manifold's
// tangent space (after L alignment steps), so over the window exactly
//   sum_j lambda_j N = sum_t ln|det J_y(t)| + ln rho(end) - ln rho(start),   rho = sqrt(det E^T E),
// E = dx/dy the embedding's Jacobian. `volume_check` computes the right-hand side from dense
// Jacobians, independently of the QR (the test asserts it to 1e-8 where it applies, see below).
//
// Resolution caveat (measured): at the paper's attention gain gamma = 220 the softmax saturates, and at
// some steps |det J_y| < e^-100: one step contracts some directions by more than double precision can
// represent next to the O(1) ones, so a per-step QR cannot resolve the trailing exponents (they come out
// floored, less negative than the truth; the volume identity then misses by O(1) per step). The
// leading exponents (lambda_1 .. lambda_6 at beta = 1.27 .. 1.28: those above ~ -3) and the Kaplan-Yorke
// dimension built from them are unaffected; at gamma <= 20 the identity holds to ~1e-13.
//
// Window and alignment mirror BatchOptions: the map runs from `start` (t = start.t) to t = steps - 1,
// the frame starts `align` steps before `transient`, exponents average the steps t >= transient.
// Cost: k tangent products per step (volume_check: a dense Jacobian per step), ~0.1 ms per step at the
// paper's sizes; scalar std::tanh / std::exp, bit-identical to MeanFieldMap::step.
#pragma once

#include "core/config.h"
#include "dmft/mean_field_map.h"

#include <cstdint>
#include <vector>

namespace tdlab::dmft {

struct MapSpectrumOptions {
    int64_t steps = 22000;
    int64_t transient = 2000;
    int64_t align = 2000;
    size_t k = 0;              // exponents (0: L*M, the finite ones)
    bool volume_check = false; // also compute mean_log_det and boundary (dense Jacobians)
};

struct MapSpectrum {
    std::vector<double> exponents; // per step, natural log, decreasing
    double kaplan_yorke = 0;
    int64_t steps = 0;       // accumulated steps N
    double mean_log_det = 0; // (1/N) sum_t ln|det J_y(t)|  (volume_check only, else NaN)
    double boundary = 0;     // (ln rho(end) - ln rho(start)) / N (volume_check only, else NaN)
    Context final;
};

// UsageError when the window is empty or k > D. A start whose ring is not filled yet (a cold start)
// runs until it is before the frame starts.
MapSpectrum map_spectrum(const MeanFieldMap &map, const Context &start, const MapSpectrumOptions &opt);

// Config keys of the spectrum of a run: spectrum.enabled, spectrum.k, spectrum.align (the window is
// dmft.steps / dmft.transient).
ConfigSchema spectrum_schema();
MapSpectrumOptions spectrum_options_from(const Config &cfg); // reads dmft.steps, dmft.transient too

} // namespace tdlab::dmft
