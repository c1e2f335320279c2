// Shared plumbing of the tdlab Python module: configs from Python arguments, the GIL/interrupt guard
// around long calls, and NumPy arrays that own C++ buffers.
#pragma once

#include "core/config.h"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <optional>
#include <string>
#include <vector>

namespace tdlab::python {

namespace py = pybind11;

// The config of a command as the CLI resolves it: `file` (or the command's default file when empty and
// `default_file` is given) and "key=value" overrides in order. UsageError (ValueError) naming the key.
Config load_config(const ConfigSchema &schema, const std::optional<std::string> &file,
                   const std::vector<std::string> &sets, const std::string &default_file = "");

// While alive, Progress::add polls Python from this thread about every 50 ms: it calls `progress(done,
// total)` unless that is None, then Python's signal handlers (Ctrl-C raises KeyboardInterrupt). An
// exception from either stops the long call at its next progress report (tdlab::Interrupted) and is
// raised. A callable `progress` also silences the C++ progress lines for the call (it reports instead).
// Constructed with the GIL held, before the GIL is released.
class InterruptScope {
  public:
    explicit InterruptScope(py::object progress = py::none());
    ~InterruptScope();

  private:
    py::object previous_;
    bool previous_front_end_reports_;
};

// Records a manifest command line for runs started from Python ("python: tdlab <command>").
void set_python_command_line(const std::string &command);

// A NumPy array viewing `v`'s buffer, owning it (moved to the heap and freed with the array): no copy.
template <class T> py::array_t<T> to_numpy(std::vector<T> &&v, std::vector<py::ssize_t> shape) {
    auto *owner = new std::vector<T>(std::move(v));
    py::capsule cap(owner, [](void *p) { delete static_cast<std::vector<T> *>(p); });
    return py::array_t<T>(shape, owner->data(), cap);
}

// Registration of each group's functions on the module.
void bind_runs(py::module_ &m);
void bind_dynamics(py::module_ &m);

} // namespace tdlab::python
