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
// AS_STRIDED and COPY_SLICES (in-place ops on views) move elements by the node's saved flat
// index into the base: a scatter into zeros (np.add.at for an overlapping view, in index
// order, as NumPy does), a copy of g with zeros at the index, and a gather g.flat[index]. They
// run on float32/float64 only; any other layout or a corrupt node uses the reference kernel.
//
// RESHAPE and PERMUTE may return views of g. That is safe: the engine writes into a gradient
// only when npy::exclusively_owned() holds, which a view (its base is set) never passes, nor
// does g itself while a view holds a reference to it.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
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

// Loops this long run without the GIL, on arrays the kernel holds its own references to.
constexpr Py_ssize_t kNoGil = 32768;

// The node's saved index (`keep` takes a reference): a C-contiguous, aligned, native int64
// array whose entries all lie in [0, n); null otherwise (the reference kernel then handles, or
// rejects, the node).
const int64_t* flat_index(const Node& node, Py_ssize_t n, py::object& keep) {
  if (node.saved().size() != 1) return nullptr;
  keep = node.saved()[0].data;
  PyObject* idx = keep.ptr();
  if (!idx || !npy::is_array(idx)) return nullptr;
  const int want = npy::kCContig | npy::kAligned;
  if (!npy::is_int64(npy::descr(idx)) || (npy::flags(idx) & want) != want) return nullptr;
  const int64_t* p = reinterpret_cast<const int64_t*>(npy::data(idx));
  const Py_ssize_t m = npy::size(idx);
  for (Py_ssize_t k = 0; k < m; ++k)
    if (p[k] < 0 || p[k] >= n) return nullptr;
  return p;
}

// g as a C-contiguous aligned float array (itself or a copy); null for other dtypes.
py::object contiguous_float(PyObject* g) {
  if (!npy::float_type(g)) return py::object();
  if (npy::fast_float(g)) return py::reinterpret_borrow<py::object>(g);
  return npy::broadcast_copy(g, npy::ndim(g), npy::dims(g));
}

template <typename T>
void scatter(const T* g, const int64_t* idx, Py_ssize_t m, T* out, bool add) {
  if (add) {
    for (Py_ssize_t k = 0; k < m; ++k) out[idx[k]] += g[k];
  } else {
    for (Py_ssize_t k = 0; k < m; ++k) out[idx[k]] = g[k];
  }
}

template <typename T>
void gather(const T* g, const int64_t* idx, Py_ssize_t m, T* out) {
  for (Py_ssize_t k = 0; k < m; ++k) out[k] = g[idx[k]];
}

// AS_STRIDED: zeros(base.size) with g put (or, overlapping, added) at index, base-shaped.
bool as_strided_back(Node& node, PyObject* gp, std::vector<py::object>& out) {
  if (node.n_in != 1 || !node.next()[0].defined() || node.scalars().size() != 1) return false;
  const size_t nd = node.next()[0].ndim;
  const Py_ssize_t* shape = node.in_dims(0);
  Py_ssize_t n = 1;
  for (size_t k = 0; k < nd; ++k) n *= shape[k];
  py::object keep;
  const int64_t* ip = flat_index(node, n, keep);
  if (!ip || !npy::same_shape(keep.ptr(), gp)) return false;
  py::object gc = contiguous_float(gp);
  if (!gc) return false;
  const Py_ssize_t m = npy::size(keep.ptr());
  py::object r = npy::empty(npy::descr(gc.ptr()), static_cast<int>(nd), shape);
  const bool add = node.scalars()[0] != 0.0;
  const bool f32 = npy::float_type(gc.ptr()) == npy::kFloat;
  {
    npy::GilRelease nogil(n >= kNoGil || m >= kNoGil);
    if (f32) {
      auto* o = reinterpret_cast<float*>(npy::data(r.ptr()));
      std::fill(o, o + n, 0.0f);
      scatter(reinterpret_cast<const float*>(npy::data(gc.ptr())), ip, m, o, add);
    } else {
      auto* o = reinterpret_cast<double*>(npy::data(r.ptr()));
      std::fill(o, o + n, 0.0);
      scatter(reinterpret_cast<const double*>(npy::data(gc.ptr())), ip, m, o, add);
    }
  }
  out.clear();
  out.push_back(std::move(r));
  return true;
}

// COPY_SLICES: the base gets g (C order) with zeros at index, the source g.flat[index].
bool copy_slices_back(Node& node, py::object& g, std::vector<py::object>& out) {
  if (node.n_in != 2) return false;
  const bool need_base = static_cast<bool>(node.next()[0].fn);
  const bool need_src = static_cast<bool>(node.next()[1].fn);
  PyObject* gp = g.ptr();
  py::object keep;
  const int64_t* ip = flat_index(node, npy::size(gp), keep);
  if (!ip) return false;
  PyObject* idx = keep.ptr();
  py::object gc = contiguous_float(gp);
  if (!gc) return false;
  const bool f32 = npy::float_type(gc.ptr()) == npy::kFloat;
  const Py_ssize_t m = npy::size(idx);
  py::object src;
  if (need_src) {
    src = npy::empty(npy::descr(gc.ptr()), npy::ndim(idx), npy::dims(idx));
    npy::GilRelease nogil(m >= kNoGil);
    if (f32)
      gather(reinterpret_cast<const float*>(npy::data(gc.ptr())), ip, m,
             reinterpret_cast<float*>(npy::data(src.ptr())));
    else
      gather(reinterpret_cast<const double*>(npy::data(gc.ptr())), ip, m,
             reinterpret_cast<double*>(npy::data(src.ptr())));
  }
  py::object base;
  if (need_base) {
    // g's own buffer when nobody else can see it (gc is g then; drop g's reference first).
    if (gc.ptr() == gp) g = py::object();
    base = npy::exclusively_owned(gc.ptr()) ? std::move(gc) : npy::copy(gc.ptr());
    const size_t isz = f32 ? sizeof(float) : sizeof(double);
    char* b = npy::data(base.ptr());
    npy::GilRelease nogil(m >= kNoGil);
    for (Py_ssize_t k = 0; k < m; ++k) std::memset(b + static_cast<size_t>(ip[k]) * isz, 0, isz);
  }
  out.clear();
  out.push_back(std::move(base));
  out.push_back(std::move(src));
  return true;
}

}  // namespace

void init_shape_kernels(py::module_ numpy) {
  f.zeros = py::object(numpy.attr("zeros")).release().ptr();
  f.s_transpose = PyUnicode_InternFromString("transpose");
  if (!f.s_transpose) throw py::error_already_set();
  f.ready = true;
}

bool shape_backward(Node& node, py::object& g, std::vector<py::object>& out) {
  if (node.kind == AS_STRIDED || node.kind == COPY_SLICES) {
    if (!npy::is_array(g.ptr())) return false;
    return node.kind == AS_STRIDED ? as_strided_back(node, g.ptr(), out)
                                   : copy_slices_back(node, g, out);
  }
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
