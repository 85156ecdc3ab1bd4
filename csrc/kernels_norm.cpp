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
  npc::ErrState es(true, true);
  if (p == 0.0) {
    // np.zeros(x.shape, dtype=g.dtype)
    r = npy::empty(npy::descr(gp), npy::ndim(xp), npy::dims(xp));
    std::memset(npy::data(r.ptr()), 0,
                static_cast<size_t>(npy::size(xp)) *
                    (npy::float_type(gp) == npy::kFloat ? sizeof(float) : sizeof(double)));
    return true;
  }
  if (p == 1.0) {
    py::object s = npc::sign_array(xp);
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
    py::object cnt = add_reduce(mask.ptr(), axis.ptr(), true);
    py::object count = npc::method(f.s_astype, {cnt.ptr(), npy::descr(gp)});
    py::object s = npc::sign_array(xp);
    py::object q = call(f.divide, {gp, count.ptr()});
    py::object m = call(f.multiply, {q.ptr(), mask.ptr()});
    r = call(f.multiply, {s.ptr(), m.ptr()});
    return true;
  }
  if (p < 1.0) {
    // scaled = sign_array(x) * np.where(x == 0, z, pow_scalar_array(ax, p - 1))
    // (scaled * g) * pow_scalar_array(y, 1 - p)
    py::object s = npc::sign_array(xp);
    py::object eq = call(f.equal, {xp, f.py_zero});
    py::object pw = npc::pow_scalar_array(ax.ptr(), p - 1);
    py::object w = call(f.where, {eq.ptr(), z.ptr(), pw.ptr()});
    py::object scaled = call(f.multiply, {s.ptr(), w.ptr()});
    py::object a = call(f.multiply, {scaled.ptr(), gp});
    py::object py_ = npc::pow_scalar_array(y.ptr(), 1 - p);
    r = call(f.multiply, {a.ptr(), py_.ptr()});
    return true;
  }
  // scale_v = np.where(y == 0, z, g / pow_scalar_array(y, p - 1))
  py::object eq = call(f.equal, {yp, f.py_zero});
  py::object pw = npc::pow_scalar_array(y.ptr(), p - 1);
  py::object q = call(f.divide, {gp, pw.ptr()});
  py::object scale_v = call(f.where, {eq.ptr(), z.ptr(), q.ptr()});
  if (p < 2.0) {
    // (sign_array(x) * pow_scalar_array(ax, p - 1)) * scale_v
    py::object s = npc::sign_array(xp);
    py::object pa = npc::pow_scalar_array(ax.ptr(), p - 1);
    py::object a = call(f.multiply, {s.ptr(), pa.ptr()});
    r = call(f.multiply, {a.ptr(), scale_v.ptr()});
    return true;
  }
  // (x * pow_scalar_array(ax, p - 2)) * scale_v
  py::object pa = npc::pow_scalar_array(ax.ptr(), p - 2);
  py::object a = call(f.multiply, {xp, pa.ptr()});
  r = call(f.multiply, {a.ptr(), scale_v.ptr()});
  return true;
}

}  // namespace red
}  // namespace chaingrad
