// The bodies of the run-style commands (one run directory per call), shared by the two front ends: the
// CLI (src/cli/*_commands.cpp parses options and calls these) and the Python module (python/src/). A
// command is its config schema plus a `prepare` step that parses the config into typed options (every
// UsageError before any output exists) and returns the body that fills a staging RunDir.
#pragma once

#include "core/config.h"
#include "core/run_dir.h"

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace tdlab::repro {

using RunBody = std::function<std::string(RunDir &run)>;
using PrepareRun = std::function<RunBody(const Config &cfg)>;

struct RunCommand {
    std::string name;         // as typed after `tdlab`: "dmft run", "scansnap sweep", ...
    ConfigSchema (*schema)(); // every key the command reads
    RunBody (*prepare)(const Config &cfg);
    std::string default_config;  // config file used when none is given ("" = schema defaults)
    bool wrap_list_sets = false; // a scalar override of a list key means a one-element list
    // Progress::add may throw Interrupted out of its progress reports (false: the body reports from
    // inside an OpenMP loop that does not catch, where a throw would end the process).
    bool interruptible = true;
};

// Every run-style command with a shared body, in CLI order.
const std::vector<RunCommand> &run_commands();
// The command named `name`; UsageError listing the known ones otherwise.
const RunCommand &run_command_named(const std::string &name);

// `--set sweep.num_last=3` restricts a list key to one value: wraps a scalar into a one-element list.
std::vector<std::string> wrap_list_overrides(const std::vector<std::string> &sets, const ConfigSchema &schema);

// The one place tdlab sets its thread policy: OpenMP threads (0 = OMP_NUM_THREADS or all cores) and a
// single-threaded OpenBLAS (its threaded GEMM is not bitwise reproducible across thread counts; see
// nn/blas_threads.h). Returns the OpenMP thread count.
int apply_thread_policy(int threads);

// RunDir at `out` -> body -> commit; returns the body's summary line. `out` must be absolute and already
// checked with check_output_dir; `policy.overwrite` (--force) lets it replace a previous run.
std::string run_into_dir(const std::filesystem::path &out, const std::string &command, const Config &cfg,
                         const RunBody &body, RunDirPolicy policy = {});

// The individual commands (schemas and prepare steps).
ConfigSchema dmft_run_schema();
RunBody prepare_dmft_run(const Config &cfg);
ConfigSchema dmft_spin_schema();
RunBody prepare_dmft_spin(const Config &cfg);
RunBody prepare_birth_train(const Config &cfg);
RunBody prepare_birth_eval(const Config &cfg);
RunBody prepare_birth_theory(const Config &cfg);
RunBody prepare_scansnap_train(const Config &cfg);
RunBody prepare_scansnap_theory(const Config &cfg);
RunBody prepare_scansnap_sweep(const Config &cfg);
RunBody prepare_scansnap_text(const Config &cfg);
// Beyond the paper (repro/chaos_run_commands.cpp): basins, continuation, the toolbox on a user series.
ConfigSchema basins_command_schema();
ConfigSchema continuation_command_schema();
ConfigSchema analyze_schema();
RunBody prepare_basins(const Config &cfg);
RunBody prepare_continuation(const Config &cfg);
RunBody prepare_analyze(const std::filesystem::path &series, const Config &cfg);

} // namespace tdlab::repro
