// Native backward kernels of the shape kinds (_kinds.py 47..51).
//
// None of them computes. RESHAPE reshapes g to the input's shape (PyArray_Newshape, which
// ndarray.reshape calls), PERMUTE transposes g by the inverse permutation (ndarray.transpose,
// which np.transpose calls), EXPAND and TO_COPY hand g on (the engine's conform() then sums it
// to the input's shape or casts it to the input's dtype, as the reference engine's _conform
// does), and SLICE assigns g into zeros of the input's shape (np.zeros, then
// ndarray.__setitem__ with the key the reference's slice_key() builds). The results are the
// reference kernels' bit for bit, and no Python frame runs.
//
// RESHAPE and PERMUTE may return views of g. That is safe: the engine writes into a gradient
// only when npy::exclusively_owned() holds, which a view (its base is set) never passes, nor
// does g itself while a view holds a reference to it.
#include <cmath>
#include <vector>

#include "kernels.h"
#include "npy.h"

namespace chaingrad {

namespace {

// Owned references, kept for the life of the process (as the NumPy module itself is).
struct Fns {
  PyObject* zeros = nullptr;
  PyObject* s_transpose = nullptr;
  bool ready = false;
};
Fns f;

py::object steal(PyObject* r) {
  if (!r) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(r);
}

// scalars()[k] as an integer in [lo, hi); false when it is not one (a corrupt node).
bool int_at(const Node& node, size_t k, double lo, double hi, Py_ssize_t& v) {
  const double d = node.scalars()[k];
  if (!(d >= lo && d < hi) || d != std::floor(d)) return false;
  v = static_cast<Py_ssize_t>(d);
  return true;
}

// np.transpose(g, argsort(dims)) with `dims` the forward permutation (the node's scalars).
py::object permute_back(const Node& node, PyObject* g) {
  const int nd = npy::ndim(g);
  if (node.scalars().size() != static_cast<size_t>(nd)) return py::object();
  std::vector<Py_ssize_t> inv(static_cast<size_t>(nd), -1);
  for (size_t k = 0; k < inv.size(); ++k) {
    Py_ssize_t d;
    if (!int_at(node, k, 0, nd, d) || inv[static_cast<size_t>(d)] != -1) return py::object();
    inv[static_cast<size_t>(d)] = static_cast<Py_ssize_t>(k);
  }
  py::tuple axes(inv.size());
  for (size_t k = 0; k < inv.size(); ++k) axes[k] = py::int_(inv[k]);
  PyObject* args[2] = {g, axes.ptr()};
  return steal(PyObject_VectorcallMethod(f.s_transpose, args, 2, nullptr));
}

// np.zeros(x.shape, dtype=g.dtype); out[key] = g, the key decoded as slice_key() does.
py::object slice_back(const Node& node, PyObject* g) {
  const size_t nd = node.next()[0].ndim;
  const Py_ssize_t* shape = node.in_dims(0);
  if (node.scalars().size() != 3 * nd) return py::object();
  py::tuple key(nd);
  py::tuple dims(nd);
  for (size_t d = 0; d < nd; ++d) {
    dims[d] = py::int_(shape[d]);
    Py_ssize_t start, stop, step;
    const double big = 9007199254740992.0;  // 2**53: every integer below converts exactly
    if (!int_at(node, 3 * d, 0, big, start) || !int_at(node, 3 * d + 1, -1, big, stop) ||
        !int_at(node, 3 * d + 2, -big, big, step))
      return py::object();
    if (step == 0) {
      key[d] = py::int_(start);
    } else {
      py::object stop_o = stop >= 0 ? py::object(py::int_(stop)) : py::object(py::none());
      py::object start_o = py::int_(start), step_o = py::int_(step);
      key[d] = steal(PySlice_New(start_o.ptr(), stop_o.ptr(), step_o.ptr()));
    }
  }
  PyObject* args[2] = {dims.ptr(), npy::descr(g)};
  py::object out = steal(PyObject_Vectorcall(f.zeros, args, 2, nullptr));
  if (PyObject_SetItem(out.ptr(), key.ptr(), g) < 0) throw py::error_already_set();
  return out;
}

}  // namespace

void init_shape_kernels(py::module_ numpy) {
  f.zeros = py::object(numpy.attr("zeros")).release().ptr();
  f.s_transpose = PyUnicode_InternFromString("transpose");
  if (!f.s_transpose) throw py::error_already_set();
  f.ready = true;
}

bool shape_backward(Node& node, py::object& g, std::vector<py::object>& out) {
  if (node.kind < RESHAPE || node.kind > SLICE) return false;
  if (!f.ready || node.n_in != 1 || !node.next()[0].defined() || !npy::is_array(g.ptr()))
    return false;
  PyObject* gp = g.ptr();
  py::object r;
  switch (node.kind) {
    case RESHAPE: {
      const size_t nd = node.next()[0].ndim;
      const Py_ssize_t* shape = node.in_dims(0);
      Py_ssize_t want = 1;
      for (size_t k = 0; k < nd; ++k) want *= shape[k];
      if (npy::size(gp) != want) return false;  // the reference kernel raises
      r = npy::reshape(gp, static_cast<int>(nd), shape);
      break;
    }
    case PERMUTE:
      r = permute_back(node, gp);
      break;
    case EXPAND:
    case TO_COPY:
      r = std::move(g);
      break;
    case SLICE:
      r = slice_back(node, gp);
      break;
    default:
      return false;
  }
  if (!r) return false;
  out.clear();
  out.push_back(std::move(r));
  return true;
}

}  // namespace chaingrad
