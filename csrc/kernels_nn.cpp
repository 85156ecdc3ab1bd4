// Backward kernels of the nn layer kinds (node layouts in python/chaingrad/_kinds.py): the
// reference kernels' NumPy calls (_reference/kernels_nn.py) made through the C API, so the
// engines agree bit for bit.
#include <cstdint>

#include "kernels.h"
#include "npcall.h"

namespace chaingrad {

namespace {

using npc::as_array;
using npc::call;
using npc::f;

// as_2d(a): (*, n) -> (prod(*), n); a 2-D array as is. False for 0-d or empty arrays (the
// reference kernel decides those).
bool as_2d(const py::object& a, py::object& r) {
  PyObject* p = a.ptr();
  const int nd = npy::ndim(p);
  if (nd == 2) {
    r = a;
    return true;
  }
  if (nd < 1 || npy::size(p) == 0) return false;
  const Py_ssize_t n = npy::dims(p)[nd - 1];
  const Py_ssize_t dims[2] = {npy::size(p) / n, n};
  r = npy::reshape(p, 2, dims);
  return true;
}

bool linear_backward(Node& node, const py::object& g, std::vector<py::object>& out) {
  if (node.n_in != 3 || node.saved().size() != 2) return false;
  const py::object x = node.saved()[0].data, w = node.saved()[1].data;
  if (!x || !w || !npy::is_array(x.ptr()) || !npy::is_array(w.ptr()) ||
      !npy::is_array(g.ptr()))
    return false;
  auto need = [&](size_t i) { return static_cast<bool>(node.next()[i].fn); };
  py::object g2, x2;
  if (need(1) && (!as_2d(g, g2) || !as_2d(x, x2))) return false;
  out.assign(3, py::object());
  if (need(0)) out[0] = as_array(call(f.matmul, {g.ptr(), w.ptr()}));
  if (need(1)) out[1] = as_array(call(f.matmul, {npy::swap_last(g2.ptr()).ptr(), x2.ptr()}));
  if (need(2)) out[2] = g;
  return true;
}

template <typename T>
void cross_entropy_loop(T* p, const int64_t* t, Py_ssize_t n, Py_ssize_t c, int reduction,
                        const T* g, double count) {
  for (Py_ssize_t i = 0; i < n; ++i) p[i * c + t[i]] -= T(1);
  const Py_ssize_t total = n * c;
  if (reduction == 0) {
    for (Py_ssize_t i = 0; i < n; ++i) {
      const T gi = g[i];
      for (Py_ssize_t j = 0; j < c; ++j) p[i * c + j] = p[i * c + j] * gi;
    }
    return;
  }
  // sum: p * g; mean: p * (g / N), with N rounded to T first (NumPy's weak Python float)
  const T s = reduction == 1 ? *g : *g / static_cast<T>(count);
  for (Py_ssize_t i = 0; i < total; ++i) p[i] = p[i] * s;
}

bool cross_entropy_backward(Node& node, const py::object& g, std::vector<py::object>& out) {
  if (node.n_in != 1 || node.saved().size() != 3 || node.scalars().size() != 2) return false;
  const py::object logp = node.saved()[1].data, t = node.saved()[2].data;
  const int reduction = static_cast<int>(node.scalars()[0]);
  const double count = node.scalars()[1];
  if (!logp || !t) return false;
  PyObject *pl = logp.ptr(), *pt = t.ptr(), *pg = g.ptr();
  const int type = npy::fast_float(pl);
  if (!type || npy::ndim(pl) != 2 || !npy::is_exact(pt) || npy::ndim(pt) != 1 ||
      !npy::is_int64(npy::descr(pt)) || !npy::is_canonical(npy::descr(pt)) ||
      !(npy::flags(pt) & npy::kCContig) ||
      npy::fast_float(pg) != type || reduction < 0 || reduction > 2)
    return false;
  const Py_ssize_t n = npy::dims(pl)[0], c = npy::dims(pl)[1];
  if (npy::dims(pt)[0] != n) return false;
  if (reduction == 0 ? (npy::ndim(pg) != 1 || npy::dims(pg)[0] != n) : npy::ndim(pg) != 0)
    return false;
  const int64_t* tv = reinterpret_cast<const int64_t*>(npy::data(pt));
  for (Py_ssize_t i = 0; i < n; ++i)
    if (tv[i] < 0 || tv[i] >= c) return false;
  py::object p = as_array(call(f.exp, {pl}));  // np.exp(logp): a new C-contiguous array
  if (npy::fast_float(p.ptr()) != type) return false;
  if (type == npy::kFloat)
    cross_entropy_loop(reinterpret_cast<float*>(npy::data(p.ptr())), tv, n, c, reduction,
                       reinterpret_cast<const float*>(npy::data(pg)), count);
  else
    cross_entropy_loop(reinterpret_cast<double*>(npy::data(p.ptr())), tv, n, c, reduction,
                       reinterpret_cast<const double*>(npy::data(pg)), count);
  out.assign(1, std::move(p));
  return true;
}

}  // namespace

bool nn_backward(Node& node, py::object& g, std::vector<py::object>& out) {
  switch (node.kind) {
    case LINEAR: return linear_backward(node, g, out);
    case CROSS_ENTROPY: return cross_entropy_backward(node, g, out);
    default: return false;
  }
}

}  // namespace chaingrad
