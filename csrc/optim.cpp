#include "optim.h"

#include <vector>

#include "npy.h"
#include "tensor.h"

namespace chaingrad {

namespace {

struct Item {
  PyObject* param;   // borrowed (the group's list holds it)
  py::object grad;   // the gradient's array
  py::object data;   // the parameter's array
  py::object state;  // its state dict (new or existing)
  py::object buf;    // momentum buffer array (null on the first step)
};

// A writeable, aligned, C-contiguous float32/float64 array: its type number, else 0.
int plain(PyObject* a) {
  const int t = npy::fast_float(a);
  return t && (npy::flags(a) & npy::kWriteable) ? t : 0;
}

template <typename T>
void update(T* p, const T* gr, T* buf, bool first, Py_ssize_t n, const SgdOptions& o) {
  const T wd = static_cast<T>(o.weight_decay), mom = static_cast<T>(o.momentum),
          damp = static_cast<T>(1.0 - o.dampening), lr = static_cast<T>(o.lr);
  for (Py_ssize_t i = 0; i < n; ++i) {
    T g = o.maximize ? -gr[i] : gr[i];
    if (o.weight_decay != 0) g = g + wd * p[i];
    if (o.momentum != 0) {
      T b;
      if (first) {
        b = g;
      } else {
        b = buf[i] * mom;
        b = b + damp * g;
      }
      buf[i] = b;
      g = o.nesterov ? g + mom * b : b;
    }
    p[i] = p[i] - lr * g;
  }
}

}  // namespace

bool sgd_step(py::list params, py::dict state, py::str buffer_key, const SgdOptions& o) {
  if (!tensor::ready() || !tensor::st.fast) return false;
  std::vector<Item> items;
  items.reserve(static_cast<size_t>(PyList_GET_SIZE(params.ptr())));
  static PyObject* s_grad = PyUnicode_InternFromString("grad");
  // First pass: check everything, change nothing (else the Python loop does the whole group).
  for (py::handle h : params) {
    PyObject* p = h.ptr();
    if (!tensor::check(p)) return false;
    py::object g = py::reinterpret_steal<py::object>(PyObject_GetAttr(p, s_grad));
    if (!g) throw py::error_already_set();
    if (g.is_none()) continue;
    if (!tensor::check(g.ptr())) return false;
    PyObject* gd = tensor::raw(g.ptr(), tensor::DATA);
    PyObject* pd = tensor::raw(p, tensor::DATA);
    if (!gd || !pd) return false;
    const int t = plain(pd);
    if (!t || npy::fast_float(gd) != t || !npy::same_shape(pd, gd) ||
        npy::data(pd) == npy::data(gd))
      return false;
    Item it{p, py::reinterpret_borrow<py::object>(gd), py::reinterpret_borrow<py::object>(pd),
            py::object(), py::object()};
    PyObject* st = PyDict_GetItemWithError(state.ptr(), p);
    if (!st && PyErr_Occurred()) throw py::error_already_set();
    if (st) {
      if (!PyDict_Check(st)) return false;
      it.state = py::reinterpret_borrow<py::object>(st);
      PyObject* b = PyDict_GetItemWithError(st, buffer_key.ptr());
      if (!b && PyErr_Occurred()) throw py::error_already_set();
      if (b && o.momentum != 0) {
        if (!tensor::check(b)) return false;
        PyObject* bd = tensor::raw(b, tensor::DATA);
        if (!bd || plain(bd) != t || !npy::same_shape(bd, pd)) return false;
        it.buf = py::reinterpret_borrow<py::object>(bd);
      }
    }
    items.push_back(std::move(it));
  }
  // Second pass: state dicts and new buffers, then the arithmetic, then the versions.
  for (Item& it : items) {
    if (!it.state) {
      it.state = py::dict();
      if (PyDict_SetItem(state.ptr(), it.param, it.state.ptr()) < 0)
        throw py::error_already_set();
    }
    const bool first = !it.buf;
    if (o.momentum != 0 && first) {
      it.buf = npy::empty_like(it.data.ptr());
      py::object bt = tensor::wrap(it.buf);
      if (PyDict_SetItem(it.state.ptr(), buffer_key.ptr(), bt.ptr()) < 0)
        throw py::error_already_set();
    }
    PyObject* pd = it.data.ptr();
    const Py_ssize_t n = npy::size(pd);
    if (npy::fast_float(pd) == npy::kFloat)
      update(reinterpret_cast<float*>(npy::data(pd)),
             reinterpret_cast<const float*>(npy::data(it.grad.ptr())),
             it.buf ? reinterpret_cast<float*>(npy::data(it.buf.ptr())) : nullptr, first, n, o);
    else
      update(reinterpret_cast<double*>(npy::data(pd)),
             reinterpret_cast<const double*>(npy::data(it.grad.ptr())),
             it.buf ? reinterpret_cast<double*>(npy::data(it.buf.ptr())) : nullptr, first, n,
             o);
    // p._bump_version()
    PyObject* vc = tensor::raw(it.param, tensor::VC);
    if (vc && PyList_Check(vc) && PyList_GET_SIZE(vc) > 0) {
      py::object v = py::reinterpret_borrow<py::object>(PyList_GET_ITEM(vc, 0));
      py::object nv = v + py::int_(1);
      if (PyList_SetItem(vc, 0, nv.release().ptr()) < 0) throw py::error_already_set();
    }
  }
  return true;
}

}  // namespace chaingrad
