#include "dmft/window.h"

#include "core/error.h"

#include <fmt/format.h>

namespace tdlab::dmft {

Window Window::from(const Config &cfg) {
    Window w;
    w.steps = cfg.get_int("dmft.steps");
    w.transient = cfg.get_int("dmft.transient");
    if (cfg.schema().find("dmft.save_every")) w.save_every = cfg.get_int("dmft.save_every");
    w.check();
    return w;
}

void Window::check() const {
    if (transient >= steps)
        throw UsageError(
            fmt::format("config key 'dmft.transient' = {} must be smaller than 'dmft.steps' = {}", transient, steps));
}

void Window::check_start(int64_t t, const std::string &start) const {
    if (t >= steps - 1)
        throw UsageError(fmt::format("config key 'dmft.steps' = {} is not past the start's step t = {} ('dmft.start' = "
                                     "{}): nothing would run. dmft.steps counts from t = 0: to continue n more "
                                     "steps set dmft.steps = {} + n",
                                     steps, t, start, t + 1));
}

} // namespace tdlab::dmft
