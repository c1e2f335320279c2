// The command line's malloc: jemalloc where the build found it (CMake option TDLAB_JEMALLOC, on by default;
// off in the sanitizer presets, whose runtimes bring their own malloc), glibc's otherwise.
//
// Why: a DMFT sweep touches ~150 MB of fresh memory (each block's recorded windows, the 0-1 test's work
// arrays, each chunk's and the final tables' arrays), and on the virtual machines tdlab is built and
// measured on a page fault costs several microseconds: glibc faulted 36,700 times in a Fig 3a sweep (4 KiB
// pages; raising its mmap and trim thresholds, core/heap.h, changes nothing there because the memory is
// new, not re-faulted). jemalloc serves it with fewer, cheaper faults: `oversize_threshold:0` keeps
// allocations of 8 MiB and more in the ordinary arenas, which reuse freed memory, instead of a dedicated
// arena that returns it to the kernel at once (jemalloc's defaults faulted 115,000 times), and `thp:always`
// asks for transparent huge pages on its mappings (a madvise: works under the kernel's default THP mode
// "madvise", without root; ~4,000 faults). Measured on a 2-core Zen 5 VM, Fig 3a without figures, five runs
// alternated, medians: glibc 3.82 s, jemalloc with oversize_threshold:0 3.53 s, with both options 3.41 s;
// the whole command in a later window: 3.53 s, 3.65 s with `MALLOC_CONF=thp:default`, 3.99 s for the binary
// on glibc (docs/performance.md, "2026-12-02 (third session)"): most of the gain is jemalloc's reuse, the
// huge pages ~3% more. Only where memory comes from changes, never a computed value: every output keeps its
// bytes (checked with cmp on Fig 3a and the quick sweeps).
//
// A user's MALLOC_CONF still wins: jemalloc reads the string below first, then the environment.
#include "cli/allocator.h"

#include <fmt/format.h>

#ifdef TDLAB_HAVE_JEMALLOC
#include <jemalloc/jemalloc.h>

extern "C" {
// Read by jemalloc when it initialises (before main); the symbol must be in the executable itself.
const char *malloc_conf = "thp:always,oversize_threshold:0";
}
#endif

namespace tdlab::cli {

std::string allocator_description() {
#ifdef TDLAB_HAVE_JEMALLOC
    const char *version = "?", *thp = "?";
    size_t oversize = 0, len = sizeof(const char *);
    mallctl("version", &version, &len, nullptr, 0);
    len = sizeof(const char *);
    mallctl("opt.thp", &thp, &len, nullptr, 0);
    len = sizeof(size_t);
    mallctl("opt.oversize_threshold", &oversize, &len, nullptr, 0);
    std::string v = version;
    v = v.substr(0, v.find('-')); // "5.3.0-0-g<commit>" -> "5.3.0"
    return fmt::format("allocator: jemalloc {} (thp {}, oversize_threshold {})", v, thp, oversize);
#else
    return "allocator: glibc malloc";
#endif
}

} // namespace tdlab::cli
