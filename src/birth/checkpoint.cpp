#include "birth/checkpoint.h"

#include "core/atomic_file.h"
#include "core/error.h"

#include <cstring>
#include <fmt/format.h>

namespace fs = std::filesystem;

namespace tdlab::birth {

fs::path checkpoint_store_for(const fs::path &out) {
    fs::path o = fs::absolute(out).lexically_normal();
    if (!o.has_filename()) o = o.parent_path();
    return o.string() + ".ckpt";
}

CheckpointStore::CheckpointStore(fs::path dir, const std::string &record) : dir_(std::move(dir)) {
    const fs::path cfg = dir_ / "config.yaml";
    if (fs::exists(cfg)) {
        if (read_file(cfg) != record)
            throw UsageError(fmt::format("checkpoint store '{}' belongs to a run with another config; delete it to "
                                         "start over",
                                         dir_.string()));
    } else {
        fs::create_directories(dir_);
        write_file_atomic(cfg, record);
    }
}

void CheckpointStore::save(const TrainCheckpoint &ck, const nn::ParameterSet &params, const nn::Optimizer &opt) const {
    NpzMap m;
    for (const auto &p : params.all()) m["param." + p.name] = make_npy(p.value, p.shape);
    for (auto &[k, v] : opt.save_state()) m["opt." + k] = std::move(v);
    m["next_iter"] = make_npy(&ck.next_iter, {1});
    m["metrics"] = make_npy(reinterpret_cast<const uint8_t *>(ck.metrics.data()), {ck.metrics.size()});
    m["heads"] = make_npy(reinterpret_cast<const uint8_t *>(ck.heads.data()), {ck.heads.size()});
    write_npz(dir_ / "checkpoint.npz", m); // atomic: a crash leaves the previous checkpoint
}

std::optional<TrainCheckpoint> CheckpointStore::load(nn::ParameterSet &params, nn::Optimizer &opt) const {
    const fs::path file = dir_ / "checkpoint.npz";
    if (!fs::exists(file)) return std::nullopt;
    const NpzMap m = read_npz(file);
    const std::string what = file.string();
    auto member = [&](const std::string &key) -> const NpyArray & {
        auto it = m.find(key);
        if (it == m.end()) throw UsageError(fmt::format("{}: no member '{}'", what, key));
        return it->second;
    };
    for (auto &p : params.all()) {
        const NpyArray &a = member("param." + p.name);
        if (a.dtype != "<f4" || a.shape != p.shape)
            throw UsageError(fmt::format("{}: '{}' does not match the model's parameter", what, p.name));
        std::memcpy(p.value, a.bytes.data(), p.size * sizeof(float));
    }
    NpzMap state;
    for (const auto &[k, v] : m)
        if (k.rfind("opt.", 0) == 0) state[k.substr(4)] = v;
    opt.load_state(state, what);
    TrainCheckpoint ck;
    ck.next_iter = member("next_iter").to_int64().at(0);
    const NpyArray &text = member("metrics");
    ck.metrics.assign(text.bytes.begin(), text.bytes.end());
    if (auto h = m.find("heads"); h != m.end()) ck.heads.assign(h->second.bytes.begin(), h->second.bytes.end());
    return ck;
}

void CheckpointStore::remove() const {
    std::error_code ec;
    fs::remove_all(dir_, ec);
}

} // namespace tdlab::birth
