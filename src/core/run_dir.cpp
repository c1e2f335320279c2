#include "core/run_dir.h"
#include "core/version.h"

#include "core/atomic_file.h"
#include "core/blas_kernels.h"
#include "core/error.h"
#include "core/interrupt_cleanup.h"
#include "core/isa.h"
#include "core/warnings.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <omp.h>
#include <set>
#include <unistd.h>

namespace tdlab {

namespace fs = std::filesystem;

namespace {

std::string g_command_line = "tdlab";
std::chrono::system_clock::time_point g_command_start;
bool g_command_start_set = false;

std::string iso(std::chrono::system_clock::time_point t) {
    std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

// The absolute, normalised form of an --out value, without a trailing '/'.
fs::path absolute_out(const fs::path &out) {
    fs::path abs = fs::absolute(out).lexically_normal();
    if (!abs.has_filename() && abs.has_parent_path() && abs != abs.root_path()) abs = abs.parent_path();
    return abs;
}

std::string quoted(const fs::path &out) {
    return "--out '" + out.string() + "'";
}

// The top-level names a previous tdlab run wrote (its manifest's "files" plus manifest.json itself).
// UsageError if `dir` is not a tdlab run, i.e. not something --force may replace.
std::set<std::string> run_files(const fs::path &dir, const fs::path &shown) {
    const fs::path manifest = dir / "manifest.json";
    auto refuse = [&](const std::string &why) {
        return UsageError(quoted(shown) + " " + why +
                          "; --force replaces only a previous tdlab run, so choose another directory");
    };
    std::error_code ec;
    if (!fs::is_regular_file(manifest, ec)) throw refuse("is not a tdlab run directory (no manifest.json)");
    nlohmann::json m;
    try {
        m = nlohmann::json::parse(read_file(manifest));
    } catch (const std::exception &) {
        throw refuse("has a manifest.json that is not a tdlab manifest (unreadable JSON)");
    }
    if (!m.is_object() || m.value("tool", "") != "tdlab" || !m.contains("files") || !m["files"].is_array())
        throw refuse("has a manifest.json without tdlab's \"tool\" and \"files\" entries");
    std::set<std::string> files{"manifest.json"};
    for (const auto &f : m["files"]) {
        if (f.is_string()) files.insert(f.get<std::string>());
    }
    return files;
}

// Entries of a previous run that it did not write: the user's, carried over by a forced replace.
std::vector<std::string> foreign_entries(const fs::path &dir, const std::set<std::string> &ours) {
    std::vector<std::string> out;
    for (const auto &e : fs::directory_iterator(dir)) {
        const std::string name = e.path().filename().string();
        if (!ours.count(name)) out.push_back(name);
    }
    std::sort(out.begin(), out.end());
    return out;
}

bool pid_alive(long pid) {
    return ::kill(pid_t(pid), 0) == 0 || errno == EPERM;
}

// Removes `<out>.partial-<pid>` left by processes that no longer exist (killed with SIGKILL, a power
// cut); puts back `<out>.old-<pid>` if a dead run was interrupted between its two renames.
void sweep_stale(const fs::path &abs_out) {
    std::error_code ec;
    const fs::path parent = abs_out.parent_path();
    const std::string name = abs_out.filename().string();
    for (const auto &e : fs::directory_iterator(parent, ec)) {
        const std::string entry = e.path().filename().string();
        for (const std::string kind : {".partial-", ".old-"}) {
            const std::string prefix = name + kind;
            if (entry.size() <= prefix.size() || entry.compare(0, prefix.size(), prefix) != 0) continue;
            const std::string digits = entry.substr(prefix.size());
            if (digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) continue;
            const long pid = std::stol(digits);
            if (pid == long(::getpid()) || pid_alive(pid)) continue;
            if (kind == ".partial-") {
                fs::remove_all(e.path(), ec);
                std::fprintf(stderr, "tdlab: removed '%s', left by a run that was killed (pid %ld)\n", e.path().c_str(),
                             pid);
            } else if (!fs::exists(abs_out, ec)) {
                fs::rename(e.path(), abs_out, ec);
                warn("put back '" + abs_out.string() + "' from '" + e.path().string() +
                     "' (a replacement was interrupted, pid " + std::to_string(pid) + ")");
            } else {
                warn("'" + e.path().string() + "' is the previous run of an interrupted replacement (pid " +
                     std::to_string(pid) + "); it is kept, delete it if you do not need it");
            }
        }
    }
}

void fsync_tree(const fs::path &dir) {
    for (const auto &e : fs::recursive_directory_iterator(dir)) {
        if (e.is_regular_file() || e.is_directory()) fsync_path(e.path());
    }
    fsync_path(dir);
}

} // namespace

void set_command_line(int argc, char **argv) {
    g_command_line.clear();
    for (int k = 0; k < argc; ++k) {
        if (k) g_command_line += ' ';
        g_command_line += argv[k];
    }
    g_command_start = std::chrono::system_clock::now();
    g_command_start_set = true;
}
const std::string &command_line() {
    return g_command_line;
}

std::string utc_now_iso() {
    return iso(std::chrono::system_clock::now());
}

void check_output_dir(const fs::path &out, bool overwrite) {
    if (out.empty()) throw UsageError("--out: an output directory is required");
    const fs::path abs = absolute_out(out);
    std::error_code ec;
    const fs::file_status st = fs::status(abs, ec);
    if (ec && ec != std::errc::no_such_file_or_directory && ec != std::errc::not_a_directory)
        throw UsageError(quoted(out) + ": cannot use it: " + ec.message());
    // The run is staged beside `out` and renamed onto it: the nearest existing ancestor must be a
    // writable directory.
    fs::path parent = abs.parent_path();
    while (!parent.empty() && !fs::exists(parent, ec) && parent != parent.root_path()) parent = parent.parent_path();
    if (!fs::is_directory(parent, ec))
        throw UsageError(quoted(out) + ": cannot create it: '" + parent.string() + "' is not a directory");
    if (::access(parent.c_str(), W_OK | X_OK) != 0)
        throw UsageError(quoted(out) + ": cannot write in '" + parent.string() + "': " + std::strerror(errno));
    if (!fs::exists(st)) return;
    if (!fs::is_directory(st)) throw UsageError(quoted(out) + " exists and is not a directory");
    if (fs::is_empty(abs, ec)) return;
    if (!overwrite)
        throw UsageError(quoted(out) + " exists and is not empty; pass --force to replace a previous tdlab run " +
                         "(files tdlab did not write there are kept), or choose another directory");
    run_files(abs, out);
}

RunDir::RunDir(fs::path out, std::string command, const Config &config, RunDirPolicy policy)
    : out_(std::move(out)), command_(std::move(command)), config_yaml_(config.to_yaml()),
      start_(g_command_start_set ? g_command_start : std::chrono::system_clock::now()), policy_(policy) {
    if (out_.empty()) throw UsageError("--out: an output directory is required");
    abs_out_ = absolute_out(out_);
    // Check parent first, so that a lock file is never attempted in a place that cannot hold one.
    check_output_dir(out_, policy_.overwrite);
    lock_ = std::make_unique<DirLock>(abs_out_, "--out");
    check_output_dir(out_, policy_.overwrite); // again, now that nobody else can change it
    sweep_stale(abs_out_);
    staging_ = abs_out_;
    staging_ += ".partial-" + std::to_string(::getpid());
    std::error_code ec;
    fs::remove_all(staging_, ec); // a leftover of an earlier process with our pid
    fs::create_directories(staging_, ec);
    if (ec) throw UsageError("--out: cannot create '" + staging_.string() + "': " + ec.message());
    cleanup_id_ = register_interrupt_cleanup(staging_);
    warnings_before_ = recorded_warnings().size();
    char host[256] = "unknown";
    ::gethostname(host, sizeof host - 1);
    manifest_ = {{"tool", "tdlab"},
                 {"version", version()},
                 {"git_commit", git_commit()},
                 {"command", command_},
                 {"command_line", command_line()},
                 {"threads", omp_get_max_threads()},
                 {"host", host},
                 {"start_time", iso(start_)},
                 {"blas_core", blas_core_name()},
                 {"vector_isa", vector_isa()}};
}

RunDir::~RunDir() {
    if (cleanup_id_) unregister_interrupt_cleanup(cleanup_id_);
    if (!committed_ && !staging_.empty()) {
        std::error_code ec;
        fs::remove_all(staging_, ec);
    }
}

void RunDir::set_start_time(std::chrono::system_clock::time_point start) {
    start_ = start;
    manifest_["start_time"] = iso(start_);
}

void RunDir::commit() {
    const auto end = std::chrono::system_clock::now();
    manifest_["start_time"] = iso(start_);
    manifest_["end_time"] = iso(end);
    manifest_["wall_seconds"] = std::chrono::duration<double>(end - start_).count();
    std::set<std::string> ours{"config.yaml", "manifest.json"};
    nlohmann::json files = nlohmann::json::array();
    for (const auto &entry : fs::directory_iterator(staging_)) {
        ours.insert(entry.path().filename().string());
        files.push_back(entry.path().filename().string());
    }
    files.push_back("config.yaml");
    std::sort(files.begin(), files.end());
    manifest_["files"] = files;
    const auto warnings = recorded_warnings();
    if (warnings.size() > warnings_before_)
        manifest_["warnings"] = std::vector<std::string>(warnings.begin() + long(warnings_before_), warnings.end());

    std::error_code ec;
    const bool replacing = fs::exists(abs_out_, ec) && !fs::is_empty(abs_out_, ec);
    std::vector<std::string> foreign;
    if (replacing) {
        check_output_dir(out_, policy_.overwrite);
        foreign = foreign_entries(abs_out_, run_files(abs_out_, out_));
        for (const auto &name : foreign) {
            if (ours.count(name))
                throw UsageError(quoted(out_) + ": '" + name +
                                 "' there was not written by tdlab, and the new run writes a file of that name; "
                                 "move it away and run again");
        }
        if (!foreign.empty()) manifest_["kept_files"] = foreign;
    }
    write_file_atomic(staging_ / "config.yaml", config_yaml_);
    write_file_atomic(staging_ / "manifest.json", manifest_.dump(2) + "\n");
    fsync_tree(staging_);

    std::vector<std::string> not_moved;
    fs::path old;
    {
        auto hold = hold_interrupt_cleanup();
        if (!replacing) {
            fs::rename(staging_, abs_out_, ec); // also replaces an empty directory
            if (ec) throw RuntimeError("cannot move the run into '" + abs_out_.string() + "': " + ec.message());
        } else {
            old = abs_out_;
            old += ".old-" + std::to_string(::getpid());
            fs::remove_all(old, ec);
            fs::rename(abs_out_, old, ec);
            if (ec) throw RuntimeError("cannot replace '" + abs_out_.string() + "': " + ec.message());
            fs::rename(staging_, abs_out_, ec);
            if (ec) {
                std::error_code back;
                fs::rename(old, abs_out_, back);
                throw RuntimeError("cannot move the run into '" + abs_out_.string() + "': " + ec.message() +
                                   (back ? "; the previous run is in '" + old.string() + "'" : ""));
            }
            for (const auto &name : foreign) {
                std::error_code mv;
                fs::rename(old / name, abs_out_ / name, mv);
                if (mv) not_moved.push_back(name + " (" + mv.message() + ")");
            }
        }
        committed_ = true;
    }
    fsync_path(abs_out_.parent_path());
    if (!old.empty()) {
        if (not_moved.empty()) {
            fs::remove_all(old, ec);
        } else {
            std::string list;
            for (const auto &n : not_moved) list += (list.empty() ? "" : ", ") + n;
            warn("the previous run is kept in '" + old.string() + "': could not carry over " + list);
        }
    }
    lock_.reset();
}

} // namespace tdlab
