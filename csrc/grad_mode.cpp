// The per-thread grad-mode flag and its Python face (see grad_mode.h).
#include "grad_mode.h"

namespace chaingrad {
namespace gradmode {

thread_local bool tl_enabled = true;

namespace {

struct Cell {
  PyObject_HEAD
};

// Index 0 (or -1) only, like a one-element list.
bool index_ok(PyObject* key) {
  if (!PyLong_Check(key)) {
    PyErr_Format(PyExc_TypeError, "grad mode cell indices must be integers, not %.200s",
                 Py_TYPE(key)->tp_name);
    return false;
  }
  const long i = PyLong_AsLong(key);
  if (i == -1 && PyErr_Occurred()) return false;
  if (i != 0 && i != -1) {
    PyErr_SetString(PyExc_IndexError, "grad mode cell index out of range");
    return false;
  }
  return true;
}

Py_ssize_t cell_len(PyObject*) { return 1; }

PyObject* cell_get(PyObject*, PyObject* key) {
  if (!index_ok(key)) return nullptr;
  PyObject* r = tl_enabled ? Py_True : Py_False;
  Py_INCREF(r);
  return r;
}

int cell_set(PyObject*, PyObject* key, PyObject* value) {
  if (!value) {
    PyErr_SetString(PyExc_TypeError, "the grad mode cell's item cannot be deleted");
    return -1;
  }
  if (!index_ok(key)) return -1;
  const int r = PyObject_IsTrue(value);
  if (r < 0) return -1;
  tl_enabled = r != 0;
  return 0;
}

PyObject* cell_repr(PyObject*) {
  return PyUnicode_FromString(tl_enabled ? "GradModeCell([True])" : "GradModeCell([False])");
}

PyMappingMethods cell_mapping = {cell_len, cell_get, cell_set};

PyTypeObject CellType = [] {
  // Zero-initialised, then the head PyVarObject_HEAD_INIT would write (as a braced initializer
  // it leaves the other members to -Wmissing-field-initializers); PyType_Ready sets ob_type.
  PyTypeObject t{};
  Py_SET_REFCNT(reinterpret_cast<PyObject*>(&t), 1);
  t.tp_name = "chaingrad._core.GradModeCell";
  t.tp_basicsize = sizeof(Cell);
  t.tp_flags = Py_TPFLAGS_DEFAULT;
  t.tp_doc = "This thread's grad mode as a one-element sequence: cell[0] reads, cell[0] = b sets.";
  t.tp_as_mapping = &cell_mapping;
  t.tp_repr = cell_repr;
  return t;
}();

PyObject* the_cell = nullptr;  // process lifetime, never released

}  // namespace

PyObject* cell() {
  if (!the_cell) {
    if (PyType_Ready(&CellType) < 0) return nullptr;
    the_cell = PyObject_New(PyObject, &CellType);
    if (!the_cell) return nullptr;
  }
  Py_INCREF(the_cell);
  return the_cell;
}

bool is_cell(PyObject* o) { return o && Py_TYPE(o) == &CellType; }

}  // namespace gradmode
}  // namespace chaingrad
