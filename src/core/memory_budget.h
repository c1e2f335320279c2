// Up-front memory estimates: a command that would allocate more than this machine has is refused before
// any work, with exit 2 naming the config keys that set the size (rather than dying later in
// std::bad_alloc or the kernel's OOM killer with half the work done).
#pragma once

#include <cstddef>
#include <string>

namespace tdlab {

// Physical memory of this machine in bytes (sysconf; 8 GiB if the system does not say).
size_t physical_memory_bytes();

// UsageError "config keys <keys>: <what> needs X GiB, more than 3/4 of this machine's Y GiB<hint>" when
// `bytes` (an estimate of what the command will hold at once; a double, so that absurd sizes do not
// overflow) exceeds 3/4 of the physical memory.
void check_memory_budget(double bytes, const std::string &keys, const std::string &what, const std::string &hint = "");

} // namespace tdlab
