#include "nn/checkpoint_store.h"

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/interrupt_cleanup.h"

#include <cstring>
#include <fmt/format.h>
#include <map>
#include <yaml-cpp/yaml.h>

namespace fs = std::filesystem;

namespace tdlab::nn {

fs::path checkpoint_store_for(const fs::path &out) {
    fs::path o = fs::absolute(out).lexically_normal();
    if (!o.has_filename()) o = o.parent_path();
    return o.string() + ".ckpt";
}

namespace {
// "a.b.c" -> scalar text of a config record (the YAML of Config::to_yaml).
void flatten(const YAML::Node &n, const std::string &prefix, std::map<std::string, std::string> &out) {
    if (n.IsMap()) {
        for (const auto &kv : n)
            flatten(kv.second, prefix.empty() ? kv.first.as<std::string>() : prefix + "." + kv.first.as<std::string>(),
                    out);
    } else {
        out[prefix] = YAML::Dump(n);
    }
}

// "key: stored -> now" for each key whose value differs between two config records.
std::string differing_keys(const std::string &stored, const std::string &now) {
    std::map<std::string, std::string> a, b;
    try {
        flatten(YAML::Load(stored), "", a);
        flatten(YAML::Load(now), "", b);
    } catch (const YAML::Exception &) {
        return "";
    }
    std::string out;
    for (const auto &[k, v] : b) {
        auto it = a.find(k);
        const std::string old = it == a.end() ? "(absent)" : it->second;
        if (old != v) out += fmt::format("{}{}: {} -> {}", out.empty() ? "" : ", ", k, old, v);
    }
    for (const auto &[k, v] : a)
        if (!b.count(k)) out += fmt::format("{}{}: {} -> (absent)", out.empty() ? "" : ", ", k, v);
    return out;
}
} // namespace

CheckpointStore::CheckpointStore(fs::path dir, const std::string &record) : dir_(std::move(dir)) {
    const fs::path cfg = dir_ / "config.yaml";
    if (fs::exists(cfg)) {
        const std::string stored = read_file(cfg);
        // Naming the keys matters: max_iters is one of them, so a run cannot be extended by resuming.
        if (stored != record)
            throw UsageError(fmt::format("checkpoint store '{}' belongs to a run with another config ({}); delete "
                                         "it to start over",
                                         dir_.string(), differing_keys(stored, record)));
    } else {
        fs::create_directories(dir_);
        write_file_atomic(cfg, record);
    }
    notice_ = register_interrupt_notice(
        dir_ / "checkpoint.npz",
        fmt::format("kept the checkpoint '{}': the same command resumes from it", dir_.string()));
}

CheckpointStore::~CheckpointStore() {
    unregister_interrupt_cleanup(notice_);
}

void CheckpointStore::save(const TrainCheckpoint &ck, const ParameterSet &params, const Optimizer &opt) const {
    NpzMap m;
    for (const auto &p : params.all()) m["param." + p.name] = make_npy(p.value, p.shape);
    for (auto &[k, v] : opt.save_state()) m["opt." + k] = std::move(v);
    m["next_iter"] = make_npy(&ck.next_iter, {1});
    for (const auto &[name, text] : ck.texts) {
        if (name == "next_iter" || name.rfind("param.", 0) == 0 || name.rfind("opt.", 0) == 0)
            throw RuntimeError(fmt::format("checkpoint text name '{}' is reserved", name));
        m[name] = make_npy(reinterpret_cast<const uint8_t *>(text.data()), {text.size()});
    }
    write_npz(dir_ / "checkpoint.npz", m); // atomic: a crash leaves the previous checkpoint
}

std::optional<TrainCheckpoint> CheckpointStore::load(ParameterSet &params, Optimizer &opt) const {
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
    for (const auto &[k, v] : m)
        if (k != "next_iter" && k.rfind("param.", 0) != 0 && k.rfind("opt.", 0) != 0)
            ck.texts[k].assign(v.bytes.begin(), v.bytes.end());
    return ck;
}

void CheckpointStore::remove() const {
    std::error_code ec;
    fs::remove_all(dir_, ec);
}

} // namespace tdlab::nn
