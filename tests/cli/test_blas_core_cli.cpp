// The command line's OpenBLAS kernel choice (core/blas_kernels.h): on a CPU with AVX2 + FMA the recorded
// "blas_core" is never OpenBLAS's generic Prescott fallback unless the user asked for it, and a user's
// OPENBLAS_CORETYPE always wins. Each case prints the CPU's ISA and what the manifest recorded.
#include "cli_test_support.h"
#include "core/blas_kernels.h"

#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

std::string recorded_core(const std::string &env, const std::string &name) {
    const auto out = tdlab_test::scratch_path("blas_core", name);
    std::filesystem::remove_all(out);
    const std::string cfg = std::string(TDLAB_TEST_DATA) + "/../configs/birth/fig3-quick.yaml";
    EXPECT_EQ(tdlab_test::run_tdlab("birth train --config '" + cfg +
                                        "' --set birth.optim.max_iters=1 --set birth.model.dim=16 --out '" +
                                        out.string() + "'",
                                    "env -u OPENBLAS_CORETYPE " + env),
              0);
    std::ifstream f(out / "manifest.json");
    if (!f) return "(no manifest)";
    return nlohmann::json::parse(f).value("blas_core", std::string("(missing)"));
}

bool cpu_has_avx2_fma() {
#if defined(__x86_64__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return false;
#endif
}

TEST(BlasCore, CommandLineNeverRunsThePrescottFallbackOnAnAvx2Cpu) {
    const std::string core = recorded_core("", "auto");
    std::printf("CPU AVX2+FMA: %d; this test process (OpenBLAS's own choice): %s; tdlab recorded: %s\n",
                int(cpu_has_avx2_fma()), tdlab::blas_core_name().c_str(), core.c_str());
    if (!cpu_has_avx2_fma()) GTEST_SKIP() << "CPU without AVX2 + FMA: Prescott may be right";
    EXPECT_NE(core, "Prescott");
    EXPECT_NE(core, "(no manifest)");
}

TEST(BlasCore, TheUsersCoreTypeWins) {
    const std::string core = recorded_core("OPENBLAS_CORETYPE=Prescott", "user");
    std::printf("OPENBLAS_CORETYPE=Prescott: tdlab recorded %s\n", core.c_str());
    EXPECT_EQ(core, "Prescott");
}

} // namespace
