#include "optim.h"

#include <cmath>
#include <cstring>
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

enum class Param { Use, Skip, Refuse };

// Checks one parameter for the native steps: Skip when its .grad is None, Use (with the
// gradient's and the parameter's arrays in gd/pd) when both are plain arrays of one float
// dtype and shape with separate buffers, Refuse otherwise (the Python loop then takes the
// whole group, so nothing may have changed yet).
Param check_param(PyObject* p, py::object& gd, py::object& pd) {
  static PyObject* s_grad = PyUnicode_InternFromString("grad");
  if (!tensor::check(p)) return Param::Refuse;
  py::object g = py::reinterpret_steal<py::object>(PyObject_GetAttr(p, s_grad));
  if (!g) throw py::error_already_set();
  if (g.is_none()) return Param::Skip;
  if (!tensor::check(g.ptr())) return Param::Refuse;
  PyObject* graw = tensor::raw(g.ptr(), tensor::DATA);
  PyObject* praw = tensor::raw(p, tensor::DATA);
  if (!graw || !praw) return Param::Refuse;
  const int t = plain(praw);
  if (!t || npy::fast_float(graw) != t || !npy::same_shape(praw, graw) ||
      npy::data(praw) == npy::data(graw))
    return Param::Refuse;
  gd = py::reinterpret_borrow<py::object>(graw);
  pd = py::reinterpret_borrow<py::object>(praw);
  return Param::Use;
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
  // First pass: check everything, change nothing (else the Python loop does the whole group).
  for (py::handle h : params) {
    PyObject* p = h.ptr();
    py::object gd, pd;
    const Param use = check_param(p, gd, pd);
    if (use == Param::Refuse) return false;
    if (use == Param::Skip) continue;
    Item it{p, std::move(gd), std::move(pd), py::object(), py::object()};
    PyObject* const data = it.data.ptr();
    const int t = plain(data);
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
        if (!bd || plain(bd) != t || !npy::same_shape(bd, data)) return false;
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
    tensor::bump_version(it.param);
  }
  return true;
}

}  // namespace chaingrad

namespace chaingrad {

namespace {

// A state entry: a Tensor over a plain array of `type` and `like`'s shape (null when absent;
// false when present but unusable).
bool state_array(PyObject* st, PyObject* key, int type, PyObject* like, py::object& out) {
  PyObject* v = PyDict_GetItemWithError(st, key);
  if (!v) {
    if (PyErr_Occurred()) throw py::error_already_set();
    return true;
  }
  if (!tensor::check(v)) return false;
  PyObject* d = tensor::raw(v, tensor::DATA);
  if (!d || plain(d) != type || (like && !npy::same_shape(d, like))) return false;
  out = py::reinterpret_borrow<py::object>(d);
  return true;
}

template <typename T>
void adam_update(T* p, const T* gr, T* m, T* v, T* vmax, Py_ssize_t n, const AdamOptions& o,
                 double step_size, double bc2_sqrt) {
  const T wd = static_cast<T>(o.weight_decay), shrink = static_cast<T>(1 - o.lr * o.weight_decay);
  const double w = 1 - o.beta1;
  const T tw = static_cast<T>(w), tw1 = static_cast<T>(1 - w), b2 = static_cast<T>(o.beta2),
          ob2 = static_cast<T>(1 - o.beta2), bc = static_cast<T>(bc2_sqrt),
          eps = static_cast<T>(o.eps), ss = static_cast<T>(step_size);
  for (Py_ssize_t i = 0; i < n; ++i) {
    T g = o.maximize ? -gr[i] : gr[i];
    if (o.weight_decay != 0) {
      if (o.decoupled) p[i] = p[i] * shrink;
      else g = g + wd * p[i];
    }
    m[i] = w < 0.5 ? m[i] + tw * (g - m[i]) : g - (g - m[i]) * tw1;
    T vi = v[i] * b2;
    vi = vi + (ob2 * g) * g;
    v[i] = vi;
    T d;
    if (vmax) {
      const T a = vmax[i];
      const T mx = std::isnan(a) ? a : (std::isnan(vi) ? vi : (a > vi ? a : vi));
      vmax[i] = mx;
      d = std::sqrt(mx) / bc + eps;
    } else {
      d = std::sqrt(vi) / bc + eps;
    }
    p[i] = p[i] - ss * (m[i] / d);
  }
}

struct AdamItem {
  PyObject* param;
  py::object grad, data, state, step, m, v, vmax;
};

}  // namespace

bool adam_step(py::list params, py::dict state, const AdamOptions& o) {
  if (!tensor::ready() || !tensor::st.fast) return false;
  static PyObject* k_step = PyUnicode_InternFromString("step");
  static PyObject* k_m = PyUnicode_InternFromString("exp_avg");
  static PyObject* k_v = PyUnicode_InternFromString("exp_avg_sq");
  static PyObject* k_vmax = PyUnicode_InternFromString("max_exp_avg_sq");
  std::vector<AdamItem> items;
  for (py::handle h : params) {
    PyObject* p = h.ptr();
    py::object gd, pd;
    const Param use = check_param(p, gd, pd);
    if (use == Param::Refuse) return false;
    if (use == Param::Skip) continue;
    AdamItem it{p, std::move(gd), std::move(pd), {}, {}, {}, {}, {}};
    PyObject* const data = it.data.ptr();
    const int t = plain(data);
    PyObject* st = PyDict_GetItemWithError(state.ptr(), p);
    if (!st && PyErr_Occurred()) throw py::error_already_set();
    if (st) {
      if (!PyDict_Check(st)) return false;
      it.state = py::reinterpret_borrow<py::object>(st);
      const bool has_m = PyDict_Contains(st, k_m) == 1;
      if (!state_array(st, k_step, npy::kFloat, nullptr, it.step) ||
          (it.step && npy::ndim(it.step.ptr()) != 0) || !state_array(st, k_m, t, data, it.m) ||
          !state_array(st, k_v, t, data, it.v) ||
          (o.amsgrad && !state_array(st, k_vmax, t, data, it.vmax)))
        return false;
      // Partial states (e.g. amsgrad switched on later) are the Python loop's to handle.
      if (has_m && (!it.v || (o.amsgrad && !it.vmax))) return false;
      if (!has_m && (it.v || it.vmax)) return false;
    }
    items.push_back(std::move(it));
  }
  for (AdamItem& it : items) {
    PyObject* pd = it.data.ptr();
    if (!it.state) {
      it.state = py::dict();
      if (PyDict_SetItem(state.ptr(), it.param, it.state.ptr()) < 0)
        throw py::error_already_set();
    }
    PyObject* st = it.state.ptr();
    if (!it.step) {  // a float32 0-d tensor, first in the dict like torch's
      it.step = npy::empty(npy::builtin_descr(npy::kFloat), 0, nullptr);
      *reinterpret_cast<float*>(npy::data(it.step.ptr())) = 0.0f;
      py::object tt = tensor::wrap(it.step);
      if (PyDict_SetItem(st, k_step, tt.ptr()) < 0) throw py::error_already_set();
    }
    float* sp = reinterpret_cast<float*>(npy::data(it.step.ptr()));
    *sp = *sp + 1.0f;
    const double step = static_cast<double>(*sp);
    if (!it.m) {
      auto zeros = [&](PyObject* key) {
        py::object a = npy::empty_like(pd);
        std::memset(npy::data(a.ptr()), 0, static_cast<size_t>(npy::size(pd)) * (npy::fast_float(pd) == npy::kFloat ? 4 : 8));
        py::object tt = tensor::wrap(a);
        if (PyDict_SetItem(st, key, tt.ptr()) < 0) throw py::error_already_set();
        return a;
      };
      it.m = zeros(k_m);
      it.v = zeros(k_v);
      if (o.amsgrad) it.vmax = zeros(k_vmax);
    }
    const double bc1 = 1 - std::pow(o.beta1, step), bc2 = 1 - std::pow(o.beta2, step);
    const double step_size = o.lr / bc1, bc2_sqrt = std::sqrt(bc2);
    const Py_ssize_t n = npy::size(pd);
    auto P = [](const py::object& a) { return a ? npy::data(a.ptr()) : nullptr; };
    if (npy::fast_float(pd) == npy::kFloat)
      adam_update(reinterpret_cast<float*>(P(it.data)), reinterpret_cast<const float*>(P(it.grad)),
                  reinterpret_cast<float*>(P(it.m)), reinterpret_cast<float*>(P(it.v)),
                  reinterpret_cast<float*>(P(it.vmax)), n, o, step_size, bc2_sqrt);
    else
      adam_update(reinterpret_cast<double*>(P(it.data)),
                  reinterpret_cast<const double*>(P(it.grad)), reinterpret_cast<double*>(P(it.m)),
                  reinterpret_cast<double*>(P(it.v)), reinterpret_cast<double*>(P(it.vmax)), n, o,
                  step_size, bc2_sqrt);
    tensor::bump_version(it.param);
  }
  return true;
}

}  // namespace chaingrad
