// One table of cases for every implementation of the mean-field step (docs/dmft_map.md, "Where the step
// is implemented"): the generic and fixed-size scalar map, the batched kernel on its scalar, SSE2, AVX and
// AVX-512 paths, the tangent map, and the shared tail that the finite-N network calls. In the style of
// ggml's test-backend-ops: each case names its parameters and the relation it checks, one runner
// evaluates it and prints both, so a failure says which path broke and how far off it is.
//
// Relations: "bit-identical" compares every double of the outputs with memcmp (the paths promise the
// same operation order, and the build has no FMA contraction); "within tol" bounds a max abs error.
#include "dmft/batched_map.h"
#include "dmft/context.h"
#include "dmft/tangent_map.h"
#include "dmft/trajectory.h"
#include "dynamics/lyapunov.h"

#include <cmath>
#include <cstring>
#include <functional>
#include <gtest/gtest.h>
#include <sstream>
#include <string>
#include <vector>

using namespace tdlab;
using namespace tdlab::dmft;

namespace {

enum class Relation { BitIdentical, WithinTol };

struct Outcome {
    bool skipped = false;
    std::string skip_reason;
    size_t compared = 0;   // doubles compared
    size_t mismatched = 0; // BitIdentical: doubles whose bytes differ
    double max_err = 0.0;  // WithinTol: max |got - want| (relative where the case says so)
    uint64_t hash = 0;     // golden cases: FNV-1a of the outputs
    std::string detail;    // first mismatch, or extra numbers
};

struct PathCase {
    std::string name;     // gtest name
    std::string params;   // printed
    std::string relation; // printed: what is compared with what
    Relation kind = Relation::BitIdentical;
    double tol = 0.0;
    std::function<Outcome()> run;
};

// Compares `got` with `want` element by element (bytes for BitIdentical, abs error otherwise).
void compare(Outcome &o, const std::vector<double> &got, const std::vector<double> &want, const std::string &what) {
    if (got.size() != want.size()) {
        o.mismatched += std::max(got.size(), want.size());
        if (o.detail.empty()) o.detail = what + ": sizes differ";
        return;
    }
    for (size_t k = 0; k < got.size(); ++k) {
        ++o.compared;
        if (std::memcmp(&got[k], &want[k], sizeof(double)) != 0) {
            ++o.mismatched;
            if (o.detail.empty()) {
                std::ostringstream s;
                s.precision(17);
                s << what << "[" << k << "]: " << got[k] << " vs " << want[k];
                o.detail = s.str();
            }
        }
        o.max_err = std::max(o.max_err, std::fabs(got[k] - want[k]));
    }
}

uint64_t fnv1a(uint64_t h, const void *data, size_t bytes) {
    const auto *p = static_cast<const unsigned char *>(data);
    for (size_t k = 0; k < bytes; ++k) h = (h ^ p[k]) * 0x100000001b3ULL;
    return h;
}
uint64_t hash_lanes(const std::vector<LaneOutput> &out) {
    uint64_t h = 0xcbf29ce484222325ULL;
    auto add = [&](const std::vector<double> &v) { h = fnv1a(h, v.data(), v.size() * sizeof(double)); };
    for (const auto &o : out) {
        add(o.mo_se);
        add(o.final.att);
        add(o.final.mq);
        add(o.final.mv);
        add(o.final.mk);
        h = fnv1a(h, &o.lyapunov, sizeof(double));
        h = fnv1a(h, &o.max_abs, sizeof(double));
    }
    return h;
}

const DmftModel &paper_model(const std::string &form = "correlations") {
    static const DmftModel corr = DmftModel::build(ModelParams{});
    static const DmftModel types = [] {
        ModelParams p;
        p.form = "site_types";
        return DmftModel::build(p);
    }();
    return form == "site_types" ? types : corr;
}

// A model off the paper's sizes (M = 4, L = 8, P = 8): the batched kernel's runtime-size loops and
// the scalar map's generic path.
const DmftModel &wide_model() {
    static const DmftModel m = [] {
        ModelParams p;
        p.M = 4;
        p.N = 96;
        p.NP = 3;
        p.L = 8;
        p.weights = "iid";
        return DmftModel::build(p);
    }();
    return m;
}

// A full context of `model` at beta: the published zoom checkpoint for the paper's model, otherwise
// a cold start run until the ring buffer is full.
Context start_for(const DmftModel &model, const DynamicsParams &d) {
    MeanFieldMap map(model, d);
    if (model.params.M == 3 && model.params.L == 4) return start_context("zoom", map);
    Context c = map.cold_start();
    for (int k = 0; k < 2 * model.params.L; ++k) map.step(c);
    return c;
}

std::vector<LaneSpec> lanes_for(const DmftModel &model, const std::vector<double> &betas) {
    std::vector<LaneSpec> lanes;
    for (double b : betas) {
        DynamicsParams d;
        d.beta = b;
        lanes.push_back({d, start_for(model, d)});
    }
    return lanes;
}

std::string list(const std::vector<double> &v) {
    std::ostringstream s;
    for (size_t k = 0; k < v.size(); ++k) s << (k ? "," : "") << v[k];
    return s.str();
}

// A path is available when this build and CPU can run it (simd_path_from_name refuses it otherwise).
bool path_available(SimdPath p) {
    if (p == SimdPath::Scalar) return true;
    try {
        return simd_path_from_name(simd_path_name(p)) == p;
    } catch (const std::exception &) {
        return false;
    }
}

// --- case builders -------------------------------------------------------------------------------

// The fixed-size scalar path (M = 3, L = 4 unrolled) against the generic one: 20 000 chaotic steps at
// beta = 1.28 from the cold start, where any reordering shows within a few hundred steps.
PathCase fixed_vs_generic(const std::string &form) {
    PathCase c;
    c.name = "FixedVsGeneric_" + form;
    c.params = "form=" + form + " beta=1.28 cold start, 20000 steps";
    c.relation = "MeanFieldMap fixed-size <3,4> path vs generic path: A-hat, mo_se, m^k of every step";
    c.run = [form] {
        const DmftModel &model = paper_model(form);
        const DynamicsParams d{1.28, 220.0, 0.02};
        MeanFieldMap fast(model, d), slow(model, d);
        slow.force_generic(true);
        Context a = fast.cold_start(), b = slow.cold_start();
        std::vector<double> ga, wa;
        Outcome o;
        for (int step = 0; step < 20000; ++step) {
            StepRecord ra = fast.step(a), rb = slow.step(b);
            ga.assign(ra.att, ra.att + 3);
            ga.insert(ga.end(), ra.mo_se, ra.mo_se + 3);
            ga.insert(ga.end(), ra.mk, ra.mk + 3);
            wa.assign(rb.att, rb.att + 3);
            wa.insert(wa.end(), rb.mo_se, rb.mo_se + 3);
            wa.insert(wa.end(), rb.mk, rb.mk + 3);
            compare(o, ga, wa, "step " + std::to_string(step) + " (att, mo_se, mk)");
        }
        return o;
    };
    return c;
}

// The batched kernel's scalar path (std::tanh / std::exp, exact divisions) against MeanFieldMap::step:
// every recorded mo_se and the final context.
PathCase batched_scalar_vs_map(const std::string &model_name, const std::vector<double> &betas) {
    PathCase c;
    c.name = "BatchedScalarVsMap_" + model_name;
    const bool wide = model_name == "wide";
    c.params = std::string(wide ? "M=4 L=8 P=8 iid weights" : "paper model (M=3 L=4), zoom checkpoint") + ", betas {" +
               list(betas) + "}, steps 3000, window from 2000";
    c.relation = "run_batch(path=scalar) vs MeanFieldMap::step: window mo_se, final A-hat, m^v, m^k, t";
    c.run = [wide, betas] {
        const DmftModel &model = wide ? wide_model() : paper_model();
        BatchOptions opt;
        opt.steps = 3000;
        opt.transient = 2000;
        opt.path = SimdPath::Scalar;
        const auto out = run_batch(model, lanes_for(model, betas), opt);
        Outcome o;
        for (size_t l = 0; l < betas.size(); ++l) {
            DynamicsParams d;
            d.beta = betas[l];
            MeanFieldMap map(model, d);
            Context ctx = start_for(model, d);
            const Trajectory tr = run_trajectory(map, ctx, TrajectoryOptions{opt.steps, opt.transient, 1});
            const std::string b = "beta " + std::to_string(betas[l]) + " ";
            compare(o, out[l].mo_se, tr.mo_se, b + "mo_se");
            compare(o, out[l].final.att, ctx.att, b + "final att");
            compare(o, out[l].final.mv, ctx.mv, b + "final mv");
            compare(o, out[l].final.mk, ctx.mk, b + "final mk");
            compare(o, {double(out[l].final.t)}, {double(ctx.t)}, b + "final t");
        }
        return o;
    };
    return c;
}

// A SLEEF path against the batched scalar path over a short window (before chaotic columns diverge):
// the only difference is tanh (3.5 ulp) / exp (1 ulp) and one reciprocal per step.
PathCase sleef_vs_scalar(SimdPath p, const std::vector<double> &betas, double tol) {
    PathCase c;
    c.name = std::string("SleefVsScalar_") + simd_path_name(p);
    c.params = std::string("path=") + simd_path_name(p) + ", paper model, zoom checkpoint, betas {" + list(betas) +
               "}, steps 104, window from 4";
    c.relation = std::string(simd_path_name(p)) + " vs batched scalar path: window mo_se";
    c.kind = Relation::WithinTol;
    c.tol = tol;
    c.run = [p, betas] {
        Outcome o;
        if (!path_available(p)) {
            o.skipped = true;
            o.skip_reason = std::string(simd_path_name(p)) + " not available (build or CPU)";
            return o;
        }
        BatchOptions opt;
        opt.steps = 104;
        opt.transient = 4;
        opt.path = SimdPath::Scalar;
        const auto ref = run_batch(paper_model(), lanes_for(paper_model(), betas), opt);
        opt.path = p;
        const auto got = run_batch(paper_model(), lanes_for(paper_model(), betas), opt);
        for (size_t l = 0; l < betas.size(); ++l) compare(o, got[l].mo_se, ref[l].mo_se, "mo_se");
        o.mismatched = 0; // a tolerance case
        return o;
    };
    return c;
}

// Two SLEEF paths run the same non-FMA algorithm at different vector widths: the same bits, including
// the tangent vector and the largest exponent.
PathCase sleef_vs_sse2(SimdPath p, const std::string &model_name) {
    PathCase c;
    c.name = std::string("SleefBits_") + simd_path_name(p) + "_vs_sse2_" + model_name;
    const bool wide = model_name == "wide";
    c.params = std::string("path=") + simd_path_name(p) + ", " + (wide ? "M=4 L=8 P=8" : "paper model") +
               ", 20 betas in [0.2, 2.86] (a 32-lane block), steps 3000, window 2000, lyapunov on";
    c.relation = std::string(simd_path_name(p)) + " vs sse2: window mo_se, lambda_1, max |m^o|, final context";
    c.run = [p, wide] {
        Outcome o;
        if (!path_available(p) || !path_available(SimdPath::Sse2)) {
            o.skipped = true;
            o.skip_reason = std::string(simd_path_name(p)) + " not available (build or CPU)";
            return o;
        }
        const DmftModel &model = wide ? wide_model() : paper_model();
        std::vector<double> betas;
        for (int k = 0; k < 20; ++k) betas.push_back(0.2 + 0.14 * k);
        BatchOptions opt;
        opt.steps = 3000;
        opt.transient = 2000;
        opt.lyap_align = 500;
        opt.lyapunov = true;
        opt.path = SimdPath::Sse2;
        const auto ref = run_batch(model, lanes_for(model, betas), opt);
        opt.path = p;
        const auto got = run_batch(model, lanes_for(model, betas), opt);
        for (size_t l = 0; l < betas.size(); ++l) {
            compare(o, got[l].mo_se, ref[l].mo_se, "mo_se");
            compare(o, {got[l].lyapunov, got[l].max_abs}, {ref[l].lyapunov, ref[l].max_abs}, "lyapunov, max_abs");
            compare(o, got[l].final.att, ref[l].final.att, "final att");
            compare(o, got[l].final.mv, ref[l].final.mv, "final mv");
        }
        return o;
    };
    return c;
}

// Every SLEEF path's outputs against a hash recorded with the kernel as it was before block_step was
// split into the named steps of mean_field_map.h: a refactor of the kernel must not move a bit. The scalar
// path is held by BatchedScalarVsMap instead (its std::tanh / std::exp come from the C library).
struct Golden {
    const char *model;
    uint64_t hash;
};
PathCase golden(SimdPath p, Golden g) {
    PathCase c;
    const bool wide = std::string(g.model) == "wide";
    c.name = std::string("Golden_") + simd_path_name(p) + "_" + g.model;
    c.params = std::string("path=") + simd_path_name(p) + ", " + (wide ? "M=4 L=8 P=8 iid" : "paper model") +
               ", 20 betas in [0.2, 2.86], steps 3000, window 2000, lyapunov on";
    c.relation = "FNV-1a of (mo_se, final context, lambda_1, max |m^o|) of every lane == recorded hash";
    c.run = [p, wide, g] {
        Outcome o;
        if (!path_available(p)) {
            o.skipped = true;
            o.skip_reason = std::string(simd_path_name(p)) + " not available (build or CPU)";
            return o;
        }
        const DmftModel &model = wide ? wide_model() : paper_model();
        std::vector<double> betas;
        for (int k = 0; k < 20; ++k) betas.push_back(0.2 + 0.14 * k);
        BatchOptions opt;
        opt.steps = 3000;
        opt.transient = 2000;
        opt.lyap_align = 500;
        opt.lyapunov = true;
        opt.path = p;
        o.hash = hash_lanes(run_batch(model, lanes_for(model, betas), opt));
        o.compared = 1;
        o.mismatched = o.hash != g.hash;
        std::ostringstream s;
        s << std::hex << "hash 0x" << o.hash << ", recorded 0x" << g.hash;
        o.detail = s.str();
        return o;
    };
    return c;
}

// The analytic Jacobian (tangent_map.h) against central finite differences of one step.
PathCase tangent_vs_fd(double beta) {
    PathCase c;
    c.name = "TangentVsFiniteDifferences_beta" + std::to_string(int(std::lround(beta * 100)));
    c.params = "beta=" + std::to_string(beta) + ", zoom checkpoint + 37 steps, h=1e-6, D=27";
    c.relation = "jacobian() vs central differences: max |J - J_fd| / max(1, max |J|)";
    c.kind = Relation::WithinTol;
    c.tol = 1e-5;
    c.run = [beta] {
        DynamicsParams dyn;
        dyn.beta = beta;
        MeanFieldMap map(paper_model(), dyn);
        Context ctx = start_context("zoom", map);
        for (int k = 0; k < 37; ++k) map.step(ctx); // an arbitrary phase and state
        const auto J = jacobian(map, ctx);
        auto f = [&](std::vector<double> &x) {
            Context cc = ctx;
            unpack_state(x, cc);
            MeanFieldMap m2(paper_model(), dyn);
            m2.step(cc);
            x = pack_state(cc);
        };
        const auto Jfd = dynamics::finite_difference_jacobian(f, pack_state(ctx), 1e-6);
        Outcome o;
        double maxabs = 0, maxerr = 0;
        for (size_t i = 0; i < J.size(); ++i) {
            maxabs = std::max(maxabs, std::fabs(J[i]));
            maxerr = std::max(maxerr, std::fabs(J[i] - Jfd[i]));
        }
        o.compared = J.size();
        o.max_err = maxerr / std::max(1.0, maxabs);
        o.detail = "max |J| = " + std::to_string(maxabs);
        if (maxabs < 1.0) { // the slot copies give exact 1s: a Jacobian without them is wrong
            o.max_err = INFINITY;
            o.detail += " < 1";
        }
        return o;
    };
    return c;
}

// The batched kernel's tangent vector against the generic Benettin estimate built on jacobian(): the
// same trajectory (the scalar path is bit-identical to MeanFieldMap), the same renormalisation grid.
PathCase batched_tangent_vs_benettin() {
    PathCase c;
    c.name = "BatchedTangentVsBenettin";
    c.params = "beta=1.4 (chaotic), zoom checkpoint, steps 30000, window 20000, align 2000, renorm every 8";
    c.relation = "run_batch(scalar, lyapunov) lambda_1 vs largest_lyapunov(jacobian): relative error";
    c.kind = Relation::WithinTol;
    c.tol = 1e-6;
    c.run = [] {
        DynamicsParams dyn;
        dyn.beta = 1.4;
        MeanFieldMap map(paper_model(), dyn);
        Context ctx = start_context("zoom", map);
        BatchOptions opt;
        opt.steps = 30000;
        opt.transient = 10000;
        opt.lyapunov = true;
        opt.lyap_align = 2000;
        opt.path = SimdPath::Scalar;
        const auto out = run_batch(paper_model(), {LaneSpec{dyn, ctx}}, opt);
        Context cc = ctx;
        for (int64_t t = ctx.t + 1; t < opt.transient - opt.lyap_align; ++t) map.step(cc);
        dynamics::MapSystem sys;
        sys.dim = state_dim(cc);
        sys.step = [&](std::vector<double> &x) {
            unpack_state(x, cc);
            map.step(cc);
            x = pack_state(cc);
        };
        sys.jacobian = [&](const std::vector<double> &, std::vector<double> &J) { J = jacobian(map, cc); };
        std::vector<double> x = pack_state(cc);
        const double ref = dynamics::largest_lyapunov(sys, x, {opt.lyap_align, opt.steps - opt.transient, 8});
        Outcome o;
        o.compared = 1;
        o.max_err = std::fabs(out[0].lyapunov - ref) / std::max(1e-3, std::fabs(ref));
        o.detail = "lambda_1 = " + std::to_string(out[0].lyapunov) + ", reference " + std::to_string(ref);
        if (!(ref > 0.01)) o.max_err = INFINITY; // beta = 1.4 is chaotic: a non-positive exponent is wrong
        return o;
    };
    return c;
}

// The shared tail steps 3-5 (step_with_semantic), which the finite-N network feeds with its sampled
// overlaps, given the map's own semantic overlaps (steps 1-2, semantic_overlaps) is the map's step.
PathCase network_tail_vs_map(const std::string &model_name) {
    PathCase c;
    const bool wide = model_name == "wide";
    c.name = "NetworkTailVsMap_" + model_name;
    c.params = std::string(wide ? "M=4 L=8 P=8" : "paper model") + ", beta=1.27, 500 steps";
    c.relation = "step_with_semantic(semantic_overlaps(A)) vs step(): A-hat, m^q and the slots, every step";
    c.run = [wide] {
        const DmftModel &model = wide ? wide_model() : paper_model();
        const DynamicsParams d{1.27, 220.0, 0.02};
        MeanFieldMap a(model, d), b(model, d);
        Context ca = start_for(model, d), cb = ca;
        const int M = model.params.M;
        std::vector<double> sem(size_t(kNumAlpha) * size_t(M));
        Outcome o;
        for (int step = 0; step < 500; ++step) {
            a.step(ca);
            const auto ov = b.semantic_overlaps(cb.att);
            for (int al = 0; al < kNumAlpha; ++al) std::copy(ov[al].begin(), ov[al].end(), sem.begin() + long(al) * M);
            b.step_with_semantic(cb, sem.data());
            compare(o, cb.att, ca.att, "step " + std::to_string(step) + " att");
            compare(o, cb.mq, ca.mq, "mq");
            compare(o, cb.mv, ca.mv, "mv");
            compare(o, cb.mk, ca.mk, "mk");
        }
        return o;
    };
    return c;
}

// Recorded with the kernel before its split into named steps (see Golden above).
constexpr Golden kGoldenPaper{"paper", 0xa30388cfc1d1fd8dULL};
constexpr Golden kGoldenWide{"wide", 0xd73d47689c328535ULL};
constexpr Golden kGoldenAvx2Paper{"paper", 0x0966f82c614b715fULL};
constexpr Golden kGoldenAvx2Wide{"wide", 0xddee9cf94c6ae068ULL};

std::vector<PathCase> all_cases() {
    const std::vector<double> betas{0.5, 1.255, 1.27, 1.4, 2.0, 3.0};
    std::vector<PathCase> cases;
    cases.push_back(fixed_vs_generic("correlations"));
    cases.push_back(fixed_vs_generic("site_types"));
    cases.push_back(batched_scalar_vs_map("paper", betas));
    cases.push_back(batched_scalar_vs_map("wide", {0.5, 1.27, 3.0}));
    for (SimdPath p : {SimdPath::Sse2, SimdPath::Avx, SimdPath::Avx2, SimdPath::Avx512})
        cases.push_back(sleef_vs_scalar(p, {0.5, 1.255, 1.27, 1.4, 2.0, 3.0, 1.0, 1.1}, 1e-9));
    for (const char *model : {"paper", "wide"}) cases.push_back(sleef_vs_sse2(SimdPath::Avx, model));
    for (SimdPath p : {SimdPath::Sse2, SimdPath::Avx}) {
        cases.push_back(golden(p, kGoldenPaper));
        cases.push_back(golden(p, kGoldenWide));
    }
    // avx2 and avx512 (SLEEF's FMA builds, 4 and 8 lanes) share bytes of their own, recorded with avx2.
    for (SimdPath p : {SimdPath::Avx2, SimdPath::Avx512}) {
        cases.push_back(golden(p, kGoldenAvx2Paper));
        cases.push_back(golden(p, kGoldenAvx2Wide));
    }
    for (double beta : {1.0, 1.27, 2.5}) cases.push_back(tangent_vs_fd(beta));
    cases.push_back(batched_tangent_vs_benettin());
    cases.push_back(network_tail_vs_map("paper"));
    cases.push_back(network_tail_vs_map("wide"));
    return cases;
}

// gtest prints a failing parameter: its name, not its bytes.
void PrintTo(const PathCase &c, std::ostream *os) {
    *os << c.name;
}

class MapPaths : public ::testing::TestWithParam<PathCase> {};

// The one runner: evaluates the case, prints what it checked and how close it came.
TEST_P(MapPaths, Holds) {
    const PathCase &c = GetParam();
    const Outcome o = c.run();
    std::printf("  [%s]\n    params:   %s\n    relation: %s (%s)\n", c.name.c_str(), c.params.c_str(),
                c.relation.c_str(),
                c.kind == Relation::BitIdentical ? "bit-identical" : ("within " + std::to_string(c.tol)).c_str());
    if (o.skipped) GTEST_SKIP() << o.skip_reason;
    std::printf("    result:   %zu compared, %zu differ, max err %.3g%s%s\n", o.compared, o.mismatched, o.max_err,
                o.detail.empty() ? "" : "; ", o.detail.c_str());
    ASSERT_GT(o.compared, 0u) << c.name << ": nothing compared";
    if (c.kind == Relation::BitIdentical) {
        EXPECT_EQ(o.mismatched, 0u) << c.name << ": " << o.detail;
    } else {
        EXPECT_LE(o.max_err, c.tol) << c.name << ": " << o.detail;
    }
}

INSTANTIATE_TEST_SUITE_P(Table, MapPaths, ::testing::ValuesIn(all_cases()),
                         [](const ::testing::TestParamInfo<PathCase> &info) { return info.param.name; });

} // namespace
