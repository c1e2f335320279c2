// tdlab._core: the compiled half of `import tdlab`. Errors map as in the CLI: UsageError (exit 2) ->
// ValueError, RuntimeError (exit 1) -> RuntimeError; an interrupted call re-raises KeyboardInterrupt.
#include "common.h"
#include "core/version.h"

#include "core/blas_kernels.h"
#include "core/isa.h"

#include "core/error.h"
#include "core/heap.h"
#include "core/interrupt_cleanup.h"
#include "core/paths.h"
#include "core/progress.h"
#include "core/run_dir.h"

namespace tdlab::python {

namespace {
// The progress callable of the call in flight (None: none). Only touched with the GIL held.
py::object &progress_callback() {
    static auto *cb = new py::object(py::none()); // never destroyed: no Python calls at exit
    return *cb;
}

bool poll_python(uint64_t done, uint64_t total) {
    py::gil_scoped_acquire gil;
    py::object &cb = progress_callback();
    if (!cb.is_none()) {
        try {
            cb(done, total);
        } catch (py::error_already_set &e) {
            e.restore(); // raised again when the call returns (see the Interrupted translator)
            return true;
        }
    }
    return PyErr_CheckSignals() != 0; // runs Python's SIGINT handler: KeyboardInterrupt is now set
}
} // namespace

InterruptScope::InterruptScope(py::object progress)
    : previous_(progress_callback()),
      previous_front_end_reports_(Progress::set_front_end_reports(!progress.is_none())) {
    progress_callback() = std::move(progress);
    Progress::set_interrupt_poll(poll_python);
}
InterruptScope::~InterruptScope() {
    Progress::set_interrupt_poll(nullptr);
    Progress::set_front_end_reports(previous_front_end_reports_);
    py::gil_scoped_acquire gil;
    progress_callback() = std::move(previous_);
}

Config load_config(const ConfigSchema &schema, const std::optional<std::string> &file,
                   const std::vector<std::string> &sets, const std::string &default_file) {
    std::optional<std::filesystem::path> path;
    if (file && !file->empty())
        path = std::filesystem::absolute(resolve_config_path(*file)).lexically_normal();
    else if (!default_file.empty())
        path = resolve_config_path(default_file);
    return Config::load(schema, path, sets);
}

void set_python_command_line(const std::string &command) {
    std::string text = "python: tdlab " + command;
    char *argv[] = {text.data()};
    set_command_line(1, argv);
}

} // namespace tdlab::python

PYBIND11_MODULE(_core, m) {
    namespace py = pybind11;
    m.doc() = "tdlab C++ core (see the tdlab package for the documented API)";
    tdlab::keep_freed_memory_for_reuse();
    // Ctrl-C belongs to Python (KeyboardInterrupt, `finally`, Jupyter's interrupt): the CLI's handler that
    // removes staging directories and exits 130 would end the interpreter. Unwinding removes them here.
    tdlab::leave_signals_to_host();
    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const tdlab::Interrupted &) {
            // The poll left KeyboardInterrupt set; if a library caught and replaced it, raise a fresh one.
            if (!PyErr_Occurred()) PyErr_SetNone(PyExc_KeyboardInterrupt);
        } catch (const tdlab::UsageError &e) {
            PyErr_SetString(PyExc_ValueError, e.what());
        } catch (const tdlab::RuntimeError &e) {
            PyErr_SetString(PyExc_RuntimeError, e.what());
        }
    });
    m.attr("__version__") = tdlab::version();
    m.def("blas_core", &tdlab::blas_core_name, "OpenBLAS's kernels in this process (manifest.json's blas_core)");
    m.def("vector_isa", &tdlab::vector_isa,
          "The vector level tdlab's own kernels run in this process (manifest.json's vector_isa)");
    m.def("better_blas_core", &tdlab::better_blas_core,
          "OPENBLAS_CORETYPE to start Python with where OpenBLAS fell back to Prescott on an AVX2 / AVX-512 CPU, "
          "else ''");
    m.attr("git_commit") = tdlab::git_commit();
    tdlab::python::bind_runs(m);
    tdlab::python::bind_dynamics(m);
}
