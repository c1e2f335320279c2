// std::vector whose storage starts on a 64-byte boundary (a cache line, one AVX-512 register).
//
// glibc's malloc returns 16-byte aligned blocks, so where a buffer starts within a cache line differs from
// run to run of the same program (it depends on what was allocated and freed before). For the small BLAS
// products of the Scan and Snap model (rows of M = 240 floats = 15 cache lines) that decided whether every
// vector load of a row crossed a line, and moved a run's time by ~20% (docs/performance.md, "Aligned
// buffers", has the measurement). Aligned storage makes the time, not the result, independent of the heap's
// history: the arithmetic does not depend on addresses.
#pragma once

#include <cstddef>
#include <new>
#include <vector>

namespace tdlab {

template <class T> struct CacheLineAllocator {
    using value_type = T;
    static constexpr std::size_t kAlignment = 64;
    CacheLineAllocator() = default;
    template <class U> CacheLineAllocator(const CacheLineAllocator<U> &) noexcept {}
    T *allocate(std::size_t n) { return static_cast<T *>(::operator new(n * sizeof(T), std::align_val_t(kAlignment))); }
    void deallocate(T *p, std::size_t n) noexcept { ::operator delete(p, n * sizeof(T), std::align_val_t(kAlignment)); }
    template <class U> bool operator==(const CacheLineAllocator<U> &) const noexcept { return true; }
    template <class U> bool operator!=(const CacheLineAllocator<U> &) const noexcept { return false; }
};

template <class T> using AlignedVector = std::vector<T, CacheLineAllocator<T>>;

} // namespace tdlab
