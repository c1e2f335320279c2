#include "scansnap/outputs.h"

#include "core/atomic_file.h"
#include "core/npy.h"
#include "scansnap/metrics.h"
#include "scansnap/theory.h"

#include <cmath>
#include <fmt/format.h>

namespace tdlab::scansnap {

namespace fs = std::filesystem;

std::vector<double> attention_history(const SeqClasses &data, const std::vector<double> &z_rows, size_t records) {
    const int M = data.M(), K = data.K(), Q = data.num_queries();
    std::vector<double> c(records * size_t(K) * M);
    for (size_t t = 0; t < records; ++t)
        for (int n = 0; n < K; ++n) {
            const SeqClass &cl = data.cls(n);
            const double *z = &z_rows[(t * Q + size_t(cl.query - data.last_offset())) * M];
            auto cn = attention_c(cl, z, M);
            std::copy(cn.begin(), cn.end(), &c[(t * K + n) * size_t(M)]);
        }
    return c;
}

std::vector<std::vector<double>> c_entropy_history(const SeqClasses &data, const std::vector<double> &c,
                                                   size_t records) {
    const int K = data.K(), M = data.M();
    std::vector<std::vector<double>> out(static_cast<size_t>(K));
    for (int n = 0; n < K; ++n) {
        const SeqClass &cl = data.cls(n);
        for (size_t t = 0; t < records; ++t) {
            const double *cn = &c[(t * size_t(K) + size_t(n)) * size_t(M)];
            double s = 0, h = 0;
            for (size_t k = 0; k < cl.support.size(); ++k)
                if (cl.distinct[k]) s += cn[size_t(cl.support[k])];
            for (size_t k = 0; k < cl.support.size(); ++k)
                if (cl.distinct[k] && cn[size_t(cl.support[k])] > 0) {
                    const double q = cn[size_t(cl.support[k])] / s;
                    h -= q * std::log(q);
                }
            out[size_t(n)].push_back(h);
        }
    }
    return out;
}

std::vector<double> write_train_outputs(const fs::path &dir, const TrainParams &p, const TrainResult &r) {
    const SeqClasses data(p.data);
    const int M = data.M(), K = data.K(), Q = data.num_queries();
    const size_t T = size_t(r.niter);
    write_npy(dir / "loss.npy", r.loss, {T});
    if (!r.gamma_proxy.empty()) write_npy(dir / "gamma_proxy.npy", r.gamma_proxy, {T});
    write_npy(dir / "Y_final.npy", r.final_params.Y, {size_t(M), size_t(M)});
    write_npy(dir / "Z_final.npy", r.final_params.Z, {size_t(M), size_t(M)});
    std::string csv = "iter,loss,gamma_proxy,entropy_distinct_mean,entropy_full_mean\n";
    std::string jsonl;
    std::vector<double> c;
    if (!r.z_rows.empty()) {
        const size_t R = T + 1;
        write_npy(dir / "z_rows.npy", r.z_rows, {R, size_t(Q), size_t(M)});
        c = attention_history(data, r.z_rows, R);
        write_npy(dir / "c.npy", c, {R, size_t(K), size_t(M)});
        std::vector<double> ent(R * K * 2);
        for (size_t t = 0; t < R; ++t) {
            double md = 0, mf = 0;
            for (int n = 0; n < K; ++n) {
                const SeqClass &cl = data.cls(n);
                const double *z = &r.z_rows[(t * Q + size_t(cl.query - data.last_offset())) * M];
                ent[(t * K + n) * 2] = distinct_entropy(cl, z, M);
                ent[(t * K + n) * 2 + 1] = full_entropy(cl, z, M);
                md += ent[(t * K + n) * 2] / K;
                mf += ent[(t * K + n) * 2 + 1] / K;
            }
            const double loss = t < T ? r.loss[t] : NAN;
            const double gp = t < T && !r.gamma_proxy.empty() ? r.gamma_proxy[t] : NAN;
            csv += fmt::format("{},{},{},{},{}\n", t, loss, gp, md, mf);
            if (t < T)
                jsonl += fmt::format("{{\"iter\": {}, \"loss\": {}, \"gamma_proxy\": {}, \"entropy_distinct\": {}}}\n",
                                     t, loss, std::isnan(gp) ? std::string("null") : fmt::format("{}", gp), md);
        }
        write_npy(dir / "entropy.npy", ent, {R, size_t(K), 2});
    } else {
        for (size_t t = 0; t < T; ++t) {
            csv += fmt::format("{},{},{},,\n", t, r.loss[t], r.gamma_proxy.empty() ? NAN : r.gamma_proxy[t]);
            jsonl += fmt::format("{{\"iter\": {}, \"loss\": {}}}\n", t, r.loss[t]);
        }
    }
    write_file_atomic(dir / "curves.csv", csv);
    write_file_atomic(dir / "metrics.jsonl", jsonl);
    return c;
}

Transitions write_theory_outputs(const fs::path &dir, const TheoryCurveParams &p) {
    std::vector<double> rows;
    std::string csv = "t,h_per_class,gamma,Gamma,B,chi_upper,h\n";
    for (int i = 0; i < p.points; ++i) {
        const double t = p.points == 1 ? 0.0 : p.t_max * i / (p.points - 1);
        const double hk = theory::h(t / p.K, p.M, p.eta_y), g = theory::gamma(t, p.M, p.K, p.eta_y);
        const double G = theory::big_gamma(t, p.M, p.K, p.eta_y, p.eta_z);
        const double B = theory::B(t, p.M, p.K, p.eta_y, p.eta_z, p.C0), ht = theory::h(t, p.M, p.eta_y);
        const double row[7] = {t, hk, g, G, B, theory::chi_upper(B), ht};
        rows.insert(rows.end(), row, row + 7);
        csv += fmt::format("{},{},{},{},{},{},{}\n", t, hk, g, G, B, row[5], ht);
    }
    write_npy(dir / "curves.npy", rows, {size_t(p.points), 7});
    write_file_atomic(dir / "curves.csv", csv);
    const int smax = int(std::ceil(p.t_max));
    const auto hs = theory::h_star(smax, p.M, p.eta_y);
    std::vector<double> hsr;
    std::string hcsv = "s,h_star,h\n";
    for (int s = 0; s <= smax; ++s) {
        const double hc = theory::h(s, p.M, p.eta_y);
        hsr.insert(hsr.end(), {double(s), hs[size_t(s)], hc});
        hcsv += fmt::format("{},{},{}\n", s, hs[size_t(s)], hc);
    }
    write_npy(dir / "h_star.npy", hsr, {size_t(smax) + 1, 3});
    write_file_atomic(dir / "h_star.csv", hcsv);
    Transitions tr;
    tr.omega1 = p.M >= 3 ? theory::omega1(p.M) : NAN;
    tr.t0 = theory::t0(p.M, p.K, p.eta_y);
    tr.t0_prime = theory::t0_prime(p.M, p.K, p.eta_y);
    tr.B_t0 = theory::B(tr.t0, p.M, p.K, p.eta_y, p.eta_z, p.C0);
    write_file_atomic(dir / "transitions.csv",
                      fmt::format("omega1,t0_prime,t0,B_t0\n{},{},{},{}\n", tr.omega1, tr.t0_prime, tr.t0, tr.B_t0));
    return tr;
}

void write_population_outputs(const fs::path &dir, const PopulationResult &r) {
    write_npy(dir / "population_t.npy", r.t, {r.t.size()});
    write_npy(dir / "population_z.npy", r.z_rows, {r.t.size(), size_t(r.num_queries), size_t(r.M)});
    write_npy(dir / "population_err.npy", r.err, {r.err.size()});
}

void write_sweep_outputs(const fs::path &dir, const SweepGrid &grid, const SweepResult &r) {
    std::string csv = "num_last,lr_z,ratio,mean,std,seeds\n", runs = "num_last,lr_z,ratio,seed,entropy,full_entropy\n",
                rec = "num_last,lr_z,ratio,theta,recall\n";
    for (const auto &c : r.cells) {
        csv += fmt::format("{},{},{},{:.6f},{:.6f},{}\n", c.num_last, c.lr_z, c.ratio, c.mean, c.std, c.entropy.size());
        for (size_t s = 0; s < c.entropy.size(); ++s)
            runs += fmt::format("{},{},{},{},{:.9g},{:.9g}\n", c.num_last, c.lr_z, c.ratio, s + 1, c.entropy[s],
                                c.full_entropy[s]);
        for (size_t k = 0; k < c.thetas.size(); ++k)
            rec += fmt::format("{},{},{},{:.6g},{:.6g}\n", c.num_last, c.lr_z, c.ratio, c.thetas[k], c.recall[k]);
    }
    write_file_atomic(dir / "entropy.csv", csv);
    write_file_atomic(dir / "entropy_runs.csv", runs);
    write_file_atomic(dir / "recall.csv", rec);
    for (size_t il = 0; il < grid.num_last.size(); ++il) {
        write_npy(
            dir / fmt::format("z_final_nl{}.npy", grid.num_last[il]), r.z_final[il],
            {grid.lr_z.size(), grid.ratio.size(), size_t(grid.seeds), size_t(grid.num_last[il]), size_t(r.M[il])});
    }
}

ConfigSchema theory_schema() {
    ConfigSchema s = data_schema();
    s.add_int("theory.M", 1000, 3, 100000000, "vocabulary size M")
        .add_int("theory.K", 10, 1, 1000000, "number of classes K")
        .add_double("theory.eta_y", 1.0, 1e-12, 1e6, "decoder rate eta_Y")
        .add_double("theory.eta_z", 0.5, 0.0, 1e6, "attention rate eta_Z")
        .add_double("theory.C0", 1.0, 1e-12, 1e12, "constant C_0 of B_n = 1/4 ln(C_0 + 4 Gamma) (docs/scansnap.md)")
        .add_double("theory.t_max", 700, 0.0, 1e12, "last time (batch-size-1 steps)")
        .add_int("theory.points", 701, 1, 10000000, "number of time points in [0, t_max]")
        .add_bool("population.enable", false, "also integrate the population (T -> infinity) ODE on the data.* classes")
        .add_double("population.eta_y", 1.0, 0.0, 1e6, "eta_Y of the population run")
        .add_double("population.eta_z", 1.0, 0.0, 1e6, "eta_Z of the population run")
        .add_int("population.steps", 2000, 0, 1 << 30, "Euler steps (batch-size-1 time)")
        .add_int("population.record_every", 10, 1, 1 << 30, "record Z every k steps");
    return s;
}

TheoryCurveParams theory_curve_params_from(const Config &cfg) {
    TheoryCurveParams tp;
    tp.M = int(cfg.get_int("theory.M"));
    tp.K = int(cfg.get_int("theory.K"));
    tp.eta_y = cfg.get_double("theory.eta_y");
    tp.eta_z = cfg.get_double("theory.eta_z");
    tp.C0 = cfg.get_double("theory.C0");
    tp.t_max = cfg.get_double("theory.t_max");
    tp.points = int(cfg.get_int("theory.points"));
    return tp;
}

std::optional<PopulationParams> population_params_from(const Config &cfg) {
    if (!cfg.get_bool("population.enable")) return std::nullopt;
    PopulationParams pp;
    pp.data = data_params_from(cfg);
    pp.eta_y = cfg.get_double("population.eta_y");
    pp.eta_z = cfg.get_double("population.eta_z");
    pp.steps = int(cfg.get_int("population.steps"));
    pp.record_every = int(cfg.get_int("population.record_every"));
    return pp;
}

} // namespace tdlab::scansnap
