// The paper's point-counting classifier and its Poincare filter (Poc-Lopez & Aguilera 2024, arXiv
// 2406.07247, Sec. 4 / Fig 3, made precise by the authors' code; docs/dmft_map.md section 8).
//
// Quantisation: q(v; R, max_y) = int(R (v / max_y + 1) / 2), the bin of v among R bins spanning
// [-max_y, max_y]; a column of the bifurcation diagram is drawn at its unique bins, plotted at
// (q / R * 2 - 1) max_y. The class is read from u = number of unique bins at R = 5001:
// u < 80 periodic, u < 2500 quasi-periodic, else chaotic. These thresholds are the authors'
// heuristics, not theory: long periodic orbits and slow transients are misclassified by design.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace tdlab::dynamics {

enum class Label : int { Periodic = 0, QuasiPeriodic = 1, Chaotic = 2, Unknown = 3 };
const char *label_name(Label l); // "periodic", "quasi-periodic", "chaotic", "unknown"
Label label_from_name(const std::string &name);

struct PaperClassifier {
    int resolution = 5001;      // R of the unique count
    int periodic_below = 80;    // u < 80 -> periodic
    int chaotic_from = 2500;    // u >= 2500 -> chaotic, between -> quasi-periodic
    double poincare_tol = 1e-3; // |filter variable| <= tol selects the Poincare samples
};

// Bin index int(R (v / max_y + 1) / 2) (truncation toward zero as Python's int()).
int64_t quantize(double v, double max_y, int resolution);
// Sorted unique bins of `values` (a strided view: values[k * stride + offset], k < n).
std::vector<int64_t> unique_bins(const double *values, size_t n, size_t stride, double max_y, int resolution);
// Centre values (q / R * 2 - 1) max_y of the unique bins, as the paper plots them.
std::vector<double> bin_values(const std::vector<int64_t> &bins, double max_y, int resolution);

Label paper_label(size_t unique_count, const PaperClassifier &c = {});

// Poincare set of the paper: x[k] for the samples with |y[k]| <= tol (a tolerance filter on samples,
// no interpolation and no crossing direction). Strided views as above.
std::vector<double> poincare_filter(const double *x, const double *y, size_t n, size_t stride, double tol);

// The distinct values of v in order of first appearance (exact equality). A converged periodic orbit
// repeats its few values for the whole window: this keeps a section of it at its period's size
// (the Fig 3a sweep's poincare.npy went from 526 MB of repeats to a few MB).
std::vector<double> distinct_in_order(const std::vector<double> &v);

// The Poincare set of a window with an exact period p (detect_period with tolerance `tol`): samples
// one period apart agree within tol, so the section is one sample per phase of the period, the last
// one in the window (the most converged), for the phases r = t mod p (in order r = 0..p-1, i.e. of first
// visit) whose sample passes |y| <= filter_tol; then values within `tol` of an earlier kept value are
// dropped. At most p points: a converged period-4 orbit gives 4 points, not one per rounding variant.
std::vector<double> periodic_poincare(const double *x, const double *y, size_t n, size_t stride, size_t period,
                                      double filter_tol, double tol);

} // namespace tdlab::dynamics
