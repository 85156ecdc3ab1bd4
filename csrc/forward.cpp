#include "forward.h"

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine.h"
#include "forward_shape.h"
#include "grad_mode.h"
#include "graph.h"
#include "npy.h"
#include "tensor.h"

namespace chaingrad {

namespace {

enum Op : int {
  OP_ADD, OP_SUB, OP_RSUB, OP_MUL, OP_DIV, OP_RDIV, OP_POW,
  OP_NEG, OP_EXP, OP_LOG, OP_TANH, OP_SIGMOID, OP_RELU,
  OP_MATMUL, OP_SUM, OP_MEAN,
  // view ops (forward_shape.cpp)
  OP_VIEW, OP_RESHAPE, OP_UNSQUEEZE, OP_SQUEEZE, OP_PERMUTE, OP_TRANSPOSE, OP_GETITEM, OP_EXPAND,
  N_OPS
};

struct Entry {
  const char* name;
  Op op;
};

constexpr Entry kEntries[] = {
    {"__add__", OP_ADD},      {"__radd__", OP_ADD},  {"add", OP_ADD},
    {"__sub__", OP_SUB},      {"sub", OP_SUB},       {"__rsub__", OP_RSUB},
    {"__mul__", OP_MUL},      {"__rmul__", OP_MUL},  {"mul", OP_MUL},
    {"__truediv__", OP_DIV},  {"div", OP_DIV},       {"__rtruediv__", OP_RDIV},
    {"__pow__", OP_POW},      {"pow", OP_POW},       {"__neg__", OP_NEG},
    {"neg", OP_NEG},          {"exp", OP_EXP},       {"log", OP_LOG},
    {"tanh", OP_TANH},        {"sigmoid", OP_SIGMOID}, {"relu", OP_RELU},
    {"__matmul__", OP_MATMUL}, {"matmul", OP_MATMUL}, {"sum", OP_SUM},
    {"mean", OP_MEAN},        {"view", OP_VIEW},     {"reshape", OP_RESHAPE},
    {"unsqueeze", OP_UNSQUEEZE}, {"squeeze", OP_SQUEEZE}, {"permute", OP_PERMUTE},
    {"transpose", OP_TRANSPOSE}, {"__getitem__", OP_GETITEM},
    {"expand", OP_EXPAND},
};
constexpr size_t kNumEntries = sizeof(kEntries) / sizeof(kEntries[0]);

// Backward node names (torch's), interned once.
enum Name : int {
  N_ADD, N_SUB, N_RSUB, N_MUL, N_DIV, N_POW, N_NEG, N_EXP, N_LOG, N_TANH, N_SIGMOID, N_RELU,
  N_DOT, N_MV, N_MM, N_BMM, N_SUM0, N_SUM1, N_MEAN0, N_MEAN1, N_NAMES
};
const char* const kNames[N_NAMES] = {
    "AddBackward0", "SubBackward0", "RsubBackward1", "MulBackward0",
    "DivBackward0", "PowBackward0", "NegBackward0",  "ExpBackward0",
    "LogBackward0", "TanhBackward0", "SigmoidBackward0", "ReluBackward0",
    "DotBackward0", "MvBackward0", "MmBackward0", "BmmBackward0",
    "SumBackward0", "SumBackward1", "MeanBackward0", "MeanBackward1"};

// Process-lifetime references, deliberately never released: static destructors run after the
// interpreter has shut down, when a decref is no longer allowed.
struct State {
  bool on = false;
  PyObject* core = nullptr;                   // the _core module (lives for the process)
  PyObject* current = nullptr;                // engine._current (strong)
  PyObject* fallback[kNumEntries] = {};       // the Python ops (strong)
  PyObject* name[N_NAMES] = {};               // interned node names (strong)
  PyObject* ufunc[5] = {};                    // add, subtract, multiply, true_divide, matmul
  PyObject* add_reduce = nullptr;             // np.add.reduce
  PyObject* asarray = nullptr;                // np.asarray
  PyObject* kw_axis_keepdims = nullptr;       // ("axis", "keepdims")
  PyObject* str_dim = nullptr;                // "dim"
  PyObject* str_keepdim = nullptr;            // "keepdim"
  PyMethodDef defs[kNumEntries] = {};
  std::string docs[kNumEntries];
  uint64_t fast = 0, fallbacks = 0;
};
State S;

// ---- floating-point exception flags --------------------------------------------------------

// NumPy's four flags in either register (npy.h says why both); an underflow NumPy's errstate
// ignores does not count.
inline void fp_clear() { npy::fpflags::clear(); }
inline bool fp_raised() { return npy::fpflags::need_numpy(); }

// ---- loops ---------------------------------------------------------------------------------

// o[i] = f(a[i], b[i]); a stride of 0 broadcasts that operand's single element.
template <typename T, typename F>
void bin_loop(T* o, const T* a, bool sa, const T* b, bool sb, Py_ssize_t n, F f) {
  npy::GilRelease nogil(n >= npy::kReleaseGil);
  if (sa && sb) {
    for (Py_ssize_t i = 0; i < n; ++i) o[i] = f(a[i], b[i]);
  } else if (sa) {
    const T bv = *b;
    for (Py_ssize_t i = 0; i < n; ++i) o[i] = f(a[i], bv);
  } else if (sb) {
    const T av = *a;
    for (Py_ssize_t i = 0; i < n; ++i) o[i] = f(av, b[i]);
  } else {
    for (Py_ssize_t i = 0; i < n; ++i) o[i] = f(*a, *b);
  }
}

template <typename T, typename F>
void un_loop(T* o, const T* a, Py_ssize_t n, F f) {
  npy::GilRelease nogil(n >= npy::kReleaseGil);
  for (Py_ssize_t i = 0; i < n; ++i) o[i] = f(a[i]);
}

// NumPy's unary loop over contiguous in/out (stride 0 for one element, as NumPy passes a
// 0-d operand). False when the loop is unavailable.
bool run_unary(npy::LoopOp op, bool is64, const char* in, char* out, Py_ssize_t n) {
  const npy::Loop& lp = npy::loop(op, is64);
  if (!lp) return false;
  const Py_ssize_t st = n == 1 ? 0 : (is64 ? 8 : 4);
  char* args[2] = {const_cast<char*>(in), out};
  Py_ssize_t steps[2] = {st, st};
  npy::GilRelease nogil(n >= npy::kReleaseGil);
  lp.fn(args, &n, steps, lp.data);
  return true;
}

bool run_power(bool is64, const char* in, double e, char* out, Py_ssize_t n) {
  const npy::Loop& lp = npy::loop(npy::L_POWER, is64);
  if (!lp) return false;
  double e64 = e;
  float e32 = static_cast<float>(e);
  const Py_ssize_t st = n == 1 ? 0 : (is64 ? 8 : 4);
  char* args[3] = {const_cast<char*>(in),
                   is64 ? reinterpret_cast<char*>(&e64) : reinterpret_cast<char*>(&e32), out};
  Py_ssize_t steps[3] = {st, 0, st};
  npy::GilRelease nogil(n >= npy::kReleaseGil);
  lp.fn(args, &n, steps, lp.data);
  return true;
}

// ---- helpers ---------------------------------------------------------------------------------

bool grad_enabled() { return gradmode::enabled(); }  // this thread's mode

bool requires_grad(PyObject* t) { return tensor::raw(t, tensor::REQUIRES_GRAD) == Py_True; }

// A Python int or float usable as a `dtype`-exact scalar operand.
bool scalar_value(PyObject* o, int type, double& s) {
  if (PyFloat_CheckExact(o)) {
    s = PyFloat_AS_DOUBLE(o);
    return true;
  }
  if (PyLong_CheckExact(o)) {
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (overflow || (v == -1 && PyErr_Occurred())) {
      PyErr_Clear();
      return false;
    }
    // Beyond these, int -> float conversion could round twice; leave it to NumPy.
    const long long lim = type == npy::kFloat ? (1LL << 24) : (1LL << 53);
    if (v > lim || v < -lim) return false;
    s = static_cast<double>(v);
    return true;
  }
  return false;
}

template <typename T>
T* ptr(PyObject* a) {
  return reinterpret_cast<T*>(npy::data(a));
}

// The output tensor, recorded when grad mode is on and an input requires grad.
PyObject* finish(py::object out_arr, int kind, Name name, PyObject* a, PyObject* b,
                 const SaveItem* saves, size_t n_saved, const double* scalars,
                 size_t n_scalars) {
  py::object out = tensor::wrap(std::move(out_arr));
  const bool need = requires_grad(a) || (b && requires_grad(b));
  if (need && grad_enabled()) {
    PyObject* inputs[2] = {a, b};
    SaveItem fixed[2];
    for (size_t k = 0; k < n_saved; ++k) {
      fixed[k] = saves[k];
      if (fixed[k].how == SaveItem::OUTPUT) fixed[k].obj = out.ptr();
    }
    record_native(kind, S.name[name], inputs, b ? 2 : 1, out.ptr(), fixed, n_saved, scalars,
                  n_scalars);
  }
  return out.release().ptr();
}

// ---- binary ----------------------------------------------------------------------------------

template <typename T>
bool compute_binary(Op op, T* o, const T* a, bool sa, const T* b, bool sb, Py_ssize_t n) {
  switch (op) {
    case OP_ADD: bin_loop(o, a, sa, b, sb, n, [](T x, T y) { return x + y; }); return true;
    case OP_SUB: bin_loop(o, a, sa, b, sb, n, [](T x, T y) { return x - y; }); return true;
    case OP_MUL: bin_loop(o, a, sa, b, sb, n, [](T x, T y) { return x * y; }); return true;
    case OP_DIV: bin_loop(o, a, sa, b, sb, n, [](T x, T y) { return x / y; }); return true;
    default: return false;
  }
}

PyObject* tensor_tensor(Op op, PyObject* self, PyObject* ad, int t, PyObject* other) {
  if (op != OP_ADD && op != OP_SUB && op != OP_MUL && op != OP_DIV) return nullptr;
  PyObject* bd = tensor::raw(other, tensor::DATA);
  if (!bd || npy::fast_float(bd) != t) return nullptr;
  py::object keep_b = py::reinterpret_borrow<py::object>(bd);
  PyObject* src;
  bool sa = true, sb = true;
  py::object out;
  if (npy::same_shape(ad, bd)) {
    src = ad;
  } else if (npy::size(bd) == 1 && npy::ndim(bd) <= npy::ndim(ad)) {
    src = ad;
    sb = false;
  } else if (npy::size(ad) == 1 && npy::ndim(ad) <= npy::ndim(bd)) {
    src = bd;
    sa = false;
  } else {
    src = nullptr;  // general broadcasting: NumPy's ufunc
  }
  if (src) {
    out = npy::empty(npy::descr(src), npy::ndim(src), npy::dims(src));
    const Py_ssize_t n = npy::size(src);
    fp_clear();
    if (t == npy::kFloat)
      compute_binary<float>(op, ptr<float>(out.ptr()), ptr<float>(ad), sa, ptr<float>(bd), sb, n);
    else
      compute_binary<double>(op, ptr<double>(out.ptr()), ptr<double>(ad), sa, ptr<double>(bd),
                             sb, n);
    if (fp_raised()) return nullptr;
  } else {
    const int u = op == OP_ADD ? 0 : op == OP_SUB ? 1 : op == OP_MUL ? 2 : 3;
    PyObject* args[2] = {ad, bd};
    PyObject* r = PyObject_Vectorcall(S.ufunc[u], args, 2, nullptr);
    if (!r) {
      if (PyErr_ExceptionMatches(PyExc_ValueError)) PyErr_Clear();  // the op words the error
      return nullptr;
    }
    out = py::reinterpret_steal<py::object>(r);
    if (!npy::is_exact(out.ptr())) return nullptr;  // never for arrays of ndim >= 1
  }
  switch (op) {
    case OP_ADD: return finish(std::move(out), ADD, N_ADD, self, other, nullptr, 0, nullptr, 0);
    case OP_SUB: return finish(std::move(out), SUB, N_SUB, self, other, nullptr, 0, nullptr, 0);
    case OP_MUL: {
      SaveItem sv[2] = {{SaveItem::INPUT, self}, {SaveItem::INPUT, other}};
      return finish(std::move(out), MUL, N_MUL, self, other, sv, 2, nullptr, 0);
    }
    default: {
      SaveItem sv[2] = {{SaveItem::INPUT, self}, {SaveItem::INPUT, other}};
      return finish(std::move(out), DIV, N_DIV, self, other, sv, 2, nullptr, 0);
    }
  }
}

template <typename T>
bool pow_forward(T* o, const T* x, Py_ssize_t n, double e) {
  if (e == 0) {
    for (Py_ssize_t i = 0; i < n; ++i) o[i] = T(1);
  } else if (e == 1) {
    std::memcpy(o, x, sizeof(T) * static_cast<size_t>(n));
  } else if (e == 2) {
    un_loop(o, x, n, [](T v) { return v * v; });
  } else if (e == 3) {
    un_loop(o, x, n, [](T v) { return v * v * v; });
  } else if (e == 0.5) {
    un_loop(o, x, n, [](T v) { return std::sqrt(v); });
  } else if (e == -0.5) {
    un_loop(o, x, n, [](T v) { return T(1) / std::sqrt(v); });
  } else if (e == -1) {
    un_loop(o, x, n, [](T v) { return T(1) / v; });
  } else if (e == -2) {
    un_loop(o, x, n, [](T v) { return T(1) / (v * v); });
  } else {
    return run_power(sizeof(T) == 8, reinterpret_cast<const char*>(x), e,
                     reinterpret_cast<char*>(o), n);
  }
  return true;
}

template <typename T>
bool compute_scalar(Op op, T* o, const T* x, Py_ssize_t n, double sd) {
  const T s = static_cast<T>(sd);
  switch (op) {
    case OP_ADD: un_loop(o, x, n, [s](T v) { return v + s; }); return true;
    case OP_SUB: un_loop(o, x, n, [s](T v) { return v - s; }); return true;
    case OP_RSUB: un_loop(o, x, n, [s](T v) { return s - v; }); return true;
    case OP_MUL: un_loop(o, x, n, [s](T v) { return v * s; }); return true;
    case OP_DIV: un_loop(o, x, n, [s](T v) { return v / s; }); return true;
    case OP_POW: return pow_forward<T>(o, x, n, sd);
    default: return false;
  }
}

PyObject* tensor_scalar(Op op, PyObject* self, PyObject* ad, int t, PyObject* other) {
  double s;
  if (!scalar_value(other, t, s)) return nullptr;
  const bool is64 = t == npy::kDouble;
  const Py_ssize_t n = npy::size(ad);
  py::object out = npy::empty_like(ad);
  py::object recip;  // rdiv: 1 / x, saved for backward
  fp_clear();
  if (op == OP_RDIV) {
    // torch evaluates s / x as reciprocal(x) * s (see elementwise.rdiv)
    recip = npy::empty_like(ad);
    if (!run_unary(npy::L_RECIPROCAL, is64, npy::data(ad), npy::data(recip.ptr()), n))
      return nullptr;
    if (is64) {
      const double sv = s;
      un_loop(ptr<double>(out.ptr()), ptr<double>(recip.ptr()), n, [sv](double r) { return r * sv; });
    } else {
      const float sv = static_cast<float>(s);
      un_loop(ptr<float>(out.ptr()), ptr<float>(recip.ptr()), n, [sv](float r) { return r * sv; });
    }
  } else {
    bool ok = is64 ? compute_scalar<double>(op, ptr<double>(out.ptr()), ptr<double>(ad), n, s)
                   : compute_scalar<float>(op, ptr<float>(out.ptr()), ptr<float>(ad), n, s);
    if (!ok) return nullptr;
  }
  if (fp_raised()) return nullptr;
  switch (op) {
    case OP_ADD: return finish(std::move(out), ADD_SCALAR, N_ADD, self, nullptr, nullptr, 0, &s, 1);
    case OP_SUB: return finish(std::move(out), ADD_SCALAR, N_SUB, self, nullptr, nullptr, 0, &s, 1);
    case OP_RSUB:
      return finish(std::move(out), RSUB_SCALAR, N_RSUB, self, nullptr, nullptr, 0, &s, 1);
    case OP_MUL:
      return finish(std::move(out), MUL_SCALAR, N_MUL, self, nullptr, nullptr, 0, &s, 1);
    case OP_DIV:
      return finish(std::move(out), DIV_SCALAR, N_DIV, self, nullptr, nullptr, 0, &s, 1);
    case OP_RDIV: {
      SaveItem sv[2] = {{SaveItem::INPUT, self}, {SaveItem::RAW, recip.ptr()}};
      return finish(std::move(out), RDIV_SCALAR, N_MUL, self, nullptr, sv, 2, &s, 1);
    }
    default: {
      SaveItem sv[1] = {{SaveItem::INPUT, self}};
      return finish(std::move(out), POW_SCALAR, N_POW, self, nullptr, sv, 1, &s, 1);
    }
  }
}

// ---- unary -----------------------------------------------------------------------------------

template <typename T>
bool compute_unary(Op op, T* o, const T* x, Py_ssize_t n) {
  const bool is64 = sizeof(T) == 8;
  const char* in = reinterpret_cast<const char*>(x);
  char* out = reinterpret_cast<char*>(o);
  switch (op) {
    case OP_NEG: un_loop(o, x, n, [](T v) { return -v; }); return true;
    case OP_RELU:
      // np.maximum(x, 0): NaN propagates, and -0.0 gives +0.0.
      un_loop(o, x, n, [](T v) { return std::isnan(v) ? v : (v > T(0) ? v : T(0)); });
      return true;
    case OP_EXP: return run_unary(npy::L_EXP, is64, in, out, n);
    case OP_LOG: return run_unary(npy::L_LOG, is64, in, out, n);
    case OP_TANH: return run_unary(npy::L_TANH, is64, in, out, n);
    case OP_SIGMOID: {
      // e = exp(-|x|); where(x >= 0, 1 / (1 + e), e / (1 + e))  (elementwise._sigmoid_array)
      un_loop(o, x, n, [](T v) { return -std::fabs(v); });
      if (!run_unary(npy::L_EXP, is64, out, out, n)) return false;
      // One division with a selected numerator: the same roundings as the two quotients,
      // and branch-free, so the compiler vectorizes it (4x faster on (16, 256) float32).
      for (Py_ssize_t i = 0; i < n; ++i) {
        const T e = o[i];
        o[i] = (x[i] >= T(0) ? T(1) : e) / (T(1) + e);
      }
      return true;
    }
    default: return false;
  }
}

PyObject* unary(Op op, PyObject* self, PyObject* ad, int t) {
  const Py_ssize_t n = npy::size(ad);
  py::object out = npy::empty_like(ad);
  fp_clear();
  bool ok = t == npy::kDouble
                ? compute_unary<double>(op, ptr<double>(out.ptr()), ptr<double>(ad), n)
                : compute_unary<float>(op, ptr<float>(out.ptr()), ptr<float>(ad), n);
  if (!ok || fp_raised()) return nullptr;
  SaveItem in_sv[1] = {{SaveItem::INPUT, self}};
  SaveItem out_sv[1] = {{SaveItem::OUTPUT, nullptr}};
  switch (op) {
    case OP_NEG: return finish(std::move(out), NEG, N_NEG, self, nullptr, nullptr, 0, nullptr, 0);
    case OP_EXP: return finish(std::move(out), EXP, N_EXP, self, nullptr, out_sv, 1, nullptr, 0);
    case OP_LOG: return finish(std::move(out), LOG, N_LOG, self, nullptr, in_sv, 1, nullptr, 0);
    case OP_TANH: return finish(std::move(out), TANH, N_TANH, self, nullptr, out_sv, 1, nullptr, 0);
    case OP_SIGMOID:
      return finish(std::move(out), SIGMOID, N_SIGMOID, self, nullptr, out_sv, 1, nullptr, 0);
    case OP_RELU: return finish(std::move(out), RELU, N_RELU, self, nullptr, out_sv, 1, nullptr, 0);
    default: return nullptr;
  }
}

// ---- matmul and reductions (NumPy computes; we wrap and record) -------------------------------

// An exact ndarray of native float32/float64 in any layout: its type number, else 0.
int float_array(PyObject* a) { return npy::is_exact(a) ? npy::float_type(a) : 0; }

py::object to_array(PyObject* r) {
  py::object o = py::reinterpret_steal<py::object>(r);
  if (npy::is_exact(o.ptr())) return o;
  PyObject* args[1] = {o.ptr()};
  PyObject* a = PyObject_Vectorcall(S.asarray, args, 1, nullptr);
  if (!a) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(a);
}

PyObject* matmul(PyObject* self, PyObject* ad, PyObject* other) {
  if (!tensor::check(other)) return nullptr;
  PyObject* bd = tensor::raw(other, tensor::DATA);
  const int t = float_array(ad);
  if (!bd || !t || float_array(bd) != t) return nullptr;
  const int na = npy::ndim(ad), nb = npy::ndim(bd);
  if (na == 0 || nb == 0) return nullptr;  // the Python op words the error
  PyObject* args[2] = {ad, bd};
  PyObject* r = PyObject_Vectorcall(S.ufunc[4], args, 2, nullptr);
  if (!r) {
    if (PyErr_ExceptionMatches(PyExc_ValueError)) PyErr_Clear();
    return nullptr;
  }
  py::object out = to_array(r);
  const Name name = na == 1 && nb == 1 ? N_DOT : na == 2 && nb == 1 ? N_MV
                  : na == 2 && nb == 2 ? N_MM : N_BMM;
  SaveItem sv[2] = {{SaveItem::INPUT, self}, {SaveItem::INPUT, other}};
  return finish(std::move(out), MATMUL, name, self, other, sv, 2, nullptr, 0);
}

// sum/mean(dim=None, keepdim=False) with dim an int or a tuple of ints.
PyObject* reduce(Op op, PyObject* self, PyObject* ad, PyObject* const* args, Py_ssize_t nargs,
                 PyObject* kwnames) {
  const int t = float_array(ad);
  if (!t || nargs > 2) return nullptr;
  PyObject* dim = nargs > 0 ? args[0] : Py_None;
  PyObject* keep = nargs > 1 ? args[1] : Py_False;
  if (kwnames) {
    for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(kwnames); ++k) {
      PyObject* key = PyTuple_GET_ITEM(kwnames, k);
      PyObject* val = args[nargs + k];
      if (key == S.str_dim && nargs < 1) dim = val;
      else if (key == S.str_keepdim && nargs < 2) keep = val;
      else return nullptr;
    }
  }
  if (keep != Py_True && keep != Py_False) return nullptr;
  const bool keepdim = keep == Py_True;
  const int nd = npy::ndim(ad);
  if (nd == 0) return nullptr;
  std::vector<double> scalars{keepdim ? 1.0 : 0.0};
  py::object axis = py::none();
  if (dim != Py_None) {
    PyObject* const* items = &dim;
    Py_ssize_t n = 1;
    if (PyTuple_CheckExact(dim)) {
      items = &PyTuple_GET_ITEM(dim, 0);
      n = PyTuple_GET_SIZE(dim);
      if (n == 0) return nullptr;
    }
    py::tuple ax(n);
    for (Py_ssize_t k = 0; k < n; ++k) {
      if (!PyLong_CheckExact(items[k])) return nullptr;
      long d = PyLong_AsLong(items[k]);
      if (d == -1 && PyErr_Occurred()) {
        PyErr_Clear();
        return nullptr;
      }
      if (d < -nd || d >= nd) return nullptr;
      if (d < 0) d += nd;
      for (size_t j = 1; j < scalars.size(); ++j)
        if (scalars[j] == static_cast<double>(d)) return nullptr;  // duplicate: Python errors
      scalars.push_back(static_cast<double>(d));
      ax[k] = py::int_(d);
    }
    axis = std::move(ax);
  }
  // np.sum / np.mean's sum on an ndarray: np.add.reduce(a, axis=axis, keepdims=keepdim)
  PyObject* cargs[3] = {ad, axis.ptr(), keep};
  PyObject* r = PyObject_Vectorcall(S.add_reduce, cargs, 1, S.kw_axis_keepdims);
  if (!r) return nullptr;
  py::object out = to_array(r);
  const bool mean = op == OP_MEAN;
  if (mean) {
    // np.mean divides by the count as an intp: in float64, then cast back (true_divide with
    // out=, casting='unsafe').
    Py_ssize_t count = 1;
    if (dim == Py_None) {
      count = npy::size(ad);
    } else {
      for (size_t j = 1; j < scalars.size(); ++j) count *= npy::dims(ad)[static_cast<size_t>(scalars[j])];
    }
    if (count == 0 || npy::float_type(out.ptr()) != t || !(npy::flags(out.ptr()) & npy::kWriteable))
      return nullptr;
    const double c = static_cast<double>(count);
    const Py_ssize_t n = npy::size(out.ptr());
    if (!(npy::flags(out.ptr()) & npy::kCContig)) return nullptr;
    if (t == npy::kFloat) {
      float* o = ptr<float>(out.ptr());
      for (Py_ssize_t i = 0; i < n; ++i) o[i] = static_cast<float>(static_cast<double>(o[i]) / c);
    } else {
      double* o = ptr<double>(out.ptr());
      for (Py_ssize_t i = 0; i < n; ++i) o[i] = o[i] / c;
    }
  }
  const Name name = mean ? (dim == Py_None ? N_MEAN0 : N_MEAN1) : (dim == Py_None ? N_SUM0 : N_SUM1);
  return finish(std::move(out), mean ? MEAN : SUM, name, self, nullptr, nullptr, 0, scalars.data(),
                scalars.size());
}

// ---- entry points ----------------------------------------------------------------------------

// The result (new reference); nullptr without an exception: take the Python op.
PyObject* try_fast(Op op, PyObject* self, PyObject* const* args, Py_ssize_t nargs,
                   PyObject* kwnames) {
  if (PyList_GET_SIZE(S.current) < 1 || PyList_GET_ITEM(S.current, 0) != S.core) return nullptr;
  if (!tensor::check(self)) return nullptr;
  PyObject* ad = tensor::raw(self, tensor::DATA);
  if (!ad) return nullptr;
  // Our own reference: long loops run without the GIL, and another thread could replace
  // self._data meanwhile.
  py::object keep_a = py::reinterpret_borrow<py::object>(ad);
  if (op >= OP_VIEW) {
    if (kwnames) return nullptr;
    return shape_fast::forward(shape_fast::Op(op - OP_VIEW), self, ad, args, nargs,
                               grad_enabled());
  }
  if (op == OP_SUM || op == OP_MEAN) return reduce(op, self, ad, args, nargs, kwnames);
  if (kwnames) return nullptr;
  if (op == OP_MATMUL) return nargs == 1 ? matmul(self, ad, args[0]) : nullptr;
  const bool is_unary = op >= OP_NEG;
  if (nargs != (is_unary ? 0 : 1)) return nullptr;
  const int t = npy::fast_float(ad);
  if (!t) return nullptr;
  if (is_unary) return unary(op, self, ad, t);
  PyObject* other = args[0];
  if (tensor::check(other)) return tensor_tensor(op, self, ad, t, other);
  return tensor_scalar(op, self, ad, t, other);
}

template <size_t I>
PyObject* entry(PyObject* self, PyObject* const* args, Py_ssize_t nargsf, PyObject* kwnames) {
  const Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
  try {
    PyObject* r = try_fast(kEntries[I].op, self, args, nargs, kwnames);
    if (r) {
      ++S.fast;
      return r;
    }
  } catch (py::error_already_set& e) {
    e.restore();
    return nullptr;
  } catch (const std::exception& e) {
    PyErr_SetString(PyExc_RuntimeError, e.what());
    return nullptr;
  }
  if (PyErr_Occurred()) return nullptr;
  ++S.fallbacks;
  // fallback(self, *args, **kwargs)
  PyObject* small[8];
  const Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
  const Py_ssize_t total = nargs + nkw;
  if (total + 1 > 8) {
    py::tuple a(nargs + 1);
    a[0] = py::reinterpret_borrow<py::object>(self);
    for (Py_ssize_t k = 0; k < nargs; ++k) a[k + 1] = py::reinterpret_borrow<py::object>(args[k]);
    py::dict kw;
    for (Py_ssize_t k = 0; k < nkw; ++k)
      kw[PyTuple_GET_ITEM(kwnames, k)] = py::reinterpret_borrow<py::object>(args[nargs + k]);
    return PyObject_Call(S.fallback[I], a.ptr(), kw.ptr());
  }
  small[0] = self;
  for (Py_ssize_t k = 0; k < total; ++k) small[k + 1] = args[k];
  return PyObject_Vectorcall(S.fallback[I], small, static_cast<size_t>(nargs + 1), kwnames);
}

template <size_t... I>
constexpr auto make_entries(std::index_sequence<I...>) {
  using Fn = PyObject* (*)(PyObject*, PyObject* const*, Py_ssize_t, PyObject*);
  return std::array<Fn, sizeof...(I)>{&entry<I>...};
}

// ---- module-level functions (torch.tanh(x), torch.mul(a, b), F.relu(x), torch.tensor, ...) ---

// Kinds of module function beyond the tensor ops (which reuse Op).
enum FnKind : int { FN_OP = 0, FN_RELU_INPLACE_ARG, FN_TENSOR, FN_FROM_NUMPY };

// A module function's `self`: (op, kind, fallback), kept as C fields of one small object.
struct FnSelf {
  PyObject_HEAD
  int op;
  int kind;
  PyObject* fallback;  // the Python function this one replaced (strong)
};

void fnself_dealloc(PyObject* o) {
  PyTypeObject* type = Py_TYPE(o);
  Py_XDECREF(reinterpret_cast<FnSelf*>(o)->fallback);
  PyObject_Free(o);
  Py_DECREF(type);  // heap type
}

PyType_Slot fnself_slots[] = {{Py_tp_dealloc, reinterpret_cast<void*>(&fnself_dealloc)},
                              {0, nullptr}};
PyType_Spec fnself_spec = {"chaingrad._core._FastFunctionState", sizeof(FnSelf), 0,
                           Py_TPFLAGS_DEFAULT, fnself_slots};
PyTypeObject* fnself_type = nullptr;  // created once, lives for the process

PyObject* str_inplace = nullptr;
PyObject* str_dtype = nullptr;
PyObject* str_requires_grad = nullptr;

// torch.tensor(<float>, dtype=float32|float64, requires_grad=<bool>): a 0-d leaf. nullptr
// (no error) for anything else.
PyObject* fast_tensor(PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames) {
  if (nargs < 1 || nargs > 3 || !PyFloat_CheckExact(args[0])) return nullptr;
  PyObject* dtype = nargs > 1 ? args[1] : nullptr;
  PyObject* rg = nargs > 2 ? args[2] : Py_False;
  if (kwnames) {
    for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(kwnames); ++k) {
      PyObject* key = PyTuple_GET_ITEM(kwnames, k);
      PyObject* val = args[nargs + k];
      if (key == str_dtype && nargs < 2) dtype = val;
      else if (key == str_requires_grad && nargs < 3) rg = val;
      else return nullptr;
    }
  }
  if (rg != Py_True && rg != Py_False) return nullptr;
  PyObject* d64 = npy::builtin_descr(npy::kDouble);
  PyObject* d32 = npy::builtin_descr(npy::kFloat);
  if (!dtype || (dtype != d64 && dtype != d32)) return nullptr;
  const double v = PyFloat_AS_DOUBLE(args[0]);
  // Out of float32's range NumPy warns about the cast: leave that to the Python path.
  if (dtype == d32 && std::isfinite(v) && std::fabs(v) > 3.4028234663852886e38) return nullptr;
  py::object arr = npy::empty(dtype, 0, nullptr);
  if (dtype == d64) *ptr<double>(arr.ptr()) = v;
  else *ptr<float>(arr.ptr()) = static_cast<float>(v);
  py::object t = tensor::wrap(std::move(arr));
  if (rg == Py_True) tensor::set(t.ptr(), tensor::REQUIRES_GRAD, Py_True);
  return t.release().ptr();
}

// torch.from_numpy(<ndarray of a native numeric dtype>): a tensor sharing its memory.
PyObject* fast_from_numpy(PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames) {
  if (nargs != 1 || kwnames || !npy::is_exact(args[0])) return nullptr;
  PyObject* d = npy::descr(args[0]);
  const char k = npy::descr_kind(d);
  if (!npy::is_canonical(d) || (k != 'f' && k != 'i' && k != 'u' && k != 'b')) return nullptr;
  return tensor::wrap(py::reinterpret_borrow<py::object>(args[0])).release().ptr();
}

PyObject* fast_function(PyObject* self_obj, PyObject* const* args, Py_ssize_t nargsf,
                        PyObject* kwnames) {
  auto* self = reinterpret_cast<FnSelf*>(self_obj);
  const Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
  try {
    PyObject* r = nullptr;
    if (self->kind == FN_TENSOR) {
      r = fast_tensor(args, nargs, kwnames);
    } else if (self->kind == FN_FROM_NUMPY) {
      r = fast_from_numpy(args, nargs, kwnames);
    } else if (nargs >= 1) {
      Py_ssize_t n = nargs;
      PyObject* kw = kwnames;
      if (self->kind == FN_RELU_INPLACE_ARG) {  // F.relu(x, inplace=False)
        if (n == 2 && args[1] == Py_False && !kw) n = 1;
        else if (n == 1 && kw && PyTuple_GET_SIZE(kw) == 1 &&
                 PyTuple_GET_ITEM(kw, 0) == str_inplace && args[1] == Py_False)
          kw = nullptr;
      }
      r = try_fast(Op(self->op), args[0], args + 1, n - 1, kw);
    }
    if (r) {
      ++S.fast;
      return r;
    }
  } catch (py::error_already_set& e) {
    e.restore();
    return nullptr;
  } catch (const std::exception& e) {
    PyErr_SetString(PyExc_RuntimeError, e.what());
    return nullptr;
  }
  if (PyErr_Occurred()) return nullptr;
  if (self->kind <= FN_RELU_INPLACE_ARG && nargs >= 1 && !tensor::check(args[0]) &&
      !PyFloat_Check(args[0]) && !PyLong_Check(args[0])) {
    // torch's wording; a Python number is left to the op (torch.add(2, t) is allowed).
    PyObject* fn_name = PyObject_GetAttrString(self->fallback, "__name__");
    if (!fn_name) return nullptr;
    PyErr_Format(PyExc_TypeError, "%U(): argument 'input' (position 1) must be Tensor, not %s",
                 fn_name, Py_TYPE(args[0])->tp_name);
    Py_DECREF(fn_name);
    return nullptr;
  }
  ++S.fallbacks;
  return PyObject_Vectorcall(self->fallback, args, static_cast<size_t>(nargs), kwnames);
}

}  // namespace

py::list install_fast_ops(py::module_ core, py::object tensor_cls, py::dict fallbacks,
                          py::object grad_mode, py::list current_engine) {
  py::list installed;
  if (!tensor::ready() || !tensor::st.fast ||
      tensor_cls.ptr() != reinterpret_cast<PyObject*>(tensor::st.type))
    return installed;  // unexpected Tensor layout: keep the Python ops
  static const auto fns = make_entries(std::make_index_sequence<kNumEntries>{});
  py::module_ numpy = py::module_::import("numpy");
  const char* ufuncs[5] = {"add", "subtract", "multiply", "true_divide", "matmul"};
  for (int k = 0; k < 5; ++k) {
    Py_XDECREF(S.ufunc[k]);
    S.ufunc[k] = py::object(numpy.attr(ufuncs[k])).release().ptr();
  }
  if (!S.add_reduce) {
    S.add_reduce = py::object(numpy.attr("add").attr("reduce")).release().ptr();
    S.asarray = py::object(numpy.attr("asarray")).release().ptr();
    S.kw_axis_keepdims = py::make_tuple("axis", "keepdims").release().ptr();
    S.str_dim = PyUnicode_InternFromString("dim");
    S.str_keepdim = PyUnicode_InternFromString("keepdim");
    if (!S.str_dim || !S.str_keepdim) throw py::error_already_set();
  }
  shape_fast::init();
  for (int k = 0; k < N_NAMES; ++k)
    if (!S.name[k]) {
      S.name[k] = PyUnicode_InternFromString(kNames[k]);
      if (!S.name[k]) throw py::error_already_set();
    }
  if (!gradmode::is_cell(grad_mode.ptr()))
    throw py::type_error("install_fast_ops: grad_mode must be _core.grad_mode (the per-thread cell)");
  Py_XDECREF(S.current);
  S.current = current_engine.inc_ref().ptr();
  S.core = core.ptr();
  auto* type = reinterpret_cast<PyTypeObject*>(tensor_cls.ptr());
  for (size_t i = 0; i < kNumEntries; ++i) {
    const char* name = kEntries[i].name;
    if (!fallbacks.contains(name)) continue;
    py::object fb = fallbacks[name];
    if (PyObject_TypeCheck(fb.ptr(), &PyMethodDescr_Type)) continue;  // already installed
    Py_XDECREF(S.fallback[i]);
    S.fallback[i] = fb.inc_ref().ptr();
    py::object doc = py::getattr(fb, "__doc__", py::none());
    S.docs[i] = doc.is_none() ? std::string() : doc.cast<std::string>();
    S.defs[i].ml_name = name;
    S.defs[i].ml_meth = reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(fns[i]));
    S.defs[i].ml_flags = METH_FASTCALL | METH_KEYWORDS;
    S.defs[i].ml_doc = S.docs[i].empty() ? nullptr : S.docs[i].c_str();
    PyObject* descr = PyDescr_NewMethod(type, &S.defs[i]);
    if (!descr) throw py::error_already_set();
    int rc = PyObject_SetAttrString(tensor_cls.ptr(), name, descr);
    Py_DECREF(descr);
    if (rc != 0) throw py::error_already_set();
    installed.append(name);
  }
  S.on = true;
  return installed;
}

py::object make_fast_function(const std::string& name, const std::string& kind,
                              py::object fallback, const std::string& module) {
  static const std::pair<const char*, Op> ops[] = {
      {"add", OP_ADD}, {"sub", OP_SUB}, {"mul", OP_MUL}, {"div", OP_DIV}, {"pow", OP_POW},
      {"neg", OP_NEG}, {"exp", OP_EXP}, {"log", OP_LOG}, {"tanh", OP_TANH},
      {"sigmoid", OP_SIGMOID}, {"relu", OP_RELU}, {"matmul", OP_MATMUL}, {"sum", OP_SUM},
      {"mean", OP_MEAN}};
  int op = -1, fk = FN_OP;
  if (kind == "tensor") {
    fk = FN_TENSOR;
  } else if (kind == "from_numpy") {
    fk = FN_FROM_NUMPY;
  } else {
    std::string base = kind;
    if (kind == "relu_inplace_arg") {
      fk = FN_RELU_INPLACE_ARG;
      base = "relu";
    }
    for (const auto& e : ops)
      if (base == e.first) op = e.second;
    if (op < 0) throw py::value_error("make_fast_function: no fast path for " + kind);
  }
  if (!S.on) throw py::value_error("make_fast_function: install_fast_ops first");
  if (!fnself_type) {
    fnself_type = reinterpret_cast<PyTypeObject*>(PyType_FromSpec(&fnself_spec));
    if (!fnself_type) throw py::error_already_set();
  }
  if (!str_inplace) {
    str_inplace = PyUnicode_InternFromString("inplace");
    str_dtype = PyUnicode_InternFromString("dtype");
    str_requires_grad = PyUnicode_InternFromString("requires_grad");
    if (!str_inplace || !str_dtype || !str_requires_grad) throw py::error_already_set();
  }
  auto* st = PyObject_New(FnSelf, fnself_type);
  if (!st) throw py::error_already_set();
  st->op = op;
  st->kind = fk;
  st->fallback = fallback.inc_ref().ptr();
  py::object holder = py::reinterpret_steal<py::object>(reinterpret_cast<PyObject*>(st));
  // The method definitions live for the process: a function object points at its def.
  struct Def {
    std::string name, doc;
    PyMethodDef def{};
  };
  static std::vector<std::unique_ptr<Def>> defs;
  defs.push_back(std::make_unique<Def>());
  Def& d = *defs.back();
  d.name = name;
  py::object doc = py::getattr(fallback, "__doc__", py::none());
  d.doc = doc.is_none() ? std::string() : doc.cast<std::string>();
  d.def.ml_name = d.name.c_str();
  d.def.ml_meth = reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(&fast_function));
  d.def.ml_flags = METH_FASTCALL | METH_KEYWORDS;
  d.def.ml_doc = d.doc.empty() ? nullptr : d.doc.c_str();
  py::str mod(module);
  PyObject* f = PyCFunction_NewEx(&d.def, holder.ptr(), mod.ptr());
  if (!f) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(f);
}

py::dict fast_ops_stats() {
  py::dict d;
  d["fast"] = S.fast;
  d["fallback"] = S.fallbacks;
  d["enabled"] = S.on;
  py::dict native;
  for (int k = 0; k < npy::L_NUM; ++k)
    native[npy::loop_name(npy::LoopOp(k))] =
        py::make_tuple(static_cast<bool>(npy::loop(npy::LoopOp(k), false)),
                       static_cast<bool>(npy::loop(npy::LoopOp(k), true)));
  d["numpy_loops"] = native;  // (float32, float64): NumPy's inner loop verified and in use
  return d;
}

}  // namespace chaingrad
