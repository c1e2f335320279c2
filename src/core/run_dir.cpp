#include "core/run_dir.h"

#include "core/atomic_file.h"
#include "core/blas_kernels.h"
#include "core/error.h"

#include <ctime>
#include <omp.h>
#include <unistd.h>

namespace tdlab {

namespace fs = std::filesystem;

namespace {
std::string g_command_line = "tdlab";
}

void set_command_line(int argc, char **argv) {
    g_command_line.clear();
    for (int k = 0; k < argc; ++k) {
        if (k) g_command_line += ' ';
        g_command_line += argv[k];
    }
}
const std::string &command_line() {
    return g_command_line;
}

std::string utc_now_iso() {
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

void check_output_dir(const fs::path &out) {
    if (out.empty()) throw UsageError("--out: an output directory is required");
    std::error_code ec;
    if (!fs::exists(out, ec)) return;
    if (!fs::is_directory(out, ec)) throw UsageError("--out '" + out.string() + "' exists and is not a directory");
    if (fs::is_empty(out, ec) || fs::exists(out / "manifest.json", ec)) return;
    throw UsageError("--out '" + out.string() +
                     "' exists, is not empty and is not a tdlab run directory (no manifest.json); choose another");
}

RunDir::RunDir(fs::path out, std::string command, const Config &config)
    : out_(std::move(out)), command_(std::move(command)), config_yaml_(config.to_yaml()),
      start_(std::chrono::steady_clock::now()) {
    check_output_dir(out_);
    fs::path abs = fs::absolute(out_).lexically_normal();
    if (abs.filename().empty()) abs = abs.parent_path();
    staging_ = abs;
    staging_ += ".partial-" + std::to_string(::getpid());
    std::error_code ec;
    fs::remove_all(staging_, ec);
    fs::create_directories(staging_, ec);
    if (ec) throw RuntimeError("cannot create run directory '" + staging_.string() + "': " + ec.message());
    char host[256] = "unknown";
    ::gethostname(host, sizeof host - 1);
    manifest_ = {{"tool", "tdlab"},     {"version", TDLAB_VERSION},       {"git_commit", TDLAB_GIT_COMMIT},
                 {"command", command_}, {"command_line", command_line()}, {"threads", omp_get_max_threads()},
                 {"host", host},        {"start_time", utc_now_iso()},    {"blas_core", blas_core_name()}};
}

RunDir::~RunDir() {
    if (!committed_) {
        std::error_code ec;
        fs::remove_all(staging_, ec);
    }
}

void RunDir::commit() {
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    manifest_["end_time"] = utc_now_iso();
    manifest_["wall_seconds"] = wall;
    nlohmann::json files = nlohmann::json::array();
    for (const auto &entry : fs::directory_iterator(staging_)) files.push_back(entry.path().filename().string());
    files.push_back("config.yaml");
    std::sort(files.begin(), files.end());
    manifest_["files"] = files;
    write_file_atomic(staging_ / "config.yaml", config_yaml_);
    write_file_atomic(staging_ / "manifest.json", manifest_.dump(2) + "\n");
    std::error_code ec;
    fs::path abs_out = staging_.parent_path() / fs::absolute(out_).lexically_normal().filename();
    if (fs::absolute(out_).lexically_normal().filename().empty()) {
        abs_out = fs::absolute(out_).lexically_normal().parent_path();
    }
    if (fs::exists(abs_out)) {
        fs::path old = abs_out;
        old += ".old-" + std::to_string(::getpid());
        fs::rename(abs_out, old, ec);
        if (ec) throw RuntimeError("cannot replace '" + abs_out.string() + "': " + ec.message());
        fs::rename(staging_, abs_out, ec);
        fs::remove_all(old);
    } else {
        fs::rename(staging_, abs_out, ec);
    }
    if (ec) throw RuntimeError("cannot move run into '" + abs_out.string() + "': " + ec.message());
    committed_ = true;
}

} // namespace tdlab
