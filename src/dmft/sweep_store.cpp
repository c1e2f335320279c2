#include "dmft/sweep_store.h"

#include "core/atomic_file.h"
#include "core/error.h"

#include <cstdlib>

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace tdlab::dmft {

namespace fs = std::filesystem;

size_t spectrum_width(const SweepResults &r) {
    if (r.points.empty() || r.points.front().spectrum.empty()) return 0;
    const size_t k = r.points.front().spectrum.size();
    for (const auto &p : r.points)
        if (p.spectrum.size() != k) throw RuntimeError("sweep results: points hold spectra of different lengths");
    return k;
}

NpzMap results_to_npz(const SweepResults &r) {
    const size_t n = r.points.size();
    std::vector<double> f64[10];
    std::vector<int64_t> i64[6];
    size_t keep = 0;
    for (const auto &p : r.points) keep = std::max(keep, p.points.size());
    // points [n][keep] float32, NaN-padded, made in place (Fig 3a: 32 MB, also written as points.npy).
    NpyArray points;
    points.dtype = "<f4";
    points.shape = {n, keep};
    points.bytes.resize(n * keep * sizeof(float));
    float *pts = reinterpret_cast<float *>(points.bytes.data());
    std::fill(pts, pts + n * keep, std::nanf(""));
    std::vector<double> poinc;
    std::vector<int64_t> poinc_off{0};
    for (size_t k = 0; k < n; ++k) {
        const auto &p = r.points[k];
        const double d[10] = {p.beta,    p.gamma,  p.epsilon, p.max_abs, p.lyapunov,
                              p.chaos01, p.m1_min, p.m1_max,  p.m1_mean, 0};
        for (int j = 0; j < 9; ++j) f64[j].push_back(d[j]);
        const int64_t q[6] = {p.unique_points, p.paper_label, p.period, p.label, p.flags, 0};
        for (int j = 0; j < 5; ++j) i64[j].push_back(q[j]);
        std::copy(p.points.begin(), p.points.end(), pts + k * keep);
        poinc.insert(poinc.end(), p.poincare.begin(), p.poincare.end());
        poinc_off.push_back(int64_t(poinc.size()));
    }
    NpzMap m;
    const char *fn[9] = {"beta", "gamma", "epsilon", "max_abs", "lyapunov", "chaos01", "m1_min", "m1_max", "m1_mean"};
    for (int j = 0; j < 9; ++j) m[fn[j]] = make_npy(f64[j], {n});
    const char *in[5] = {"unique_points", "paper_label", "period", "label", "flags"};
    for (int j = 0; j < 5; ++j) m[in[j]] = make_npy(i64[j], {n});
    m["begin"] = make_npy(std::vector<int64_t>{r.begin}, {1});
    m["points"] = std::move(points);
    m["poincare"] = make_npy(poinc, {poinc.size()});
    m["poincare_offsets"] = make_npy(poinc_off, {poinc_off.size()});
    // Fig 3 background rows (int16, concatenated per point; offsets [n + 1]; scale [n]).
    std::vector<int16_t> rbins;
    std::vector<int64_t> roff{0};
    std::vector<double> rscale;
    for (const auto &p : r.points) {
        rbins.insert(rbins.end(), p.raster_bins.begin(), p.raster_bins.end());
        roff.push_back(int64_t(rbins.size()));
        rscale.push_back(p.raster_scale);
    }
    NpyArray rb;
    rb.dtype = "<i2"; // little-endian hosts only, as the rest of npy.cpp
    rb.shape = {rbins.size()};
    const auto *raw = reinterpret_cast<const unsigned char *>(rbins.data());
    rb.bytes.assign(raw, raw + rbins.size() * sizeof(int16_t));
    m["raster_bins"] = std::move(rb);
    m["raster_offsets"] = make_npy(roff, {roff.size()});
    m["raster_scale"] = make_npy(rscale, {n});
    m["raster_resolution"] = make_npy(std::vector<int64_t>{r.raster_resolution}, {1});
    // sweep.lyapunov = spectrum only (results without it have neither array).
    if (const size_t k = spectrum_width(r)) {
        std::vector<double> spec, ky;
        for (const auto &p : r.points) {
            spec.insert(spec.end(), p.spectrum.begin(), p.spectrum.end());
            ky.push_back(p.kaplan_yorke);
        }
        m["lyapunov_spectrum"] = make_npy(spec, {n, k});
        m["kaplan_yorke"] = make_npy(ky, {n});
    }
    const size_t c = r.census.size();
    std::vector<int64_t> ci[6];
    std::vector<double> cf[4];
    for (const auto &row : r.census) {
        const int64_t a[6] = {row.index, row.attractor, row.starts, row.period, row.label, row.unique_points};
        for (int j = 0; j < 6; ++j) ci[j].push_back(a[j]);
        const double b[4] = {row.lyapunov, row.chaos01, row.m1_min, row.m1_max};
        for (int j = 0; j < 4; ++j) cf[j].push_back(b[j]);
    }
    const char *cin[6] = {"census_index",  "census_attractor", "census_starts",
                          "census_period", "census_label",     "census_unique_points"};
    for (int j = 0; j < 6; ++j) m[cin[j]] = make_npy(ci[j], {c});
    const char *cfn[4] = {"census_lyapunov", "census_chaos01", "census_m1_min", "census_m1_max"};
    for (int j = 0; j < 4; ++j) m[cfn[j]] = make_npy(cf[j], {c});
    return m;
}

namespace {

// Offsets into a concatenated array: n + 1 entries, starting at 0, non-decreasing, ending at `total`.
void check_offsets(const std::vector<int64_t> &off, size_t n, size_t total, const std::string &what,
                   const std::string &name, const std::string &data) {
    auto fail = [&](const std::string &why) {
        return UsageError(
            fmt::format("{}: array '{}' {} (it indexes '{}' of {} entries)", what, name, why, data, total));
    };
    if (off.size() != n + 1) throw fail(fmt::format("has {} entries, expected {}", off.size(), n + 1));
    if (off.front() != 0) throw fail("does not start at 0");
    for (size_t k = 0; k < n; ++k) {
        if (off[k + 1] < off[k]) throw fail(fmt::format("decreases at entry {}", k + 1));
    }
    if (off.back() != int64_t(total)) throw fail(fmt::format("ends at {}", off.back()));
}

int64_t scalar(const NpyArray &a, const std::string &what, const std::string &name) {
    const auto v = a.to_int64();
    if (v.size() != 1)
        throw UsageError(fmt::format("{}: array '{}' must hold one value, has {}", what, name, v.size()));
    return v[0];
}

} // namespace

SweepResults results_from_npz(const NpzMap &m, const std::string &what) {
    // The input may be any file a user points `gather` at, or a chunk a crash left behind: every length
    // and offset is checked before it is used to index anything.
    auto get = [&](const std::string &k) -> const NpyArray & {
        auto it = m.find(k);
        if (it == m.end()) throw UsageError(fmt::format("{}: missing array '{}' (not a tdlab sweep result?)", what, k));
        return it->second;
    };
    auto label_ok = [](int64_t v) { return v >= 0 && v <= int64_t(dynamics::Label::Unknown); };
    SweepResults r;
    r.begin = scalar(get("begin"), what, "begin");
    const auto beta = get("beta").to_double();
    const size_t n = beta.size();
    if (r.begin < 0 || r.begin > (int64_t(1) << 40))
        throw UsageError(fmt::format("{}: array 'begin' holds {}, not a point index", what, r.begin));
    std::vector<std::vector<double>> f;
    for (const char *k :
         {"beta", "gamma", "epsilon", "max_abs", "lyapunov", "chaos01", "m1_min", "m1_max", "m1_mean"}) {
        f.push_back(get(k).to_double());
        if (f.back().size() != n) throw UsageError(fmt::format("{}: array '{}' has the wrong length", what, k));
    }
    std::vector<std::vector<int64_t>> q;
    for (const char *k : {"unique_points", "paper_label", "period", "label", "flags"}) {
        q.push_back(get(k).to_int64());
        if (q.back().size() != n) throw UsageError(fmt::format("{}: array '{}' has the wrong length", what, k));
    }
    for (size_t k = 0; k < n; ++k) {
        if (!label_ok(q[1][k]) || !label_ok(q[3][k]))
            throw UsageError(fmt::format("{}: arrays 'label' / 'paper_label' hold a value that is not a label", what));
    }
    const auto &pa = get("points");
    const size_t keep = pa.shape.size() == 2 ? pa.shape[1] : 0;
    if (pa.shape.size() != 2 || pa.shape[0] != n || pa.dtype != "<f4" || pa.bytes.size() != n * keep * sizeof(float))
        throw UsageError(fmt::format("{}: array 'points' must be float32 [{}, keep]", what, n));
    const float *pts = reinterpret_cast<const float *>(pa.bytes.data());
    const auto poinc = get("poincare").to_double();
    const auto off = get("poincare_offsets").to_int64();
    check_offsets(off, n, poinc.size(), what, "poincare_offsets", "poincare");
    r.points.resize(n);
    for (size_t k = 0; k < n; ++k) {
        auto &p = r.points[k];
        p.beta = f[0][k], p.gamma = f[1][k], p.epsilon = f[2][k], p.max_abs = f[3][k], p.lyapunov = f[4][k];
        p.chaos01 = f[5][k], p.m1_min = f[6][k], p.m1_max = f[7][k], p.m1_mean = f[8][k];
        p.unique_points = q[0][k], p.paper_label = int(q[1][k]), p.period = q[2][k], p.label = int(q[3][k]);
        p.flags = int(q[4][k]);
        size_t kept = 0;
        while (kept < keep && !std::isnan(pts[k * keep + kept])) ++kept;
        p.points.assign(pts + k * keep, pts + k * keep + kept);
        p.poincare.assign(poinc.begin() + off[k], poinc.begin() + off[k + 1]);
    }
    // Optional (results written before the whole-window raster existed have none).
    if (m.count("raster_bins") && m.count("raster_offsets") && m.count("raster_scale") &&
        m.count("raster_resolution")) {
        const int64_t res = scalar(m.at("raster_resolution"), what, "raster_resolution");
        if (res < 1 || res > (int64_t(1) << 30))
            throw UsageError(fmt::format("{}: array 'raster_resolution' holds {}, not a resolution", what, res));
        r.raster_resolution = int(res);
        const auto &rb = m.at("raster_bins");
        const auto roff = m.at("raster_offsets").to_int64();
        const auto rscale = m.at("raster_scale").to_double();
        const size_t nb = rb.shape.size() == 1 ? rb.shape[0] : 0;
        if (rb.dtype != "<i2" || rb.shape.size() != 1 || rscale.size() != n || rb.bytes.size() != nb * sizeof(int16_t))
            throw UsageError(fmt::format("{}: 'raster_bins' / 'raster_offsets' / 'raster_scale' do not match", what));
        check_offsets(roff, n, nb, what, "raster_offsets", "raster_bins");
        const int16_t *bins = reinterpret_cast<const int16_t *>(rb.bytes.data());
        for (size_t k = 0; k < n; ++k) {
            r.points[k].raster_bins.assign(bins + roff[k], bins + roff[k + 1]);
            r.points[k].raster_scale = rscale[k];
        }
    }
    if (m.count("lyapunov_spectrum") || m.count("kaplan_yorke")) {
        const auto &sa = get("lyapunov_spectrum");
        const auto spec = sa.to_double();
        const auto ky = get("kaplan_yorke").to_double();
        const size_t k = sa.shape.size() == 2 ? sa.shape[1] : 0;
        if (sa.shape.size() != 2 || sa.shape[0] != n || k == 0 || spec.size() != n * k || ky.size() != n)
            throw UsageError(
                fmt::format("{}: arrays 'lyapunov_spectrum' [{}, k] and 'kaplan_yorke' [{}] do not match", what, n, n));
        for (size_t i = 0; i < n; ++i) {
            r.points[i].spectrum.assign(spec.begin() + long(i * k), spec.begin() + long((i + 1) * k));
            r.points[i].kaplan_yorke = ky[i];
        }
    }
    std::vector<std::vector<int64_t>> ci;
    for (const char *k :
         {"census_index", "census_attractor", "census_starts", "census_period", "census_label", "census_unique_points"})
        ci.push_back(get(k).to_int64());
    std::vector<std::vector<double>> cf;
    for (const char *k : {"census_lyapunov", "census_chaos01", "census_m1_min", "census_m1_max"})
        cf.push_back(get(k).to_double());
    const size_t c = ci[0].size();
    for (const auto &col : ci)
        if (col.size() != c) throw UsageError(fmt::format("{}: the census arrays have different lengths", what));
    for (const auto &col : cf)
        if (col.size() != c) throw UsageError(fmt::format("{}: the census arrays have different lengths", what));
    for (size_t k = 0; k < c; ++k) {
        CensusRow row;
        row.index = ci[0][k], row.attractor = ci[1][k], row.starts = ci[2][k], row.period = ci[3][k];
        row.label = int(ci[4][k]), row.unique_points = ci[5][k];
        row.lyapunov = cf[0][k], row.chaos01 = cf[1][k], row.m1_min = cf[2][k], row.m1_max = cf[3][k];
        // census.csv looks up the point of each row: it must be one of this file's points.
        if (row.index < r.begin || row.index >= r.begin + int64_t(n) || !label_ok(ci[4][k]))
            throw UsageError(fmt::format("{}: array 'census_index' / 'census_label' row {} is out of range", what, k));
        r.census.push_back(row);
    }
    return r;
}

SweepResults merge_results(std::vector<SweepResults> parts, int64_t total) {
    std::sort(parts.begin(), parts.end(), [](const auto &a, const auto &b) { return a.begin < b.begin; });
    SweepResults out;
    int64_t next = 0;
    for (auto &p : parts) {
        if (p.begin != next)
            throw UsageError(fmt::format("gather: points {}..{} are {} (shards must tile the grid of {} points)",
                                         std::min(next, p.begin), std::max(next, p.begin) - 1,
                                         p.begin > next ? "missing" : "duplicated", total));
        next += int64_t(p.points.size());
        out.raster_resolution = p.raster_resolution;
        for (auto &x : p.points) out.points.push_back(std::move(x));
        out.census.insert(out.census.end(), p.census.begin(), p.census.end());
    }
    if (next != total) throw UsageError(fmt::format("gather: points {}..{} are missing", next, total - 1));
    return out;
}

namespace {
std::string num(double v) {
    return std::isnan(v) ? std::string("nan") : fmt::format("{:.10g}", v);
}
} // namespace

std::string sweep_summary_csv(const SweepResults &r, const std::string &param) {
    const bool spectrum = spectrum_width(r) > 0;
    std::string csv = param == "beta" ? "beta" : param + ",beta";
    csv += ",gamma,epsilon,label,paper_label,period,lyapunov,chaos01,unique_points,poincare_points,max_abs,"
           "m1_min,m1_max,flags";
    csv += spectrum ? ",kaplan_yorke\n" : "\n";
    for (const auto &p : r.points) {
        const double value = param == "gamma" ? p.gamma : param == "epsilon" ? p.epsilon : p.beta;
        if (param != "beta") csv += num(value) + ",";
        csv += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{}", num(p.beta), num(p.gamma), num(p.epsilon),
                           dynamics::label_name(dynamics::Label(p.label)),
                           dynamics::label_name(dynamics::Label(p.paper_label)), p.period, num(p.lyapunov),
                           num(p.chaos01), p.unique_points, p.poincare.size(), num(p.max_abs), num(p.m1_min),
                           num(p.m1_max), bits_to_flags(p.flags));
        csv += spectrum ? "," + num(p.kaplan_yorke) + "\n" : "\n";
    }
    return csv;
}

std::string sweep_census_csv(const SweepResults &r) {
    std::string c = "index,beta,attractor,starts,label,period,lyapunov,chaos01,unique_points,m1_min,m1_max\n";
    for (const auto &row : r.census) {
        const double beta = r.points[size_t(row.index - r.begin)].beta;
        c += fmt::format("{},{},{},{},{},{},{},{},{},{},{}\n", row.index, num(beta), row.attractor, row.starts,
                         dynamics::label_name(dynamics::Label(row.label)), row.period, num(row.lyapunov),
                         num(row.chaos01), row.unique_points, num(row.m1_min), num(row.m1_max));
    }
    return c;
}

namespace {
// poincare.npy's rows (point index, m^o_1), flattened.
std::vector<double> poincare_rows(const SweepResults &r) {
    std::vector<double> rows;
    for (size_t k = 0; k < r.points.size(); ++k) {
        for (double v : r.points[k].poincare) {
            rows.push_back(double(r.begin + int64_t(k)));
            rows.push_back(v);
        }
    }
    return rows;
}
std::vector<double> spectrum_rows(const SweepResults &r) {
    std::vector<double> rows;
    for (const auto &p : r.points) rows.insert(rows.end(), p.spectrum.begin(), p.spectrum.end());
    return rows;
}
} // namespace

SweepArrays sweep_arrays(const SweepResults &r) {
    SweepArrays a;
    a.n = r.points.size();
    for (const auto &p : r.points) a.keep = std::max(a.keep, p.points.size());
    a.points.assign(a.n * a.keep, std::nanf(""));
    a.spectrum_k = spectrum_width(r);
    for (size_t k = 0; k < a.n; ++k) {
        const auto &p = r.points[k];
        std::copy(p.points.begin(), p.points.end(), a.points.begin() + long(k * a.keep));
    }
    a.poincare = poincare_rows(r);
    a.spectrum = spectrum_rows(r);
    return a;
}

void write_sweep_tables(const fs::path &dir, const SweepResults &r, const std::string &param) {
    // points.npy is results.npz's "points" array, written from the same bytes (not built twice).
    const NpzMap m = results_to_npz(r);
    write_file_atomic(dir / "summary.csv", sweep_summary_csv(r, param));
    write_npy(dir / "points.npy", m.at("points"));
    const std::vector<double> poinc = poincare_rows(r);
    write_npy(dir / "poincare.npy", poinc, {poinc.size() / 2, 2});
    write_npz(dir / "results.npz", m);
    if (const size_t k = spectrum_width(r))
        write_npy(dir / "lyapunov_spectrum.npy", spectrum_rows(r), {r.points.size(), k});
    if (!r.census.empty()) write_file_atomic(dir / "census.csv", sweep_census_csv(r));
}

namespace {
// "line K: stored 'A', now 'B'" for the first line where two config texts differ (the key that changed).
std::string first_difference(const std::string &stored, const std::string &now) {
    size_t a = 0, b = 0;
    for (int line = 1;; ++line) {
        const size_t ea = std::min(stored.find('\n', a), stored.size()), eb = std::min(now.find('\n', b), now.size());
        const std::string la = stored.substr(a, ea - a), lb = now.substr(b, eb - b);
        if (la != lb || ea == stored.size() || eb == now.size())
            return fmt::format("line {}: stored '{}', now '{}'", line, la, lb);
        a = ea + 1, b = eb + 1;
    }
}

// mpirun starts the workers of one sweep as separate processes that share its store; rank 0 holds
// the lock for all of them (the launchers set one of these variables).
bool mpi_worker() {
    for (const char *var : {"OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK", "MV2_COMM_WORLD_RANK"}) {
        if (const char *v = std::getenv(var)) return std::atoi(v) != 0;
    }
    return false;
}
} // namespace

ChunkStore::ChunkStore(const fs::path &out, const std::string &config_text) {
    fs::path o = fs::absolute(out).lexically_normal();
    if (!o.has_filename()) o = o.parent_path();
    dir_ = o.string() + ".chunks";
    if (!mpi_worker()) lock_ = std::make_shared<DirLock>(dir_, "resume store");
    const fs::path cfg = dir_ / "config.yaml";
    if (fs::exists(cfg)) {
        const std::string stored = read_file(cfg);
        if (stored != config_text) {
            throw UsageError(fmt::format("resume store '{}' belongs to a sweep with another config or shard ({}); "
                                         "delete it to start over",
                                         dir_.string(), first_difference(stored, config_text)));
        }
    } else {
        fs::create_directories(dir_);
        write_file_atomic(cfg, config_text);
    }
}

fs::path ChunkStore::chunk_path(int64_t begin) const {
    return dir_ / fmt::format("chunk-{:09d}.npz", begin);
}
bool ChunkStore::has(int64_t begin) const {
    return fs::exists(chunk_path(begin));
}
SweepResults ChunkStore::load(int64_t begin) const {
    const fs::path file = chunk_path(begin);
    try {
        SweepResults r = results_from_npz(read_npz(file), file.string());
        if (r.begin != begin)
            throw UsageError(
                fmt::format("{}: array 'begin' holds {}, the file name says {}", file.string(), r.begin, begin));
        return r;
    } catch (const UsageError &e) {
        throw CorruptChunk(e.what(), file);
    }
}
void ChunkStore::save(const SweepResults &chunk) const {
    // Not fsync'ed: a chunk is read back with every array's CRC checked and computed again if it does not
    // match (GridJob::scan), so a power loss costs at most those chunks' time, never a wrong value.
    write_npz(chunk_path(chunk.begin), results_to_npz(chunk), Durability::Cache);
}
void ChunkStore::remove_all() const {
    std::error_code ec;
    fs::remove_all(dir_, ec);
}

} // namespace tdlab::dmft
