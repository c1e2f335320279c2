// A parameter of the Birth models as an Eigen matrix in double precision, for the weight-only analyses
// (memory probes, ideal memories, the Sec. 6 gradient steps of Bietti et al. 2023, arXiv 2306.00802).
// Parameters are row-major float32 (shape[0] rows, size / shape[0] columns).
#pragma once

#include "nn/params.h"

#include <Eigen/Dense>

namespace tdlab::birth {

using MatF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatD = Eigen::MatrixXd;

// (rows, cols) copy in double.
inline MatD as_matrix(const nn::Parameter &p) {
    return Eigen::Map<const MatF>(p.value, Eigen::Index(p.shape[0]), Eigen::Index(p.size / p.shape[0])).cast<double>();
}

// Writes m (same shape) back into the parameter, rounded to float.
inline void store(nn::Parameter &p, const MatD &m) {
    Eigen::Map<MatF>(p.value, Eigen::Index(p.shape[0]), Eigen::Index(p.size / p.shape[0])) = m.cast<float>();
}

} // namespace tdlab::birth
