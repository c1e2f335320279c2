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

} // namespace tdlab::dmft
