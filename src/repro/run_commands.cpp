#include "repro/run_commands.h"

#include "birth/evaluate.h"
#include "birth/theory.h"
#include "birth/trainer.h"
#include "core/error.h"
#include "core/parallel.h"
#include "nn/blas_threads.h"
#include "scansnap/outputs.h"
#include "scansnap/sweep.h"
#include "scansnap/text_trainer.h"
#include "scansnap/trainer.h"

#include <fmt/format.h>

namespace tdlab::repro {

const std::vector<RunCommand> &run_commands() {
    static const std::vector<RunCommand> all{
        {"dmft run", dmft_run_schema, prepare_dmft_run, ""},
        {"dmft spin", dmft_spin_schema, prepare_dmft_spin, ""},
        {"birth train", birth::train_schema, prepare_birth_train, "configs/birth/fig3-quick.yaml"},
        {"birth eval", birth::eval_schema, prepare_birth_eval, ""},
        {"birth theory", birth::theory_schema, prepare_birth_theory, ""},
        {"scansnap train", scansnap::train_schema, prepare_scansnap_train, ""},
        {"scansnap theory", scansnap::theory_schema, prepare_scansnap_theory, ""},
        {"scansnap sweep", scansnap::sweep_schema, prepare_scansnap_sweep, "", /*wrap_list_sets=*/true,
         /*interruptible=*/false},
        {"scansnap text", scansnap::text_schema, prepare_scansnap_text, ""},
    };
    return all;
}

const RunCommand &run_command_named(const std::string &name) {
    std::string known;
    for (const auto &c : run_commands()) {
        if (c.name == name) return c;
        known += (known.empty() ? "" : ", ") + c.name;
    }
    throw UsageError(fmt::format("unknown run command '{}' (known: {})", name, known));
}

std::vector<std::string> wrap_list_overrides(const std::vector<std::string> &sets, const ConfigSchema &schema) {
    std::vector<std::string> out;
    for (const auto &s : sets) {
        const auto eq = s.find('=');
        if (eq != std::string::npos) {
            const ConfigKey *k = schema.find(s.substr(0, eq));
            std::string v = s.substr(eq + 1);
            const auto first = v.find_first_not_of(" \t");
            if (k && (k->type == ValueType::IntList || k->type == ValueType::DoubleList) &&
                first != std::string::npos && v[first] != '[') {
                out.push_back(s.substr(0, eq + 1) + "[" + v + "]");
                continue;
            }
        }
        out.push_back(s);
    }
    return out;
}

int apply_thread_policy(int threads) {
    const int n = configure_threads(threads);
    nn::ensure_blas_single_thread();
    return n;
}

std::string run_into_dir(const std::filesystem::path &out, const std::string &command, const Config &cfg,
                         const RunBody &body, RunDirPolicy policy) {
    RunDir run(out, command, cfg, policy);
    const std::string summary = body(run);
    run.commit();
    return summary;
}

} // namespace tdlab::repro
