// The model-independent toolbox on a user's time series (`tdlab analyze`), so that the analysis is not
// locked to the DMFT map: a series x_t of dim values per step (an [n] or [n][dim] array) gets
//   exact period        detect_period (return within period_tol, all dims);
//   quantised count     the paper's unique-bin count of column 0 at R = 5001 over [-max|x_0|, max|x_0|]
//                       and its label (quantize.h);
//   0-1 test            K of column 0 (chaos01.h), on the last `chaos01_points` samples;
//   power spectrum,     of column 0, no mean removal (spectrum.h), with its spectral entropy;
//   autocorrelation     raw, lags 0 .. max_lag;
//   correlation dim.    D2 of the points (dim >= 2) or of the delay embedding (x_t, x_{t+tau}, ...,
//                       x_{t+(m-1)tau}) of a scalar series (m = embed_dim), with its fit range
//                       (correlation_dimension.h);
//   label               combine_indicators of period, 0-1 test and count (no Lyapunov exponent: a series
//                       has no Jacobian).
#pragma once

#include "dynamics/classify.h"
#include "dynamics/correlation_dimension.h"

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace tdlab::dynamics {

struct SeriesOptions {
    size_t max_period = 2000;
    double period_tol = 1e-8;
    size_t multiple_of = 1;
    size_t max_lag = 1000;
    size_t chaos01_points = 2500;
    size_t embed_dim = 3; // delay embedding of a scalar series for D2
    size_t embed_lag = 1;
    CorrelationOptions correlation;
};

struct SeriesAnalysis {
    size_t n = 0, dim = 0;
    size_t period = 0;
    int64_t unique_points = 0;
    Label paper_label = Label::Unknown;
    double chaos01 = 0; // NaN when fewer than 200 samples
    double spectral_entropy = 0;
    std::vector<double> power, autocorrelation;
    CorrelationDimension d2; // d2.d2 NaN when no linear region was found
    Combined label;
};

// x is [n][dim] row-major. UsageError for an empty or non-finite series.
SeriesAnalysis analyze_series(const std::vector<double> &x, size_t dim, const SeriesOptions &opt = {});

// Writes dir/analysis.json (every scalar above, the D2 fit range; `series` names the input),
// power_spectrum.npy [N/2+1], autocorrelation.npy [max_lag+1], correlation_sum.npy [radii][2] (r, C).
void write_series_analysis(const std::filesystem::path &dir, const SeriesAnalysis &a, const std::string &series);

} // namespace tdlab::dynamics
