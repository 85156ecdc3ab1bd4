#include "tensor.h"

#include <structmember.h>

#include <string>

#include "engine.h"

namespace chaingrad {
namespace tensor {

State st;

namespace {

const char* slot_name(Slot s) {
  switch (s) {
    case DATA: return "_data";
    case REQUIRES_GRAD: return "_requires_grad";
    case GRAD_FN: return "_grad_fn";
    case OUTPUT_NR: return "_output_nr";
    case ACC: return "_acc";
    case VC: return "_vc";
    case RETAIN: return "_retain";
    case VIEW: return "_view";
    default: return "";
  }
}

// The offset of a T_OBJECT_EX member slot defined by `cls` itself, or -1.
Py_ssize_t member_offset(PyTypeObject* cls, PyObject* descr) {
  if (!descr || Py_TYPE(descr) != &PyMemberDescr_Type) return -1;
  auto* md = reinterpret_cast<PyMemberDescrObject*>(descr);
  if (md->d_common.d_type != cls || !md->d_member || md->d_member->type != T_OBJECT_EX ||
      (md->d_member->flags & READONLY))
    return -1;
  return md->d_member->offset;
}

bool immutable_default(PyObject* v) {
  return v == Py_None || PyBool_Check(v) || PyLong_CheckExact(v) || PyFloat_CheckExact(v) ||
         PyUnicode_CheckExact(v);
}

// Learn the layout: every slot of the class must be a plain member, and a tensor made by
// _from_array must hold only immutable defaults (so the C++ constructor can share them).
bool learn_layout(py::handle cls) {
  auto* type = reinterpret_cast<PyTypeObject*>(cls.ptr());
  py::dict d = py::reinterpret_borrow<py::dict>(type->tp_dict);
  for (int s = 0; s < NUM_SLOTS; ++s) {
    Py_ssize_t off = member_offset(type, PyDict_GetItemString(d.ptr(), slot_name(Slot(s))));
    if (off < 0) return false;
    st.offset[s] = off;
  }
  if (type->tp_alloc != PyType_GenericAlloc || type->tp_itemsize != 0) return false;
  py::object probe_arr = py::module_::import("numpy").attr("zeros")(0);
  py::object probe = cls.attr("_from_array")(probe_arr);
  if (Py_TYPE(probe.ptr()) != type) return false;
  for (auto item : d) {
    Py_ssize_t off = member_offset(type, item.second.ptr());
    if (off < 0) continue;
    if (off == st.offset[DATA]) continue;
    PyObject* v = *reinterpret_cast<PyObject**>(reinterpret_cast<char*>(probe.ptr()) + off);
    if (!v || !immutable_default(v)) return false;
    Py_INCREF(v);  // kept for the life of the process
    st.defaults.emplace_back(off, v);
  }
  return true;
}

}  // namespace

bool ready() {
  if (st.type) return true;
  PyObject* cls = PyObject_GetAttrString(bridge.module, "Tensor");
  if (!cls) throw py::error_already_set();
  if (cls == Py_None || !PyType_Check(cls)) {
    Py_DECREF(cls);
    return false;
  }
  for (int s = 0; s < NUM_SLOTS; ++s) {
    st.name[s] = PyUnicode_InternFromString(slot_name(Slot(s)));
    if (!st.name[s]) throw py::error_already_set();
  }
  try {
    st.fast = learn_layout(cls);
  } catch (py::error_already_set&) {
    st.fast = false;
  }
  if (!st.fast) {
    for (auto& d : st.defaults) Py_DECREF(d.second);
    st.defaults.clear();
  }
  st.type = reinterpret_cast<PyTypeObject*>(cls);  // keeps the reference
  return true;
}

void require() {
  if (!ready()) throw std::runtime_error("chaingrad._core: the Tensor class is not bound yet");
}

py::object get(PyObject* t, Slot s) {
  if (st.fast && check(t)) {
    PyObject* v = raw(t, s);
    if (!v) {
      PyErr_Format(PyExc_AttributeError, "'%s' object has no attribute '%s'",
                   Py_TYPE(t)->tp_name, slot_name(s));
      throw py::error_already_set();
    }
    return py::reinterpret_borrow<py::object>(v);
  }
  PyObject* r = PyObject_GetAttr(t, st.name[s]);
  if (!r) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(r);
}

void set(PyObject* t, Slot s, PyObject* value) {
  if (st.fast && check(t)) {
    PyObject*& slot = *reinterpret_cast<PyObject**>(reinterpret_cast<char*>(t) + st.offset[s]);
    Py_INCREF(value);
    PyObject* old = slot;
    slot = value;
    Py_XDECREF(old);
    return;
  }
  if (PyObject_SetAttr(t, st.name[s], value) != 0) throw py::error_already_set();
}

py::object wrap(py::object array) {
  require();
  if (!st.fast) {
    PyObject* r = PyObject_CallMethod(reinterpret_cast<PyObject*>(st.type), "_from_array", "O",
                                      array.ptr());
    if (!r) throw py::error_already_set();
    return py::reinterpret_steal<py::object>(r);
  }
  PyObject* t = st.type->tp_alloc(st.type, 0);
  if (!t) throw py::error_already_set();
  char* base = reinterpret_cast<char*>(t);
  for (const auto& d : st.defaults) {
    Py_INCREF(d.second);
    *reinterpret_cast<PyObject**>(base + d.first) = d.second;
  }
  *reinterpret_cast<PyObject**>(base + st.offset[DATA]) = array.release().ptr();
  return py::reinterpret_steal<py::object>(t);
}

void bump_version(PyObject* t) {
  PyObject* vc = raw(t, VC);
  if (!vc || vc == Py_None) return;
  if (!PyList_Check(vc) || PyList_GET_SIZE(vc) < 1)
    throw py::type_error("chaingrad: a tensor's version counter must be a list");
  PyObject* one = PyLong_FromLong(1);
  PyObject* nv = one ? PyNumber_Add(PyList_GET_ITEM(vc, 0), one) : nullptr;
  Py_XDECREF(one);
  if (!nv) throw py::error_already_set();
  PyList_SetItem(vc, 0, nv);  // steals nv
}

}  // namespace tensor
}  // namespace chaingrad
