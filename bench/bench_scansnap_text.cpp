// Speed of one training step of the real-text Scan and Snap model (Tian et al. 2023, arXiv 2305.16380,
// Figs 7/10; nn/word_lm.h): forward, backward, gradient clipping and SGD on (batch 20, bptt 35) chunks of
// the config's corpus and vocabulary, 1 and 3 layers, against the same model in PyTorch
// (bench/scansnap_text_torch.py speed, same thread count), printing tokens/s, the ratio, and the share of
// the output layer (logits = h D^T + d and its backward, the V x d GEMMs) in each step.
// Usage: bench_scansnap_text [config=configs/scansnap/fig7.yaml] [threads=2] [steps=5] [--no-torch] [--rounds R]
// Rounds: tdlab and PyTorch are timed one after the other R times (default 3) and the median of the rounds'
// ratios is printed with their range: on a shared virtual machine one side's best-of-3 could fall in a
// quiet minute and the other's in a busy one (single ratios of the same binaries ranged 1.3x-1.7x).
#include "bench_common.h"

#include "core/atomic_file.h"
#include "core/blas_kernels.h"
#include "core/paths.h"
#include "core/process.h"
#include "nn/grad_clip.h"
#include "nn/linear.h"
#include "nn/optimizer.h"
#include "nn/word_lm.h"
#include "repro/run_commands.h"
#include "scansnap/text_corpus.h"
#include "scansnap/text_trainer.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <unistd.h>
#include <vector>

using namespace tdlab;

static double now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
// Process CPU seconds: on a shared machine the wall clock measures the neighbours as much as the code.
static double cpu() {
    return double(std::clock()) / CLOCKS_PER_SEC;
}

// bench/scansnap_text_torch.py speed: its JSON line, or null with the reason printed.
static nlohmann::json torch_speed(const std::string &config, int layers, int threads, int steps) {
    const auto log = std::filesystem::temp_directory_path() / ("tdlab_bench_text_" + std::to_string(::getpid()));
    std::filesystem::remove(log);
    const auto r = run_process({"/usr/bin/python3", std::string(TDLAB_SOURCE_DIR) + "/bench/scansnap_text_torch.py",
                                "speed", "--config", config, "--layers", std::to_string(layers), "--threads",
                                std::to_string(threads), "--steps", std::to_string(steps)},
                               {}, log);
    const std::string out = std::filesystem::exists(log) ? read_file(log) : "";
    std::filesystem::remove(log);
    const auto pos = out.rfind("{\"layers\"");
    if (!r.ok() || pos == std::string::npos) {
        std::printf("pytorch comparison unavailable (%s): %s\n", r.describe().c_str(), out.c_str());
        return nullptr;
    }
    return nlohmann::json::parse(out.substr(pos, out.find('\n', pos) - pos));
}

int main(int argc, char **argv) {
    if (tdlab::bench::help_requested(
            argc, argv,
            "usage: bench_scansnap_text [config=configs/scansnap/fig7.yaml] [threads=2] [steps=5] [--no-torch] "
            "[--rounds R]"))
        return 0;
    tdlab::bench::print_host("OpenBLAS " + tdlab::blas_core_name());
    std::string config = std::string(TDLAB_SOURCE_DIR) + "/configs/scansnap/fig7.yaml";
    int threads = 2, steps = 5, rounds = 3;
    bool torch = true;
    std::vector<std::string> pos;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--no-torch") == 0)
            torch = false;
        else if (std::strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
            rounds = std::max(1, std::atoi(argv[++i]));
        else
            pos.push_back(argv[i]);
    }
    if (pos.size() > 0) config = pos[0];
    if (pos.size() > 1) threads = std::atoi(pos[1].c_str());
    if (pos.size() > 2) steps = std::atoi(pos[2].c_str());
    repro::apply_thread_policy(threads);
    const Config cfg = Config::load(scansnap::text_schema(), std::filesystem::path(config), {});
    const scansnap::TextRunParams p = scansnap::text_params_from(cfg);
    const auto corpus = scansnap::load_text_corpus(p.train_path, {}, p.train_tokens, 0);
    const auto train = scansnap::batchify(corpus.train, p.batch);
    std::printf("config %s: vocab %zu, batch %d x bptt %d, %d threads\n", config.c_str(), corpus.vocab.size(), p.batch,
                p.bptt, threads);
    for (int layers : {1, 3}) {
        nn::WordLmConfig mc = p.model;
        mc.vocab = int(corpus.vocab.size());
        mc.n_layers = layers;
        mc.max_len = 64;
        nn::WordLm m(mc);
        m.init(1);
        nn::WordLmWorkspace ws(m, p.batch, p.bptt);
        nn::Sgd opt(m.params(), {p.lr, 0.0, 0.0}, {{"ffn", {"*.linear1.*", "*.linear2.*"}, p.lr_ffn, std::nullopt}});
        std::vector<int32_t> tok(size_t(p.batch) * p.bptt), tgt(tok.size());
        auto step = [&](int k) {
            scansnap::chunk(train, k, p.bptt, tok.data(), tgt.data());
            m.params().zero_grad();
            m.forward(ws, tok.data(), tgt.data(), true, 1, uint64_t(k));
            m.backward(ws);
            nn::clip_grad_norm(m.params(), p.clip);
            opt.step();
        };
        for (int k = 0; k < 3; ++k) step(k);
        // the output layer's GEMMs alone, same shapes: forward, and the backward of its input and weight
        const int N = p.batch * p.bptt, C = mc.dim, V = mc.vocab;
        std::vector<float> h(size_t(N) * C, 0.01f), out(size_t(N) * V), g(size_t(N) * V, 1e-3f), dh(h.size()),
            dW(size_t(V) * C);
        const auto &W = m.params().at("decoder.weight"), &b = m.params().at("decoder.bias");
        std::vector<double> ratio_wall, ratio_cpu;
        for (int round = 1; round <= rounds; ++round) {
            double best = 1e30, best_cpu = 1e30;
            for (int r = 0; r < 3; ++r) {
                const double t = now(), c = cpu();
                for (int k = 0; k < steps; ++k) step(k);
                best = std::min(best, (now() - t) / steps);
                best_cpu = std::min(best_cpu, (cpu() - c) / steps);
            }
            double best_out_cpu = 1e30;
            for (int r = 0; r < 3; ++r) {
                const double c = cpu();
                for (int k = 0; k < steps; ++k) {
                    nn::linear_forward(out.data(), h.data(), W.value, b.value, N, C, V);
                    nn::linear_backward(dh.data(), dW.data(), nullptr, g.data(), h.data(), W.value, N, C, V);
                }
                best_out_cpu = std::min(best_out_cpu, (cpu() - c) / steps);
            }
            const double tps = N / best, tpc = N / best_cpu;
            std::printf("%d layer(s), round %d: tdlab %.4f s/step (%.4f CPU s), %.0f tokens/s (%.0f per CPU s), "
                        "output-layer GEMMs %.0f%% of the step (CPU)\n",
                        layers, round, best, best_cpu, tps, tpc, 100.0 * best_out_cpu / best_cpu);
            if (!torch) continue;
            const auto j = torch_speed(config, layers, threads, steps);
            if (j.is_null()) {
                torch = false;
                continue;
            }
            ratio_wall.push_back(tps / j["tokens_per_s"].get<double>());
            ratio_cpu.push_back(tpc / j["tokens_per_cpu_s"].get<double>());
            std::printf("%d layer(s), round %d: pytorch %.4f s/step (%.4f CPU s), %.0f tokens/s (%.0f per CPU s), "
                        "output layer %.0f%% (CPU); tdlab/pytorch = %.2fx (wall), %.2fx (CPU)\n",
                        layers, round, j["step_s"].get<double>(), j["step_cpu_s"].get<double>(),
                        j["tokens_per_s"].get<double>(), j["tokens_per_cpu_s"].get<double>(),
                        100.0 * j["output_layer_cpu_share"].get<double>(), ratio_wall.back(), ratio_cpu.back());
        }
        if (!ratio_cpu.empty()) {
            auto median = [](std::vector<double> v) {
                std::sort(v.begin(), v.end());
                const size_t n = v.size();
                return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
            };
            std::printf("%d layer(s): tdlab/pytorch median of %zu rounds %.2fx (wall), %.2fx (CPU); CPU range "
                        "%.2f-%.2fx\n",
                        layers, ratio_cpu.size(), median(ratio_wall), median(ratio_cpu),
                        *std::min_element(ratio_cpu.begin(), ratio_cpu.end()),
                        *std::max_element(ratio_cpu.begin(), ratio_cpu.end()));
        }
    }
    tdlab::bench::print_load_end();
    return 0;
}
