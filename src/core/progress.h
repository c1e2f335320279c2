// Terminal progress: "label  42.0%  1234 it/s  ETA 3s" on stderr, redrawn at most ~10 times a second.
// Silent when stderr is not a terminal (CI, pipes, files) or when TDLAB_QUIET is set.
// update() is thread-safe and cheap (one atomic add; the redraw is rate-limited).
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
    Progress(std::string label, uint64_t total, std::string unit = "it");
    ~Progress();
    void add(uint64_t n = 1);
    void finish();
    static bool enabled();

    // For an embedding front end (the Python module): while `poll` is set, add() calls it with the
    // progress so far (done, total) about every 50 ms, only on the thread that set it (the one the front
    // end can interrupt and draw from), and throws Interrupted when it returns true. A library loop that reports
    // progress thus stops at its next report; loops that report from inside an OpenMP region catch and rethrow after
    // the region. nullptr clears it.
    static void set_interrupt_poll(bool (*poll)(uint64_t done, uint64_t total));

  private:
    void poll_interrupt();
    void draw(bool final);
    std::string label_, unit_;
    uint64_t total_;
    std::atomic<uint64_t> done_{0};
    std::atomic<int64_t> last_draw_ns_{0};
    std::chrono::steady_clock::time_point start_;
    std::mutex mu_;
    bool active_;
    bool finished_ = false;
};

} // namespace tdlab
