// Backward kernels of the nn layer kinds (node layouts in python/chaingrad/_kinds.py): the
// reference kernels' NumPy calls (_reference/kernels_nn.py) made through the C API, so the
// engines agree bit for bit.
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

}  // namespace

bool nn_backward(Node& node, py::object& g, std::vector<py::object>& out) {
  switch (node.kind) {
    case LINEAR: return linear_backward(node, g, out);
    default: return false;
  }
}

}  // namespace chaingrad
