// Native backward kernels of the reduction kinds (_kinds.py 38..46).
//
// Each kernel is the NumPy kernel of _reference/kernels_reduction.py transliterated: the same
// NumPy ufuncs and reductions, called in the same order with the same arguments and dtypes
// through the C API, so the results are the reference's bit for bit by construction and no
// Python frame runs. Where the reference calls a NumPy helper written in Python, the helper's
// own ufunc calls are made instead: np.expand_dims is a reshape to the same shape, np.sum(a,
// axis, keepdims) is np.add.reduce, and a.mean(axis, keepdims) is numpy._core._methods._mean
// for float arrays (np.add.reduce, then np.true_divide by the element count as np.intp, into
// the result). np.errstate(divide="ignore", invalid="ignore") sets NumPy's error-state context
// variable to _make_extobj(divide="ignore", invalid="ignore") and resets it afterwards.
// Steps that only move data are direct loops, exact by nature: np.put_along_axis's scatter
// (MAXMIN_DIM) and exclusive_prod's np.take/np.flip/np.concatenate with ones (PROD with zeros;
// its cumprods and products stay NumPy's).
//
// Kinds: LOGSUMEXP, VAR, STD, AMAXMIN, MAXMIN_ALL, MAXMIN_DIM, CUMSUM, PROD (with or without
// zeros in x) here, NORM in kernels_norm.cpp, for float32/float64 gradients and inputs.
// Anything else (other dtypes, an unexpected node layout, a NumPy without the error-state
// context variable) returns false, and the caller runs the reference kernel.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "kernels.h"
#include "kernels_reduction.h"
#include "npcall.h"
#include "npy.h"

namespace chaingrad {

namespace red {

// The node's dims (scalars[first..]) as ints in [0, ndim); false when corrupt.
bool read_dims(const Node& node, size_t first, int ndim, std::vector<long>& dims) {
  const auto& s = node.scalars();
  dims.clear();
  for (size_t k = first; k < s.size(); ++k) {
    const double d = s[k];
    if (!(d >= 0) || d != std::floor(d) || d >= ndim) return false;
    dims.push_back(static_cast<long>(d));
  }
  return true;
}

py::object dims_tuple(const std::vector<long>& dims) {
  py::tuple t(dims.size());
  for (size_t k = 0; k < dims.size(); ++k) t[k] = py::int_(dims[k]);
  return std::move(t);
}

// restore_dims(a, dims, keepdim, ndim) with `x` the reduced input: np.expand_dims(a,
// sorted(dims)) is a reshape to x's shape with the reduced dims set to 1.
py::object restore_dims(const py::object& a, const std::vector<long>& dims, bool keepdim,
                        PyObject* x) {
  const int nd = npy::ndim(x);
  if (keepdim || dims.empty() || nd == 0) return a;
  std::vector<Py_ssize_t> shape(npy::dims(x), npy::dims(x) + nd);
  for (long d : dims) shape[static_cast<size_t>(d)] = 1;
  py::object arr = npy::as_array(a);
  Py_ssize_t want = 1;
  for (Py_ssize_t s : shape) want *= s;
  if (npy::size(arr.ptr()) != want)
    throw std::runtime_error("chaingrad._core: a reduction's gradient has the wrong size");
  return npy::reshape(arr.ptr(), nd, shape.data());
}

// np.add.reduce(a, axis=axis, keepdims=keepdims); axis None for all.
py::object add_reduce(PyObject* a, PyObject* axis, bool keepdims) {
  return call(f.add_reduce, {a, axis, keepdims ? Py_True : Py_False}, f.kw_axis_keepdims);
}

namespace {

// x.mean(axis=axis, keepdims=keepdims) for a float32/float64 array x, as _methods._mean.
py::object mean(PyObject* x, const std::vector<long>* dims, bool keepdims) {
  Py_ssize_t items = 1;
  if (dims) {
    for (long d : *dims) items *= npy::dims(x)[d];
  } else {
    items = npy::size(x);
  }
  if (items == 0) {
    if (PyErr_WarnEx(PyExc_RuntimeWarning, "Mean of empty slice", 1) < 0)
      throw py::error_already_set();
  }
  py::object rcount = steal(PyObject_CallOneArg(f.intp, py::int_(items).ptr()));
  py::object axis = dims ? dims_tuple(*dims) : py::none();
  py::object ret = add_reduce(x, axis.ptr(), keepdims);
  if (npy::is_array(ret.ptr()))
    return call(f.divide, {ret.ptr(), rcount.ptr(), ret.ptr(), f.s_unsafe, Py_False},
                f.kw_out_casting_subok);
  // A NumPy scalar: ret.dtype.type(ret / rcount).
  py::object q = steal(PyNumber_TrueDivide(ret.ptr(), rcount.ptr()));
  return steal(PyObject_CallOneArg(reinterpret_cast<PyObject*>(Py_TYPE(ret.ptr())), q.ptr()));
}

// var_backward(g, x, corr, keepdim, dims), under the caller's errstate. Null for a gradient
// that is not float32/float64 (the caller falls back).
py::object var_backward(const py::object& g_in, PyObject* x, double corr, bool keepdim,
                        const std::vector<long>& dims) {
  py::object g = npy::as_array(g_in);
  PyObject* gp = g.ptr();
  if (!float_array(gp)) return py::object();
  if (npy::ndim(x) == 0 || dims.empty()) {
    const double dof = static_cast<double>(npy::size(x)) - corr;
    if (dof <= 0) {
      py::object m = mean(x, nullptr, false);
      py::object eq = call(f.equal, {x, m.ptr()});
      py::object nan_inf = call(f.where, {eq.ptr(), f.f32_nan, f.f32_inf});
      return call(f.multiply, {gp, nan_inf.ptr()});
    }
    const double s = 2.0 / dof;
    py::object sc = typed(gp, s);
    py::object a = call(f.multiply, {gp, sc.ptr()});
    py::object m = mean(x, nullptr, false);
    py::object d = call(f.subtract, {x, m.ptr()});
    return call(f.multiply, {a.ptr(), d.ptr()});
  }
  g = restore_dims(g, dims, keepdim, x);
  Py_ssize_t n = 1;
  for (long d : dims) n *= npy::dims(x)[d];
  // Python: n - corr (int - float), np.float64(2.0) / np.float64(...), then the dtype's cast.
  const double s = 2.0 / (static_cast<double>(n) - corr);
  py::object sc = typed(gp, s);
  py::object a = call(f.multiply, {g.ptr(), sc.ptr()});
  py::object m = mean(x, &dims, true);
  py::object d = call(f.subtract, {x, m.ptr()});
  return call(f.multiply, {a.ptr(), d.ptr()});
}

// np.flip(a, axis): a[..., ::-1 at axis, ...] (a view).
py::object flip(PyObject* a, int axis) {
  const int nd = npy::ndim(a);
  py::tuple idx(static_cast<size_t>(nd));
  for (int k = 0; k < nd; ++k)
    idx[static_cast<size_t>(k)] =
        k == axis ? py::slice(py::none(), py::none(), py::int_(-1))
                  : py::slice(py::none(), py::none(), py::none());
  return steal(PyObject_GetItem(a, idx.ptr()));
}

// cumsum_array(d, axis): d.cumsum(axis=axis, dtype=np.float64).astype(np.float32) for
// float32, else d.cumsum(axis=axis) (np.cumsum is ndarray.cumsum with out=None).
py::object cumsum_array(PyObject* d, int axis) {
  py::object ax = py::int_(axis);
  if (npy::float_type(d) == npy::kFloat) {
    PyObject* args[3] = {d, ax.ptr(), f.f64};
    static PyObject* kw = py::make_tuple("axis", "dtype").release().ptr();
    py::object c = steal(PyObject_VectorcallMethod(f.s_cumsum, args, 1, kw));
    PyObject* a2[2] = {c.ptr(), f.f32};
    return steal(PyObject_VectorcallMethod(f.s_astype, a2, 2, nullptr));
  }
  PyObject* args[2] = {d, ax.ptr()};
  static PyObject* kw1 = py::make_tuple("axis").release().ptr();
  return steal(PyObject_VectorcallMethod(f.s_cumsum, args, 1, kw1));
}

// `a` itself when C-contiguous and aligned, else a C-contiguous copy (pure data movement).
py::object c_contiguous(const py::object& a) {
  PyObject* p = a.ptr();
  const int want = npy::kCContig | npy::kAligned;
  if ((npy::flags(p) & want) == want) return a;
  return npy::broadcast_copy(p, npy::ndim(p), npy::dims(p));
}

// An ndarray of native-order int64 (the raw indices MAXMIN_DIM saves).
bool int64_array(PyObject* a) {
  return a && npy::is_array(a) && npy::is_int64(npy::descr(a));
}

// Sizes of the dims before `dim` and after it: a C-contiguous array is (outer, n, inner).
void split_at(const Py_ssize_t* shape, int nd, int dim, Py_ssize_t& outer, Py_ssize_t& inner) {
  outer = 1;
  inner = 1;
  for (int k = 0; k < dim; ++k) outer *= shape[k];
  for (int k = dim + 1; k < nd; ++k) inner *= shape[k];
}

// out[o, idx[o, 0, i], i] = g[o, 0, i] over C-contiguous (outer, 1, inner) g and idx into a
// zeroed (outer, n, inner) out. False (out unusable) on an index outside [-n, n).
template <typename T>
bool scatter_along(const T* g, const int64_t* idx, T* out, Py_ssize_t outer, Py_ssize_t n,
                   Py_ssize_t inner) {
  for (Py_ssize_t o = 0; o < outer; ++o) {
    for (Py_ssize_t i = 0; i < inner; ++i) {
      int64_t j = idx[o * inner + i];
      if (j < 0) j += n;  // fancy indexing wraps negative indices
      if (j < 0 || j >= n) return false;
      std::memcpy(out + (o * n + j) * inner + i, g + o * inner + i, sizeof(T));
    }
  }
  return true;
}

// _maxmin_dim for x.ndim > 0: out = np.zeros(shape, dtype=g.dtype); np.put_along_axis(out,
// idx, g, axis=dim), g with dim restored. idx has size 1 along dim, so this is a scatter of
// g's elements (bit-exact copies): a direct loop. Null for any layout the reference would
// broadcast or reject (the caller falls back and the reference raises its own error).
py::object maxmin_dim_backward(const Node& node, const py::object& g_in, PyObject* idx_in) {
  const Edge& e = node.next()[0];
  const auto& sc = node.scalars();
  const int nd = e.ndim;
  std::vector<long> dims;
  if (!int64_array(idx_in) || sc.size() != 2 || !read_dims(node, 1, nd, dims)) return {};
  const int dim = static_cast<int>(dims[0]);
  const Py_ssize_t* shape = node.in_dims(0);
  std::vector<Py_ssize_t> ishape(shape, shape + nd);
  ishape[static_cast<size_t>(dim)] = 1;
  if (npy::ndim(idx_in) != nd || !std::equal(ishape.begin(), ishape.end(), npy::dims(idx_in)))
    return {};
  PyObject* gp = g_in.ptr();
  const bool keepdim = sc[0] != 0.0;
  if (keepdim) {
    if (npy::ndim(gp) != nd || !std::equal(ishape.begin(), ishape.end(), npy::dims(gp)))
      return {};
  } else {
    std::vector<Py_ssize_t> want(ishape);
    want.erase(want.begin() + dim);
    if (npy::ndim(gp) != nd - 1 || !std::equal(want.begin(), want.end(), npy::dims(gp)))
      return {};
  }
  py::object g = c_contiguous(g_in);
  py::object idx = c_contiguous(py::reinterpret_borrow<py::object>(idx_in));
  py::object out = npy::empty(npy::descr(g.ptr()), nd, shape);
  Py_ssize_t outer, inner;
  split_at(shape, nd, dim, outer, inner);
  const Py_ssize_t n = shape[dim];
  const int t = npy::float_type(g.ptr());
  const size_t item = t == npy::kFloat ? sizeof(float) : sizeof(double);
  bool ok;
  {
    npy::GilRelease nogil(outer * inner >= npy::kReleaseGil);
    std::memset(npy::data(out.ptr()), 0, static_cast<size_t>(outer * n * inner) * item);
    const auto* pi = reinterpret_cast<const int64_t*>(npy::data(idx.ptr()));
    if (t == npy::kFloat)
      ok = scatter_along(reinterpret_cast<const float*>(npy::data(g.ptr())), pi,
                         reinterpret_cast<float*>(npy::data(out.ptr())), outer, n, inner);
    else
      ok = scatter_along(reinterpret_cast<const double*>(npy::data(g.ptr())), pi,
                         reinterpret_cast<double*>(npy::data(out.ptr())), outer, n, inner);
  }
  if (!ok) return {};
  return out;
}

// One of exclusive_prod's concatenations along dim of a C-contiguous (outer, n, inner) x:
// [1, x[0], .., x[n-2]] (np.concatenate([ones, head])) or, reversed, [1, x[n-1], .., x[1]]
// (np.concatenate([ones, np.flip(tail)])).
template <typename T>
void ones_then(const T* x, T* out, Py_ssize_t outer, Py_ssize_t n, Py_ssize_t inner,
               bool reversed) {
  for (Py_ssize_t o = 0; o < outer; ++o) {
    const T* xo = x + o * n * inner;
    T* po = out + o * n * inner;
    for (Py_ssize_t i = 0; i < inner; ++i) po[i] = T(1);
    for (Py_ssize_t k = 1; k < n; ++k) {
      const T* src = xo + (reversed ? n - k : k - 1) * inner;
      std::memcpy(po + k * inner, src, static_cast<size_t>(inner) * sizeof(T));
    }
  }
}

// exclusive_prod(x, dim): the concatenations (data movement) built by a loop; their
// cumprods (a.cumprod(axis=dim), which np.cumprod calls), the flip and the product are NumPy's.
py::object exclusive_prod(PyObject* x_in, int dim) {
  py::object x = c_contiguous(py::reinterpret_borrow<py::object>(x_in));
  PyObject* xp = x.ptr();
  const int nd = npy::ndim(xp);
  const Py_ssize_t* shape = npy::dims(xp);
  Py_ssize_t outer, inner;
  split_at(shape, nd, dim, outer, inner);
  const Py_ssize_t n = shape[dim];
  py::object head = npy::empty(npy::descr(xp), nd, shape);
  py::object tail = npy::empty(npy::descr(xp), nd, shape);
  {
    npy::GilRelease nogil(outer * n * inner >= npy::kReleaseGil);
    if (npy::float_type(xp) == npy::kFloat) {
      const auto* px = reinterpret_cast<const float*>(npy::data(xp));
      ones_then(px, reinterpret_cast<float*>(npy::data(head.ptr())), outer, n, inner, false);
      ones_then(px, reinterpret_cast<float*>(npy::data(tail.ptr())), outer, n, inner, true);
    } else {
      const auto* px = reinterpret_cast<const double*>(npy::data(xp));
      ones_then(px, reinterpret_cast<double*>(npy::data(head.ptr())), outer, n, inner, false);
      ones_then(px, reinterpret_cast<double*>(npy::data(tail.ptr())), outer, n, inner, true);
    }
  }
  py::object ax = py::int_(dim);
  PyObject* la[2] = {head.ptr(), ax.ptr()};
  py::object left = steal(PyObject_VectorcallMethod(f.s_cumprod, la, 1, f.kw_axis));
  PyObject* ra[2] = {tail.ptr(), ax.ptr()};
  py::object rc = steal(PyObject_VectorcallMethod(f.s_cumprod, ra, 1, f.kw_axis));
  py::object right = flip(rc.ptr(), dim);
  return call(f.multiply, {left.ptr(), right.ptr()});
}

}  // namespace

}  // namespace red

using namespace red;

bool reduction_backward(Node& node, py::object& g, std::vector<py::object>& out) {
  if (!f.ready || node.n_in != 1 || !float_array(g.ptr())) return false;
  auto saved = [&](size_t i) -> py::object {
    return i < node.saved().size() ? node.saved()[i].data : py::object();
  };
  const auto& sc = node.scalars();
  std::vector<long> dims;
  py::object r;
  switch (node.kind) {
    case LOGSUMEXP: {
      // g * np.exp(x - y), g and y with the reduced dims restored.
      py::object x = saved(0), y = saved(1);
      if (!float_array(x.ptr()) || !float_array(y.ptr()) || sc.empty()) return false;
      if (!read_dims(node, 1, npy::ndim(x.ptr()), dims)) return false;
      const bool keepdim = sc[0] != 0.0;
      py::object gg = restore_dims(g, dims, keepdim, x.ptr());
      py::object yy = restore_dims(y, dims, keepdim, x.ptr());
      py::object d = call(f.subtract, {x.ptr(), yy.ptr()});
      py::object e = call(f.exp, {d.ptr()});
      r = call(f.multiply, {gg.ptr(), e.ptr()});
      break;
    }
    case VAR: {
      py::object x = saved(0);
      if (!f.errstate || !float_array(x.ptr()) || sc.size() < 2) return false;
      if (!read_dims(node, 2, npy::ndim(x.ptr()), dims)) return false;
      npc::ErrState es(true, true);
      r = var_backward(g, x.ptr(), sc[0], sc[1] != 0.0, dims);
      if (!r) return false;
      break;
    }
    case STD: {
      // grad_var = np.where(y == 0, g.dtype.type(0), g / (y * 2)); then var_backward.
      py::object x = saved(0), y = saved(1);
      if (!f.errstate || !float_array(x.ptr()) || !float_array(y.ptr()) || sc.size() < 2)
        return false;
      if (!read_dims(node, 2, npy::ndim(x.ptr()), dims)) return false;
      npc::ErrState es(true, true);
      py::object z = call(f.equal, {y.ptr(), f.py_zero});
      py::object zero = typed(g.ptr(), 0.0);
      py::object y2 = call(f.multiply, {y.ptr(), f.py_two});
      py::object q = call(f.divide, {g.ptr(), y2.ptr()});
      py::object gv = call(f.where, {z.ptr(), zero.ptr(), q.ptr()});
      r = var_backward(gv, x.ptr(), sc[0], sc[1] != 0.0, dims);
      if (!r) return false;
      break;
    }
    case AMAXMIN: {
      // mask = y == x; count = np.sum(mask, axis, keepdims=True).astype(g.dtype);
      // (g / count) * mask under errstate.
      py::object x = saved(0), y = saved(1);
      if (!f.errstate || !float_array(x.ptr()) || !float_array(y.ptr()) || sc.empty())
        return false;
      if (!read_dims(node, 1, npy::ndim(x.ptr()), dims)) return false;
      const bool keepdim = sc[0] != 0.0;
      py::object gg = restore_dims(g, dims, keepdim, x.ptr());
      py::object yy = restore_dims(y, dims, keepdim, x.ptr());
      py::object mask = call(f.equal, {yy.ptr(), x.ptr()});
      py::object axis = dims.empty() ? py::none() : dims_tuple(dims);
      py::object cnt = add_reduce(mask.ptr(), axis.ptr(), true);
      py::object dt = py::reinterpret_borrow<py::object>(npy::descr(g.ptr()));
      py::object count = npc::method(f.s_astype, {cnt.ptr(), dt.ptr()});
      npc::ErrState es(true, true);
      py::object q = call(f.divide, {gg.ptr(), count.ptr()});
      r = call(f.multiply, {q.ptr(), mask.ptr()});
      break;
    }
    case MAXMIN_ALL: {
      // mask = np.isnan(x) if np.isnan(y) else x == y
      // out = np.zeros(x.shape, dtype=g.dtype); out[mask] = g / g.dtype.type(count_nonzero(mask))
      py::object x = saved(0), y = saved(1);
      if (!f.count_nonzero || !float_array(x.ptr()) || !float_array(y.ptr())) return false;
      py::object yn = call(f.isnan, {y.ptr()});
      const int truth = PyObject_IsTrue(yn.ptr());
      if (truth < 0) throw py::error_already_set();
      py::object mask = truth ? call(f.isnan, {x.ptr()}) : call(f.equal, {x.ptr(), y.ptr()});
      py::object shape = steal(PyObject_GetAttrString(x.ptr(), "shape"));
      py::object dt = py::reinterpret_borrow<py::object>(npy::descr(g.ptr()));
      py::object o = call(f.zeros, {shape.ptr(), dt.ptr()}, f.kw_dtype);
      py::object cnt = call(f.count_nonzero, {mask.ptr()});
      const long long c = PyLong_AsLongLong(cnt.ptr());
      if (c == -1 && PyErr_Occurred()) throw py::error_already_set();
      if (c < 0 || c > (1LL << 24)) return false;  // int -> double -> float32 stays exact
      py::object cs = typed(g.ptr(), static_cast<double>(c));
      py::object v = call(f.divide, {g.ptr(), cs.ptr()});
      if (PyObject_SetItem(o.ptr(), mask.ptr(), v.ptr()) < 0) throw py::error_already_set();
      r = std::move(o);
      break;
    }
    case PROD: {
      // x.ndim == 0: g. Else (dims restored when a dim is given) g * (y / x) when no element
      // of x is zero; with zeros, g * exclusive_prod(x, dim), or for all elements
      // (g * exclusive_prod(x.reshape(-1), 0)).reshape(x.shape); g itself when x.shape[dim] == 1.
      py::object x = saved(0), y = saved(1);
      if (!float_array(x.ptr()) || !float_array(y.ptr())) return false;
      if (npy::ndim(x.ptr()) == 0) {
        r = g;
        break;
      }
      py::object gg = g, yy = y;
      if (!sc.empty()) {
        if (sc.size() != 2 || !read_dims(node, 1, npy::ndim(x.ptr()), dims)) return false;
        const bool keepdim = sc[0] != 0.0;
        gg = restore_dims(g, dims, keepdim, x.ptr());
        yy = restore_dims(y, dims, keepdim, x.ptr());
      }
      py::object z = call(f.equal, {x.ptr(), f.py_zero});
      py::object any = call(f.or_reduce, {z.ptr(), Py_None}, f.kw_axis);
      const int truth = PyObject_IsTrue(any.ptr());
      if (truth < 0) throw py::error_already_set();
      if (!truth) {
        py::object q = call(f.divide, {yy.ptr(), x.ptr()});
        r = call(f.multiply, {gg.ptr(), q.ptr()});
        break;
      }
      PyObject* xp = x.ptr();
      if (sc.empty()) {
        const Py_ssize_t n = npy::size(xp);
        py::object flat = npy::reshape(xp, 1, &n);
        py::object e = exclusive_prod(flat.ptr(), 0);
        py::object prod = npy::as_array(call(f.multiply, {gg.ptr(), e.ptr()}));
        if (npy::size(prod.ptr()) != n) return false;  // the reference's reshape raises
        r = npy::reshape(prod.ptr(), npy::ndim(xp), npy::dims(xp));
        break;
      }
      const int dim = static_cast<int>(dims[0]);
      if (npy::dims(xp)[dim] == 1) {
        r = gg;
        break;
      }
      py::object e = exclusive_prod(xp, dim);
      r = call(f.multiply, {gg.ptr(), e.ptr()});
      break;
    }
    case MAXMIN_DIM: {
      // shape = the input's; g when it is (); else the scatter of g along dim.
      py::object idx = saved(0);
      const Edge& e = node.next()[0];
      if (!idx || !e.defined()) return false;
      if (e.ndim == 0) {
        r = g;
        break;
      }
      r = maxmin_dim_backward(node, g, idx.ptr());
      if (!r) return false;
      break;
    }
    case NORM:
      if (!norm_backward(node, g, r)) return false;
      break;
    case CUMSUM: {
      // g if trivial, else np.ascontiguousarray(np.flip(cumsum_array(np.flip(g, dim), dim), dim))
      if (sc.size() != 1) return false;
      PyObject* gp = g.ptr();
      const int nd = npy::ndim(gp);
      const double d = sc[0];
      if (nd == 0 || npy::size(gp) <= 1) {
        r = g;
        break;
      }
      if (!(d >= 0) || d != std::floor(d) || d >= nd) return false;
      const int dim = static_cast<int>(d);
      if (npy::dims(gp)[dim] == 1) {
        r = g;
        break;
      }
      py::object a = flip(gp, dim);
      py::object c = cumsum_array(a.ptr(), dim);
      py::object b = flip(c.ptr(), dim);
      r = call(f.ascontiguousarray, {b.ptr()});
      break;
    }
    default:
      return false;
  }
  out.clear();
  out.push_back(npy::as_array(std::move(r)));
  return true;
}

}  // namespace chaingrad
