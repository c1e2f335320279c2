// tdlab: the Transformer Dynamics Lab command line. Each command group lives in its own file
// (dmft_commands.cpp, birth_commands.cpp, ...) and registers itself; this file only dispatches and
// maps errors to exit codes: 0 success, 2 bad usage or config, 1 runtime failure.
#include "cli/allocator.h"
#include "cli/cli_common.h"
#include "cli/command_words.h"
#include "core/blas_kernels.h"
#include "core/error.h"
#include "core/heap.h"
#include "core/isa.h"
#include "core/run_dir.h"
#include "core/version.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <new>

int main(int argc, char **argv) {
    tdlab::restart_with_better_blas_core(argv); // OpenBLAS 0.3.21's Prescott fallback on unknown CPUs
    tdlab::set_command_line(argc, argv);
    tdlab::keep_freed_memory_for_reuse();
    CLI::App app{std::string("tdlab ") + tdlab::version() + ": the Transformer Dynamics Lab (dmft, birth, scansnap)"};
    app.set_version_flag("--version,-V", std::string("tdlab ") + tdlab::version() + " (" + tdlab::git_commit() + ")\n" +
                                             tdlab::cli::allocator_description() +
                                             "\nvector ISA of tdlab's own kernels: " + tdlab::vector_isa());
    app.require_subcommand(1);
    auto &groups = tdlab::cli::command_groups();
    std::sort(groups.begin(), groups.end(), [](const auto &a, const auto &b) { return a.order < b.order; });
    for (const auto &g : groups) g.fn(app);
    try {
        tdlab::cli::check_command_words(app, argc, argv); // "tdlab dmft swep": the nearest commands
        app.parse(argc, argv);
    } catch (const CLI::ParseError &e) {
        if (e.get_exit_code() == 0) return app.exit(e); // --help, --version
        // CLI11's words with tdlab's prefix, and for an unknown option the nearest options of the command
        const bool extras = dynamic_cast<const CLI::ExtrasError *>(&e) != nullptr;
        const std::string hint = extras ? tdlab::cli::unknown_option_hint(app, argc, argv) : "";
        std::fprintf(stderr, "tdlab: error: %s%s%s\nRun with --help for more information.\n", e.what(),
                     hint.empty() ? "" : ";", hint.c_str());
        return 2;
    } catch (const tdlab::UsageError &e) {
        std::fprintf(stderr, "tdlab: error: %s\n", e.what());
        return 2;
    } catch (const tdlab::RuntimeError &e) {
        std::fprintf(stderr, "tdlab: failed: %s\n", e.what());
        return 1;
    } catch (const std::bad_alloc &) {
        // Sizes the up-front estimates (core/memory_budget.h) did not foresee: say what happened, not
        // "internal error"; the staging directory is gone with the RunDir that owned it.
        std::fprintf(stderr, "tdlab: failed: out of memory (this run needs more than the machine could give; "
                             "reduce the size keys of the config)\n");
        return 1;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "tdlab: internal error: %s\n", e.what());
        return 1;
    }
    return 0;
}
