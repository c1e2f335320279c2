// Benchmark of the scalar DMFT mean-field map: steps per second and the time of one beta (the paper
// code's 120 000 steps with the last 20 000 recorded), for both forms of the field sum, against a plain
// NumPy implementation of the same map (bench/dmft_numpy_map.py) timed in the same run.
//
#include "bench_common.h"

#include "core/paths.h"
#include "dmft/context.h"
#include "dmft/trajectory.h"

#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>

using namespace tdlab::dmft;

namespace {

// CPU time of this thread: on a shared, loaded machine it is far closer to the unloaded wall time than
// the wall clock is. The NumPy script reports its process CPU time the same way.
double cpu_seconds() {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

double seconds_per_beta(const DmftModel &model, int64_t steps, int repeats, double &checksum, bool generic) {
    double best = 1e30;
    for (int r = 0; r < repeats; ++r) {
        MeanFieldMap map(model, DynamicsParams{1.27, 220.0, 0.02});
        map.force_generic(generic);
        Context c = start_context("zoom", map);
        TrajectoryOptions opt;
        opt.steps = steps;
        opt.transient = steps - steps / 6; // the paper's 20 000 of 120 000 recorded
        double t0 = cpu_seconds();
        Trajectory tr = run_trajectory(map, c, opt);
        double dt = cpu_seconds() - t0;
        best = std::min(best, dt);
        checksum = tr.mo_se.back();
    }
    return best;
}

// NumPy's seconds per beta, or -1 with the reason printed (numpy not importable: the comparison is skipped).
double numpy_seconds(int64_t steps) {
    const auto ref = tdlab::bench::run_reference({"/usr/bin/python3", TDLAB_SOURCE_DIR "/bench/dmft_numpy_map.py",
                                                  "--beta", "1.27", "--steps", std::to_string(steps)});
    const auto pos = ref.output.find("numpy_seconds_per_beta ");
    if (!ref.ok || pos == std::string::npos) {
        tdlab::bench::print_skipped("NumPy", ref.output);
        return -1;
    }
    return std::atof(ref.output.c_str() + pos + 23);
}

} // namespace

int main(int argc, char **argv) {
    if (tdlab::bench::help_requested(argc, argv, "usage: bench_dmft_map [--steps 120000] [--repeats 5] [--no-numpy]"))
        return 0;
    tdlab::bench::print_host("scalar (MeanFieldMap::step, std::tanh / std::exp)");
    int64_t steps = 120000;
    int repeats = 5;
    bool numpy = true;
    for (int k = 1; k < argc; ++k) {
        if (!std::strcmp(argv[k], "--steps") && k + 1 < argc)
            steps = std::atoll(argv[++k]);
        else if (!std::strcmp(argv[k], "--repeats") && k + 1 < argc)
            repeats = std::atoi(argv[++k]);
        else if (!std::strcmp(argv[k], "--no-numpy"))
            numpy = false;
    }
    std::printf("DMFT mean-field map, one beta = %lld steps from the zoom checkpoint, 1 thread, CPU time, best of %d\n",
                (long long)steps, repeats);
    double best_form = 1e30;
    for (const char *form : {"correlations", "site_types"}) {
        ModelParams p;
        p.form = form;
        DmftModel model = DmftModel::build(p);
        for (bool generic : {true, false}) {
            double checksum = 0;
            double s = seconds_per_beta(model, steps, repeats, checksum, generic);
            if (!generic) best_form = std::min(best_form, s);
            std::printf("  tdlab scalar %-7s (%-12s) %8.2f ms per beta  %6.2f M steps/s   (mo_se_1 last %.9f)\n",
                        generic ? "generic" : "fixed", form, 1e3 * s, double(steps) / s / 1e6, checksum);
        }
    }
    if (numpy) {
        double np_s = numpy_seconds(steps);
        if (np_s > 0) {
            std::printf("  NumPy reference        %8.2f ms per beta  %6.3f M steps/s\n", 1e3 * np_s,
                        double(steps) / np_s / 1e6);
            std::printf("  speed-up tdlab / NumPy: %.0fx\n", np_s / best_form);
        }
    }
    tdlab::bench::print_load_end();
    return 0;
}
