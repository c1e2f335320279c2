// Progress of a long stage on stderr. update() is thread-safe and cheap (one atomic add; output is
// rate-limited). Two forms:
//  - a terminal: "label  42.0%  1234 it/s  ETA 3s", redrawn in place at most ~10 times a second;
//  - not a terminal (Slurm, CI, nohup, a pipe): plain lines a log keeps, one when the stage starts,
//    one when a further 10% is done but at most one per 10 s, at least one per 30 s while work goes on,
//    and one when it ends, so a long run shows it is alive without flooding the log.
// TDLAB_QUIET silences both.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <stdexcept>
#include <string>

namespace tdlab {

// Thrown by Progress::add when the front end's interrupt poll asks to stop (Ctrl-C in Python).
class Interrupted : public std::runtime_error {
  public:
    Interrupted() : std::runtime_error("interrupted") {}
};

class Progress {
  public:
    enum class Mode { Off, Terminal, Log };
    Progress(std::string label, uint64_t total, std::string unit = "it");
    // For tests: a given mode, and log intervals in seconds (every 10%, at most one per `min_gap`; at
    // least one per `max_gap`).
    Progress(std::string label, uint64_t total, std::string unit, Mode mode, double min_gap_s = 10,
             double max_gap_s = 30);
    ~Progress();
    void add(uint64_t n = 1);
    // `n` units were done by an earlier process (a resumed checkpoint): they count toward the percentage but
    // not toward the rate and the ETA, which measure this process only. Call before the first add().
    void resumed(uint64_t n);
    void finish();
    // True when progress goes to a terminal; false for logs and TDLAB_QUIET.
    static bool enabled();
    static Mode default_mode();

    // For an embedding front end (the Python module): while `poll` is set, add() calls it with the
    // progress so far (done, total) about every 50 ms, only on the thread that set it (the one the front
    // end can interrupt and draw from), and throws Interrupted when it returns true. A library loop that reports
    // progress thus stops at its next report; loops that report from inside an OpenMP region catch and rethrow after
    // the region. nullptr clears it.
    static void set_interrupt_poll(bool (*poll)(uint64_t done, uint64_t total));
    // For an embedding front end that shows progress itself (a Python callable, a tqdm bar): while set,
    // Progress objects made in this process are Off, so the same run is not reported twice (the C++ lines
    // and a Python bar interleaved "\r" redraws with log lines). Returns the previous value.
    static bool set_front_end_reports(bool reports);

  private:
    void poll_interrupt();
    void draw(bool final);
    void log_line(bool final, double secs);
    std::string label_, unit_;
    uint64_t total_;
    std::atomic<uint64_t> done_{0};
    uint64_t resumed_ = 0; // of done_, the units an earlier process did
    std::atomic<int64_t> last_draw_ns_{0};
    std::chrono::steady_clock::time_point start_;
    std::mutex mu_;
    Mode mode_;
    double min_gap_s_ = 10, max_gap_s_ = 30;
    std::atomic<int> last_decile_{0};
    bool finished_ = false;
};

} // namespace tdlab
