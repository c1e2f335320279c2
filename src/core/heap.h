// Heap tuning for processes that run many short simulations (sweeps of thousands of training runs).
//
// Why: glibc serves every allocation over 128 KiB (a parameter matrix, an optimiser state) with a fresh
// mmap and returns it to the kernel on free, so each run of a sweep page-faults its whole working set
// again; on the virtualised build machine the faults alone cost about a quarter of a Scan and Snap run
// (measured with perf: page-fault handling under memset in train()). Keeping freed memory in the heap
// makes the next run reuse the same pages. Changes only where memory comes from, never a computed value.
#pragma once

namespace tdlab {

// Raises glibc's mmap and trim thresholds (64 MiB / 256 MiB). Call once at the start of main().
void keep_freed_memory_for_reuse();

} // namespace tdlab
