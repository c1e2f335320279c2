// tdlab._core dynamics functions: the model-independent analysis of src/dynamics/ on NumPy arrays. The
// documented wrappers (shapes, units, sources) are in python/tdlab/dynamics.py.
#include "common.h"

#include "core/error.h"
#include "dynamics/chaos01.h"
#include "dynamics/lyapunov.h"
#include "dynamics/lyapunov_spectrum.h"
#include "dynamics/period.h"
#include "dynamics/quantize.h"
#include "dynamics/spectrum.h"

#include <cmath>
#include <fmt/format.h>
#include <pybind11/stl.h>

namespace tdlab::python {

namespace {

using Array = py::array_t<double, py::array::c_style | py::array::forcecast>;

std::vector<double> flat(const Array &a) {
    return std::vector<double>(a.data(), a.data() + a.size());
}

std::vector<double> vector_1d(const Array &a, const char *name) {
    if (a.ndim() != 1) throw UsageError(fmt::format("{}: expected a 1-D array, got {} dimensions", name, a.ndim()));
    return flat(a);
}

// A MapSystem that replays a recorded sequence of Jacobians J_t [T, d, d]: the state is only a clock.
struct JacobianReplay {
    std::vector<double> J;
    size_t T = 0, d = 0;
    size_t t = 0;
    dynamics::MapSystem system() {
        dynamics::MapSystem s;
        s.dim = d;
        s.step = [this](std::vector<double> &) { ++t; };
        s.jacobian = [this](const std::vector<double> &, std::vector<double> &out) {
            std::copy_n(&J[t * d * d], d * d, out.begin());
        };
        return s;
    }
};

JacobianReplay replay(const Array &jac, int64_t transient) {
    if (jac.ndim() != 3 || jac.shape(1) != jac.shape(2))
        throw UsageError("jacobians: expected an array of shape [T, d, d]");
    JacobianReplay r;
    r.T = size_t(jac.shape(0)), r.d = size_t(jac.shape(1));
    if (r.d == 0) throw UsageError("jacobians: d must be at least 1");
    if (transient < 0 || size_t(transient) >= r.T)
        throw UsageError(fmt::format("transient: must be in [0, T) with T = {}, got {}", r.T, transient));
    r.J = flat(jac);
    return r;
}

} // namespace

void bind_dynamics(py::module_ &m) {
    m.def(
        "detect_period",
        [](const Array &x, size_t max_period, size_t multiple_of, double tol) {
            if (x.ndim() != 1 && x.ndim() != 2) throw UsageError("x: expected shape [n] or [n, dim]");
            const size_t dim = x.ndim() == 2 ? size_t(x.shape(1)) : 1;
            if (multiple_of < 1) throw UsageError("multiple_of: must be at least 1");
            return dynamics::detect_period(flat(x), dim, {max_period, multiple_of, tol});
        },
        py::arg("x"), py::arg("max_period"), py::arg("multiple_of"), py::arg("tol"));
    m.def(
        "unique_bins",
        [](const Array &v, double max_y, int resolution) {
            const auto x = vector_1d(v, "values");
            if (!(max_y > 0)) throw UsageError(fmt::format("max_y: must be > 0, got {}", max_y));
            if (resolution < 1) throw UsageError("resolution: must be at least 1");
            auto bins = dynamics::unique_bins(x.data(), x.size(), 1, max_y, resolution);
            const py::ssize_t n = py::ssize_t(bins.size());
            return to_numpy(std::move(bins), {n});
        },
        py::arg("values"), py::arg("max_y"), py::arg("resolution"));
    m.def(
        "bin_values",
        [](std::vector<int64_t> bins, double max_y, int resolution) {
            auto v = dynamics::bin_values(bins, max_y, resolution);
            const py::ssize_t n = py::ssize_t(v.size());
            return to_numpy(std::move(v), {n});
        },
        py::arg("bins"), py::arg("max_y"), py::arg("resolution"));
    m.def(
        "paper_label",
        [](size_t unique_count, int resolution, int periodic_below, int chaotic_from) {
            dynamics::PaperClassifier c;
            c.resolution = resolution, c.periodic_below = periodic_below, c.chaotic_from = chaotic_from;
            return std::string(dynamics::label_name(dynamics::paper_label(unique_count, c)));
        },
        py::arg("unique_count"), py::arg("resolution"), py::arg("periodic_below"), py::arg("chaotic_from"));
    m.def(
        "poincare_filter",
        [](const Array &x, const Array &y, double tol) {
            const auto a = vector_1d(x, "x"), b = vector_1d(y, "y");
            if (a.size() != b.size()) throw UsageError("x, y: must have the same length");
            auto v = dynamics::poincare_filter(a.data(), b.data(), a.size(), 1, tol);
            const py::ssize_t n = py::ssize_t(v.size());
            return to_numpy(std::move(v), {n});
        },
        py::arg("x"), py::arg("y"), py::arg("tol"));
    m.def(
        "chaos01",
        [](const Array &phi, int num_c, double ncut_frac, int num_n, uint64_t seed) {
            dynamics::Chaos01Options o;
            o.num_c = num_c, o.ncut_frac = ncut_frac, o.num_n = num_n, o.seed = seed;
            const auto x = vector_1d(phi, "phi");
            py::gil_scoped_release nogil;
            return dynamics::chaos01(x, o);
        },
        py::arg("phi"), py::arg("num_c"), py::arg("ncut_frac"), py::arg("num_n"), py::arg("seed"));
    m.def(
        "power_spectrum",
        [](const Array &x) {
            auto p = dynamics::power_spectrum(vector_1d(x, "x"));
            const py::ssize_t n = py::ssize_t(p.size());
            return to_numpy(std::move(p), {n});
        },
        py::arg("x"));
    m.def(
        "autocorrelation",
        [](const Array &x, size_t max_lag) {
            const auto v = vector_1d(x, "x");
            if (max_lag >= v.size() && !v.empty())
                throw UsageError(fmt::format("max_lag: must be below len(x) = {}, got {}", v.size(), max_lag));
            auto r = dynamics::autocorrelation(v, max_lag);
            const py::ssize_t n = py::ssize_t(r.size());
            return to_numpy(std::move(r), {n});
        },
        py::arg("x"), py::arg("max_lag"));
    m.def(
        "spectral_entropy", [](const Array &p) { return dynamics::spectral_entropy(vector_1d(p, "power")); },
        py::arg("power"));
    m.def(
        "largest_lyapunov",
        [](const Array &jac, int64_t transient, int renorm_every) {
            JacobianReplay r = replay(jac, transient);
            dynamics::LyapunovOptions o;
            o.transient = transient, o.steps = int64_t(r.T) - transient, o.renorm_every = renorm_every;
            std::vector<double> x(r.d, 0.0);
            py::gil_scoped_release nogil;
            return dynamics::largest_lyapunov(r.system(), x, o);
        },
        py::arg("jacobians"), py::arg("transient"), py::arg("renorm_every"));
    m.def(
        "lyapunov_spectrum",
        [](const Array &jac, size_t k, int64_t transient) {
            JacobianReplay r = replay(jac, transient);
            if (k < 1 || k > r.d) throw UsageError(fmt::format("k: must be in [1, d = {}], got {}", r.d, k));
            std::vector<double> s;
            {
                py::gil_scoped_release nogil;
                dynamics::QrSpectrum qr(r.d, k);
                for (size_t t = 0; t < r.T; ++t) qr.push(&r.J[t * r.d * r.d], t >= size_t(transient));
                s = qr.exponents();
            }
            const py::ssize_t n = py::ssize_t(s.size());
            return to_numpy(std::move(s), {n});
        },
        py::arg("jacobians"), py::arg("k"), py::arg("transient"));
}

} // namespace tdlab::python
