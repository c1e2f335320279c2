#include "dmft/map_spectrum.h"

#include "core/error.h"
#include "dmft/tangent_map.h"
#include "dynamics/kaplan_yorke.h"
#include "dynamics/lyapunov_spectrum.h"

#include <Eigen/Dense>
#include <cmath>
#include <deque>
#include <string>

namespace tdlab::dmft {

namespace {

using RowMat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// The embedding x_t = Phi(y_t), y_t = (A(t-L), ..., A(t-1)), differentiated: E_t [D][L M] from the
// dense Jacobian J_{t-1} of the step t-1 -> t and the slot sensitivities S_s = d m(s+1) / d A(s)
// ([2M][M]: the m^v rows then the m^k rows) of the last L steps (S_{t-L} ... S_{t-1}).
class Embedding {
  public:
    Embedding(int M, int L) : M_(M), L_(L), D_(size_t(M) + 2 * size_t(L) * size_t(M)) {}

    // Records J_{t-1} (the step that produced slot t mod L); returns false until L steps are known.
    bool push(const std::vector<double> &J, int64_t t) {
        const int slot = int(t % L_);
        Eigen::Map<const RowMat> Jm(J.data(), Eigen::Index(D_), Eigen::Index(D_));
        Eigen::MatrixXd S(2 * M_, M_);
        S.topRows(M_) = Jm.block(M_ + slot * M_, 0, M_, M_);
        S.bottomRows(M_) = Jm.block(M_ + L_ * M_ + slot * M_, 0, M_, M_);
        sens_.push_back(S);
        if (int(sens_.size()) > L_) sens_.pop_front();
        if (int(sens_.size()) < L_) return false;
        // Block i of y is A(t-L+i); it feeds slot s = t-L+1+i through S_{s-1} = sens_[i].
        E_.setZero(Eigen::Index(D_), Eigen::Index(L_ * M_));
        for (int i = 0; i < L_; ++i) {
            const int64_t s = t - L_ + 1 + i;
            const int sl = int(s % L_);
            const auto &Si = sens_[size_t(i)];
            E_.block(M_ + sl * M_, i * M_, M_, M_) = Si.topRows(M_);
            E_.block(M_ + L_ * M_ + sl * M_, i * M_, M_, M_) = Si.bottomRows(M_);
            if (i == L_ - 1) {
                E_.block(0, i * M_, M_, M_) = Jm.block(0, 0, M_, M_); // via m^q(t) and the new slot
            } else {
                E_.block(0, i * M_, M_, M_) = Jm.block(0, M_ + sl * M_, M_, M_) * Si.topRows(M_) +
                                              Jm.block(0, M_ + L_ * M_ + sl * M_, M_, M_) * Si.bottomRows(M_);
            }
        }
        return true;
    }
    double log_rho() const { return 0.5 * std::log((E_.transpose() * E_).determinant()); }
    // ln|det dA(t)/dA(t-L)|: the determinant of the delay map that advances y_t.
    double log_det_delay() const { return std::log(std::fabs(E_.block(0, 0, M_, M_).determinant())); }

  private:
    int M_, L_;
    size_t D_;
    std::deque<Eigen::MatrixXd> sens_;
    Eigen::MatrixXd E_;
};

} // namespace

MapSpectrum map_spectrum(const MeanFieldMap &map, const Context &start, const MapSpectrumOptions &opt) {
    const int M = start.M, L = start.L;
    const size_t D = state_dim(start);
    const size_t k = opt.k ? opt.k : size_t(L) * size_t(M);
    if (k > D)
        throw UsageError("lyapunov spectrum: k = " + std::to_string(k) + " exceeds the state dimension " +
                         std::to_string(D));
    if (opt.steps - 1 <= std::max(opt.transient - 1, start.t))
        throw UsageError("lyapunov spectrum: empty window (dmft.steps must exceed dmft.transient and the start's t)");
    dynamics::QrSpectrum qr(D, k);
    MeanFieldMap stepper(map.model(), map.dynamics());
    Context c = start;
    const int64_t t_tan = std::max(start.t + 1, opt.transient - opt.align);
    Eigen::MatrixXd Y(static_cast<Eigen::Index>(D), static_cast<Eigen::Index>(k));
    std::vector<double> col(D);
    Embedding emb(M, L);
    double log_det_sum = 0, log_rho_start = std::nan(""), log_rho_end = std::nan("");
    for (int64_t t = start.t + 1; t < opt.steps; ++t) {
        // A cold start fills its ring first; the tangent map needs every slot.
        if (t >= t_tan && c.filled >= L) {
            const bool acc = t >= opt.transient;
            if (opt.volume_check) {
                // J_{t-1}: the step from c (time t-1) to t.
                const auto J = jacobian(map, c);
                // E_t (the embedding at time t) pairs with the QR step t + 1: |det R_{t+1}| =
                // |det J_y(t)| rho_{t+1} / rho_t. Accumulated QR steps are t + 1 = transient .. steps - 1.
                if (emb.push(J, t)) {
                    if (t == opt.transient - 1) log_rho_start = emb.log_rho();
                    if (t >= opt.transient - 1 && t + 1 < opt.steps) log_det_sum += emb.log_det_delay();
                    log_rho_end = emb.log_rho();
                }
                qr.push(J.data(), acc);
            } else {
                const auto &Q = qr.frame();
                for (size_t j = 0; j < k; ++j) {
                    std::vector<double> v(Q.col(Eigen::Index(j)).data(), Q.col(Eigen::Index(j)).data() + D);
                    auto w = tangent_step(map, c, v);
                    for (size_t i = 0; i < D; ++i) Y(Eigen::Index(i), Eigen::Index(j)) = w[i];
                }
                qr.push_image(Y, acc);
            }
        }
        stepper.step(c);
    }
    MapSpectrum out;
    out.exponents = qr.exponents();
    out.steps = qr.steps();
    out.kaplan_yorke = dynamics::kaplan_yorke_dimension(out.exponents);
    out.final = c;
    out.mean_log_det = out.boundary = std::nan("");
    if (opt.volume_check && out.steps > 0) {
        out.mean_log_det = log_det_sum / double(out.steps);
        out.boundary = (log_rho_end - log_rho_start) / double(out.steps);
    }
    return out;
}

ConfigSchema spectrum_schema() {
    ConfigSchema s;
    s.add_bool("spectrum.enabled", false, "also compute the full Lyapunov spectrum (QR) over the window")
        .add_int("spectrum.k", 0, 0, 100000, "exponents (0: L*M, the finite ones)")
        .add_int("spectrum.align", 2000, 0, int64_t(1) << 40, "frame alignment steps before the window");
    return s;
}

MapSpectrumOptions spectrum_options_from(const Config &cfg) {
    MapSpectrumOptions o;
    o.steps = cfg.get_int("dmft.steps");
    o.transient = cfg.get_int("dmft.transient");
    o.k = size_t(cfg.get_int("spectrum.k"));
    o.align = cfg.get_int("spectrum.align");
    return o;
}

} // namespace tdlab::dmft
