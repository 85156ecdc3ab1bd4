// Grad mode, per thread (torch's GradMode is thread-local too).
//
// The flag is a C++ thread_local: the forward fast paths read it directly, and Python reads and
// writes it through one object, `_core.grad_mode`, that behaves like the one-element list
// `grad_mode._enabled` always was (`cell[0]`, `cell[0] = b`), so every `_gm._enabled[0]` in the
// Python ops is per thread without change. A new thread starts with grad mode on.
#pragma once

#include <Python.h>

namespace chaingrad {
namespace gradmode {

extern thread_local bool tl_enabled;

inline bool enabled() { return tl_enabled; }

// The process-wide cell object (a new reference each call; the same object every time).
PyObject* cell();

// Whether `o` is that cell.
bool is_cell(PyObject* o);

}  // namespace gradmode
}  // namespace chaingrad
