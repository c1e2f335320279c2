// Terminal progress: "label  42.0%  1234 it/s  ETA 3s" on stderr, redrawn at most ~10 times a second.
// Silent when stderr is not a terminal (CI, pipes, files) or when TDLAB_QUIET is set.
// update() is thread-safe and cheap (one atomic add; the redraw is rate-limited).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace tdlab {

class Progress {
  public:
    Progress(std::string label, uint64_t total, std::string unit = "it");
    ~Progress();
    void add(uint64_t n = 1);
    void finish();
    static bool enabled();

  private:
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
