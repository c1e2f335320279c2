#include "core/memory_budget.h"

#include "core/error.h"

#include <fmt/format.h>
#include <unistd.h>

namespace tdlab {

size_t physical_memory_bytes() {
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    return pages > 0 && page > 0 ? size_t(pages) * size_t(page) : size_t(8) << 30;
}

void check_memory_budget(double bytes, const std::string &keys, const std::string &what, const std::string &hint) {
    const double have = double(physical_memory_bytes());
    if (!(bytes <= have / 4 * 3)) {
        throw UsageError(
            fmt::format("config keys {}: {} needs {:.1f} GiB, more than 3/4 of this machine's {:.1f} GiB{}", keys, what,
                        bytes / 1073741824.0, have / 1073741824.0, hint.empty() ? "" : "; " + hint));
    }
}

} // namespace tdlab
