// Closed forms of the Scan and Snap theory (Tian et al. 2023, arXiv 2305.16380, Secs. 4-6; docs/scansnap.md "Theory").
// Time t counts batch-size-1 SGD steps without momentum, summed over the K classes (each class is updated about t/K
// times).
#pragma once

#include <vector>

namespace tdlab::scansnap::theory {

// Lemma 6: h(t) solving exp(M h) + (M-1) M h = M eta_y t + 1 (continuous decoder dynamics, one class).
double h(double t, int M, double eta_y);
// Lemma 5: h*(0) = 0, h*(s) = h*(s-1) + eta_y / ((M-1) + exp(M h*(s-1))); returns h*(0..s_max).
std::vector<double> h_star(int s_max, int M, double eta_y);

// Eqn. 85, the speed-control coefficient: gamma(t) = (M-1)^2 h(u) / ((M-1) + exp(M h(u))), u = t/K
// (the paper writes ceil(t/K); `ceil_steps` selects that staircase version).
double gamma(double t, int M, int K, double eta_y, bool ceil_steps = false);

// omega_1 solving M^w = (1+w)(M-1) ln M / M (Lemma 8-9); Theta(ln ln M / ln M).
double omega1(int M);
// Transition times: t'_0 = K ln M / eta_y (end of the scan), t_0 = 2 (1 + omega_1) K ln M / eta_y (snap).
double t0_prime(int M, int K, double eta_y);
double t0(int M, int K, double eta_y);

// Eqn. 128: Gamma(t) = eta_Z int_0^t gamma = (eta_z/eta_y) K (M-1)^2 h(t/K)^2 / 2.
double big_gamma(double t, int M, int K, double eta_y, double eta_z);
// Eqn. 129 with the constant of §7.1: B_n(t) = 1/4 ln(C0 + 4 Gamma(t)) (C0 = 1 in Figs 3 and 9).
double B(double t, int M, int K, double eta_y, double eta_z, double C0 = 1.0);
// Theorem 3 bounds on the dominant distinct token's growth factor:
// exp(2 f0^2 B) <= chi_l0 <= exp(2 B), f0 = f_{n l0}(0).
double chi_upper(double B_value);
double chi_lower(double B_value, double f0);

// Theorem 3, per-token prediction: Delta z_l from Delta z_l0 (the dominant distinct token) and
// rho_l = c~_l0(0)^2 / c~_l(0)^2 >= 1:  Delta z_l = -1/2 ln(1 - (1 - exp(-2 Delta z_l0)) / rho_l).
double delta_z_pred(double dz_l0, double rho_l);
// Its limit as Delta z_l0 -> infinity: 1/2 ln(rho_l / (rho_l - 1)).
double delta_z_limit(double rho_l);

} // namespace tdlab::scansnap::theory
