// Native backward kernel of NORM (_kinds.py 45), every p branch: _norm of
// _reference/kernels_reduction.py transliterated like the other reduction kernels (the same
// NumPy ufuncs in the same order with the same arguments and dtypes, under the same
// np.errstate), including the NumPy calls of the Python helpers it uses: sign_array
// (ops/unary.py) and pow_scalar_array (ops/elementwise.py). Python operators on arrays are
// their ufuncs (`|` on bool arrays is np.bitwise_or), np.sum(a, axis, keepdims=True) is
// np.add.reduce, and x.dtype.type(v) is a 0-d array of that dtype (the same value and type in
// NumPy 2's promotion). Where a ufunc returns a NumPy scalar (0-d operands) it is taken as the
// equal 0-d array, as the helpers' own as_array does.
#include <cmath>
#include <cstring>
#include <vector>

#include "kernels.h"
#include "kernels_reduction.h"
#include "npy.h"

namespace chaingrad {
namespace red {

namespace {

// a.astype(dtype)
py::object astype(const py::object& a, PyObject* dtype) {
  PyObject* args[2] = {a.ptr(), dtype};
  return steal(PyObject_VectorcallMethod(f.s_astype, args, 2, nullptr));
}

// sign_array(x) for a float32/float64 array x: (x > 0).astype(x.dtype) - (x < 0).astype(x.dtype)
py::object sign_array(PyObject* x) {
  PyObject* dt = npy::descr(x);
  py::object pos = astype(call(f.greater, {x, f.py_zero}), dt);
  py::object neg = astype(call(f.less, {x, f.py_zero}), dt);
  return npy::as_array(call(f.subtract, {pos.ptr(), neg.ptr()}));
}

// pow_scalar_array(x, e) for a float32/float64 x; null when e cannot be mirrored exactly.
py::object pow_scalar(const py::object& xo, double e) {
  py::object xa = npy::as_array(xo);
  PyObject* x = xa.ptr();
  if (!float_array(x)) return {};
  py::object r;
  if (e == 0) {
    return {};  // np.ones_like: only when p is 1 or 2, which _norm answers before
  } else if (e == 1) {
    return npy::copy(x);
  } else if (e == 2) {
    r = call(f.multiply, {x, x});
  } else if (e == 3) {
    py::object sq = call(f.multiply, {x, x});
    r = call(f.multiply, {sq.ptr(), x});
  } else if (e == 0.5) {
    r = call(f.sqrt, {x});
  } else if (e == -0.5) {
    py::object one = typed(x, 1.0);
    py::object s = call(f.sqrt, {x});
    r = call(f.divide, {one.ptr(), s.ptr()});
  } else if (e == -1) {
    py::object one = typed(x, 1.0);
    r = call(f.divide, {one.ptr(), x});
  } else if (e == -2) {
    py::object one = typed(x, 1.0);
    py::object sq = call(f.multiply, {x, x});
    r = call(f.divide, {one.ptr(), sq.ptr()});
  } else {
    if (!representable(x, e)) return {};
    py::object te = typed(x, e);
    r = call(f.power, {x, te.ptr()});
  }
  return npy::as_array(std::move(r));
}

}  // namespace

bool norm_backward(const Node& node, const py::object& g_in, py::object& r) {
  const auto& sc = node.scalars();
  if (!f.errstate || node.saved().size() != 2 || sc.size() < 2) return false;
  py::object x = node.saved()[0].data, y_in = node.saved()[1].data;
  if (!float_array(x.ptr()) || !float_array(y_in.ptr()) || !float_array(g_in.ptr()))
    return false;
  PyObject* xp = x.ptr();
  std::vector<long> dims;
  if (!read_dims(node, 2, npy::ndim(xp), dims)) return false;
  const double p = sc[0];
  const bool keepdim = sc[1] != 0.0;
  py::object g = restore_dims(g_in, dims, keepdim, xp);
  py::object y = restore_dims(y_in, dims, keepdim, xp);
  PyObject *gp = g.ptr(), *yp = y.ptr();
  py::object z = typed(gp, 0.0);
  IgnoreDivInvalid es;
  if (p == 0.0) {
    // np.zeros(x.shape, dtype=g.dtype)
    r = npy::empty(npy::descr(gp), npy::ndim(xp), npy::dims(xp));
    std::memset(npy::data(r.ptr()), 0,
                static_cast<size_t>(npy::size(xp)) *
                    (npy::float_type(gp) == npy::kFloat ? sizeof(float) : sizeof(double)));
    return true;
  }
  if (p == 1.0) {
    py::object s = sign_array(xp);
    r = call(f.multiply, {s.ptr(), gp});
    return true;
  }
  if (p == 2.0) {
    // g * np.where(y == 0, z, x / y)
    py::object eq = call(f.equal, {yp, f.py_zero});
    py::object q = call(f.divide, {xp, yp});
    py::object w = call(f.where, {eq.ptr(), z.ptr(), q.ptr()});
    r = call(f.multiply, {gp, w.ptr()});
    return true;
  }
  py::object ax = call(f.absolute, {xp});
  if (std::isinf(p)) {
    // mask = (ax == y) | np.isnan(ax)
    // count = np.sum(mask, axis=dims or None, keepdims=True).astype(g.dtype)
    // sign_array(x) * ((g / count) * mask)
    py::object eq = call(f.equal, {ax.ptr(), yp});
    py::object nan = call(f.isnan, {ax.ptr()});
    py::object mask = call(f.bitwise_or, {eq.ptr(), nan.ptr()});
    py::object axis = dims.empty() ? py::none() : dims_tuple(dims);
    py::object count = astype(add_reduce(mask.ptr(), axis.ptr(), true), npy::descr(gp));
    py::object s = sign_array(xp);
    py::object q = call(f.divide, {gp, count.ptr()});
    py::object m = call(f.multiply, {q.ptr(), mask.ptr()});
    r = call(f.multiply, {s.ptr(), m.ptr()});
    return true;
  }
  if (p < 1.0) {
    // scaled = sign_array(x) * np.where(x == 0, z, pow_scalar_array(ax, p - 1))
    // (scaled * g) * pow_scalar_array(y, 1 - p)
    py::object s = sign_array(xp);
    py::object eq = call(f.equal, {xp, f.py_zero});
    py::object pw = pow_scalar(ax, p - 1);
    if (!pw) return false;
    py::object w = call(f.where, {eq.ptr(), z.ptr(), pw.ptr()});
    py::object scaled = call(f.multiply, {s.ptr(), w.ptr()});
    py::object a = call(f.multiply, {scaled.ptr(), gp});
    py::object py_ = pow_scalar(y, 1 - p);
    if (!py_) return false;
    r = call(f.multiply, {a.ptr(), py_.ptr()});
    return true;
  }
  // scale_v = np.where(y == 0, z, g / pow_scalar_array(y, p - 1))
  py::object eq = call(f.equal, {yp, f.py_zero});
  py::object pw = pow_scalar(y, p - 1);
  if (!pw) return false;
  py::object q = call(f.divide, {gp, pw.ptr()});
  py::object scale_v = call(f.where, {eq.ptr(), z.ptr(), q.ptr()});
  if (p < 2.0) {
    // (sign_array(x) * pow_scalar_array(ax, p - 1)) * scale_v
    py::object s = sign_array(xp);
    py::object pa = pow_scalar(ax, p - 1);
    if (!pa) return false;
    py::object a = call(f.multiply, {s.ptr(), pa.ptr()});
    r = call(f.multiply, {a.ptr(), scale_v.ptr()});
    return true;
  }
  // (x * pow_scalar_array(ax, p - 2)) * scale_v
  py::object pa = pow_scalar(ax, p - 2);
  if (!pa) return false;
  py::object a = call(f.multiply, {xp, pa.ptr()});
  r = call(f.multiply, {a.ptr(), scale_v.ptr()});
  return true;
}

}  // namespace red
}  // namespace chaingrad
