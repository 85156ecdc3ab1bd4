// The Python Tensor class seen from C++: its slots read and written at their fixed offsets
// (found once from the class's member descriptors) and a constructor that skips __init__,
// exactly like Tensor._from_array. When the class does not have the expected layout, every
// accessor falls back to getattr/setattr and the fast forward paths stay off.
#pragma once

#include <pybind11/pybind11.h>

#include <utility>
#include <vector>

namespace py = pybind11;

namespace chaingrad {
namespace tensor {

enum Slot : int { DATA, REQUIRES_GRAD, GRAD_FN, OUTPUT_NR, ACC, VC, RETAIN, VIEW, NUM_SLOTS };

struct State {
  PyTypeObject* type = nullptr;      // the Tensor class (strong reference)
  Py_ssize_t offset[NUM_SLOTS] = {};  // byte offsets; valid when `fast`
  PyObject* name[NUM_SLOTS] = {};    // interned attribute names
  bool fast = false;                 // slots at fixed offsets, fast constructor usable
  // Every member slot of the class and the value a fresh tensor holds there.
  std::vector<std::pair<Py_ssize_t, PyObject*>> defaults;
};
extern State st;

// Binds the Tensor class on first use (it is defined after the engine is loaded).
// Returns false (with no Python error set) while the class is not known yet.
bool ready();
void require();  // like ready(), but throws when the class is still unknown

inline bool check(PyObject* o) { return PyObject_TypeCheck(o, st.type) != 0; }

// A borrowed slot value (null when unset): fast layout only.
inline PyObject* raw(PyObject* t, Slot s) {
  return *reinterpret_cast<PyObject**>(reinterpret_cast<char*>(t) + st.offset[s]);
}

py::object get(PyObject* t, Slot s);             // new reference; AttributeError when unset
void set(PyObject* t, Slot s, PyObject* value);  // value borrowed

// t._bump_version() after an in-place write: the version counter (a one-element list shared
// by views) goes up by one. Throws when the counter is not such a list. Fast layout only.
void bump_version(PyObject* t);

// Tensor._from_array(array): a new leaf wrapping `array` (no copy, no checks).
py::object wrap(py::object array);

}  // namespace tensor
}  // namespace chaingrad
