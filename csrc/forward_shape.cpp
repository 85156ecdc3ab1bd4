#include "forward_shape.h"

#include <cstdint>
#include <vector>

#include "engine.h"
#include "graph.h"
#include "npy.h"
#include "tensor.h"

namespace chaingrad {
namespace shape_fast {

namespace {

// Process-lifetime references (never released: see forward.cpp's State).
struct Names {
  PyObject* view_info = nullptr;  // ops._views.ViewInfo (strong)
  PyObject* str_base = nullptr;   // "base"
  PyObject* str_transpose = nullptr;
  PyObject* node_name[N_NAMES] = {};
};
Names G;

const char* const kNodeNames[N_NAMES] = {"ViewBackward0", "UnsqueezeBackward0",
                                         "SqueezeBackward1", "PermuteBackward0",
                                         "TransposeBackward0", "SliceBackward0",
                                         "SelectBackward0", "ExpandBackward0"};

// More dimensions than this take the Python op (NumPy allows 64; nobody needs the fast path
// there).
constexpr int kMaxDims = 32;

// The weakref callback of a registered view: `vc.remove(ref)`, quietly (as make_view's
// `forget`). A dead weakref compares equal only to itself, so identity is list.remove's test.
PyObject* forget(PyObject* vc, PyObject* ref) {
  if (PyList_Check(vc)) {
    for (Py_ssize_t k = PyList_GET_SIZE(vc) - 1; k >= 0; --k)
      if (PyList_GET_ITEM(vc, k) == ref) {
        if (PySequence_DelItem(vc, k) != 0) return nullptr;
        break;
      }
  }
  Py_RETURN_NONE;
}
PyMethodDef forget_def = {"forget", reinterpret_cast<PyCFunction>(forget), METH_O,
                          "Drop a dead view's weak reference from its version counter."};

// A Python int that fits in a long long (bool and int subclasses excluded: the Python op
// decides about those).
bool exact_int(PyObject* o, long long& v) {
  if (!PyLong_CheckExact(o)) return false;
  int overflow = 0;
  v = PyLong_AsLongLongAndOverflow(o, &overflow);
  if (overflow || (v == -1 && PyErr_Occurred())) {
    PyErr_Clear();
    return false;
  }
  return true;
}

// `*shape` as the Python ops take it: ints, or one tuple/list of ints.
bool int_args(PyObject* const* args, Py_ssize_t nargs, std::vector<Py_ssize_t>& out) {
  PyObject* const* items = args;
  Py_ssize_t n = nargs;
  if (nargs == 1 && (PyTuple_CheckExact(args[0]) || PyList_CheckExact(args[0]))) {
    items = PySequence_Fast_ITEMS(args[0]);
    n = PySequence_Fast_GET_SIZE(args[0]);
  }
  if (n > kMaxDims) return false;
  out.resize(static_cast<size_t>(n));
  for (Py_ssize_t k = 0; k < n; ++k) {
    long long v;
    if (!exact_int(items[k], v)) return false;
    out[static_cast<size_t>(k)] = static_cast<Py_ssize_t>(v);
  }
  return true;
}

// A dimension index in [-n, n) wrapped to [0, n) (n >= 1), or -1.
int wrap(PyObject* o, int n) {
  long long v;
  if (!exact_int(o, v) || v < -n || v >= n) return -1;
  return static_cast<int>(v < 0 ? v + n : v);
}

// The byte range [lo, hi) a non-empty array's elements cover: np.may_share_memory's bounds
// test (max_work=0), which is what view_of asks.
bool extent(PyObject* a, intptr_t& lo, intptr_t& hi) {
  const int nd = npy::ndim(a);
  const Py_ssize_t* d = npy::dims(a);
  const Py_ssize_t* st = npy::P(a)->strides;
  lo = hi = reinterpret_cast<intptr_t>(npy::data(a));
  for (int k = 0; k < nd; ++k) {
    if (d[k] == 0) return false;
    if (st[k] < 0) lo += (d[k] - 1) * st[k];
    else hi += (d[k] - 1) * st[k];
  }
  hi += py::reinterpret_borrow<py::dtype>(npy::descr(a)).itemsize();
  return true;
}

bool may_share_memory(PyObject* a, PyObject* b) {
  intptr_t alo, ahi, blo, bhi;
  if (!extent(a, alo, ahi) || !extent(b, blo, bhi)) return false;
  return alo < bhi && blo < ahi;
}

// ops/_views.make_view(out, base), made under the current grad mode.
void make_view(PyObject* out, PyObject* base, bool grad_on) {
  PyObject* info = tensor::raw(base, tensor::VIEW);
  py::object root = py::reinterpret_borrow<py::object>(base);
  if (info && info != Py_None) {
    PyObject* r = PyObject_GetAttr(info, G.str_base);
    if (!r) throw py::error_already_set();
    root = py::reinterpret_steal<py::object>(r);
  }
  PyObject* vc = tensor::raw(base, tensor::VC);
  py::object vc_own;
  if (!vc || vc == Py_None) {
    vc_own = py::reinterpret_steal<py::object>(Py_BuildValue("[i]", 0));
    if (!vc_own) throw py::error_already_set();
    tensor::set(base, tensor::VC, vc_own.ptr());
    vc = vc_own.ptr();
  } else {
    vc_own = py::reinterpret_borrow<py::object>(vc);
  }
  tensor::set(out, tensor::VC, vc);
  PyObject* cb = PyCFunction_New(&forget_def, vc);
  if (!cb) throw py::error_already_set();
  py::object cb_own = py::reinterpret_steal<py::object>(cb);
  PyObject* ref = PyWeakref_NewRef(out, cb);
  if (!ref) throw py::error_already_set();
  py::object ref_own = py::reinterpret_steal<py::object>(ref);
  if (PyList_Append(vc, ref) != 0) throw py::error_already_set();
  PyObject* args[2] = {root.ptr(), grad_on ? Py_False : Py_True};
  PyObject* vi = PyObject_Vectorcall(G.view_info, args, 2, nullptr);
  if (!vi) throw py::error_already_set();
  py::object vi_own = py::reinterpret_steal<py::object>(vi);
  tensor::set(out, tensor::VIEW, vi);
}

// ops/functions.view_of(arr, self) and, when recording, the node.
PyObject* finish(py::object arr, PyObject* self, PyObject* ad, bool record, int kind, Name name,
                 const double* scalars, size_t n_scalars, bool grad_on) {
  const bool share = may_share_memory(arr.ptr(), ad);
  py::object out = tensor::wrap(std::move(arr));
  if (share) make_view(out.ptr(), self, grad_on);
  if (record) {
    PyObject* inputs[1] = {self};
    record_native(kind, G.node_name[name], inputs, 1, out.ptr(), nullptr, 0, scalars, n_scalars);
  }
  return out.release().ptr();
}

// d.reshape(shape), or nullptr (error cleared) for the Python op to word the error.
py::object try_reshape(PyObject* ad, const std::vector<Py_ssize_t>& shape) {
  npy::api_t::PyArray_Dims dims{
      const_cast<Py_intptr_t*>(reinterpret_cast<const Py_intptr_t*>(shape.data())),
      static_cast<int>(shape.size())};
  PyObject* r = npy::api().PyArray_Newshape_(ad, &dims, /*NPY_CORDER*/ 0);
  if (!r) {
    PyErr_Clear();
    return py::object();
  }
  return py::reinterpret_steal<py::object>(r);
}

PyObject* reshape_op(PyObject* self, PyObject* ad, const std::vector<Py_ssize_t>& shape,
                     bool must_view, Name name, bool record, bool grad_on) {
  py::object r = try_reshape(ad, shape);
  if (!r) return nullptr;
  // A reshape that had to copy has new memory; view() refuses that (the Python op raises).
  if (must_view && npy::data(r.ptr()) != npy::data(ad)) return nullptr;
  if (!npy::is_exact(r.ptr())) return nullptr;
  return finish(std::move(r), self, ad, record, RESHAPE, name, nullptr, 0, grad_on);
}

PyObject* permute_op(PyObject* self, PyObject* ad, const std::vector<Py_ssize_t>& perm,
                     Name name, bool record, bool grad_on) {
  const size_t nd = perm.size();
  py::tuple axes(nd);
  double scalars[kMaxDims];
  for (size_t k = 0; k < nd; ++k) {
    PyObject* v = PyLong_FromSsize_t(perm[k]);
    if (!v) throw py::error_already_set();
    PyTuple_SET_ITEM(axes.ptr(), static_cast<Py_ssize_t>(k), v);
    scalars[k] = static_cast<double>(perm[k]);
  }
  PyObject* args[2] = {ad, axes.ptr()};
  PyObject* r = PyObject_VectorcallMethod(G.str_transpose, args,
                                          2 | PY_VECTORCALL_ARGUMENTS_OFFSET, nullptr);
  if (!r) {
    PyErr_Clear();
    return nullptr;
  }
  py::object arr = py::reinterpret_steal<py::object>(r);
  if (!npy::is_exact(arr.ptr())) return nullptr;
  return finish(std::move(arr), self, ad, record, PERMUTE, name, scalars, nd, grad_on);
}

// x[key] for a key of ints, slices and at most one Ellipsis (ops/indexing.basic_index).
PyObject* getitem_op(PyObject* self, PyObject* ad, PyObject* key, bool record, bool grad_on) {
  PyObject* const* items = &key;
  Py_ssize_t n = 1;
  if (PyTuple_CheckExact(key)) {
    items = &PyTuple_GET_ITEM(key, 0);
    n = PyTuple_GET_SIZE(key);
  }
  if (n > kMaxDims) return nullptr;
  bool any_int = false;
  int ellipsis = -1;
  for (Py_ssize_t k = 0; k < n; ++k) {
    PyObject* it = items[k];
    if (it == Py_Ellipsis) {
      if (ellipsis >= 0) return nullptr;
      ellipsis = static_cast<int>(k);
    } else if (PyLong_CheckExact(it)) {
      any_int = true;
    } else if (!PySlice_Check(it)) {
      return nullptr;  // None, bools, arrays, tensors, lists, ...: the Python op
    }
  }
  // Without an Ellipsis NumPy returns a scalar copy when every dimension gets an int; a
  // trailing one makes it a 0-d view, as index_array does.
  py::object full;
  if (ellipsis < 0) {
    full = py::reinterpret_steal<py::object>(PyTuple_New(n + 1));
    if (!full) throw py::error_already_set();
    for (Py_ssize_t k = 0; k < n; ++k) {
      Py_INCREF(items[k]);
      PyTuple_SET_ITEM(full.ptr(), k, items[k]);
    }
    Py_INCREF(Py_Ellipsis);
    PyTuple_SET_ITEM(full.ptr(), n, Py_Ellipsis);
  } else {
    full = py::reinterpret_borrow<py::object>(key);
  }
  PyObject* r = PyObject_GetItem(ad, full.ptr());
  if (!r) {
    PyErr_Clear();
    return nullptr;
  }
  py::object arr = py::reinterpret_steal<py::object>(r);
  if (!npy::is_exact(arr.ptr())) return nullptr;
  const Name name = any_int ? N_SELECT : N_SLICE;
  if (!record) return finish(std::move(arr), self, ad, false, SLICE, name, nullptr, 0, grad_on);
  // ops/indexing.slice_scalars: (start, stop, step) per dimension of x; the key was valid.
  const int nd = npy::ndim(ad);
  const Py_ssize_t* shape = npy::dims(ad);
  std::vector<double> sc;
  sc.reserve(static_cast<size_t>(3 * nd));
  int d = 0;
  for (Py_ssize_t k = 0; k < n; ++k) {
    PyObject* it = items[k];
    if (it == Py_Ellipsis) {
      for (Py_ssize_t j = 0; j < nd - (n - 1); ++j, ++d)
        sc.insert(sc.end(), {0.0, static_cast<double>(shape[d]), 1.0});
      continue;
    }
    if (d >= nd) return nullptr;
    const Py_ssize_t len = shape[d];
    if (PyLong_CheckExact(it)) {
      long long i;
      if (!exact_int(it, i) || len == 0) return nullptr;
      i %= len;
      if (i < 0) i += len;  // Python's modulo
      sc.insert(sc.end(), {static_cast<double>(i), static_cast<double>(i + 1), 0.0});
    } else {
      Py_ssize_t start, stop, step;
      if (PySlice_Unpack(it, &start, &stop, &step) < 0) {
        PyErr_Clear();
        return nullptr;
      }
      const Py_ssize_t count = PySlice_AdjustIndices(len, &start, &stop, step);
      if (count == 0) {
        sc.insert(sc.end(), {0.0, 0.0, 1.0});
      } else {
        const Py_ssize_t end = start + count * step;
        sc.insert(sc.end(), {static_cast<double>(start), static_cast<double>(end >= 0 ? end : -1),
                             static_cast<double>(step)});
      }
    }
    ++d;
  }
  for (; d < nd; ++d) sc.insert(sc.end(), {0.0, static_cast<double>(shape[d]), 1.0});
  return finish(std::move(arr), self, ad, true, SLICE, name, sc.data(), sc.size(), grad_on);
}

// ops/shape.expand: np.broadcast_to(d, target) is the view nditer's itviews makes (NumPy's
// GetIterView): d's data pointer and descriptor, stride 0 on every new or size-1 dimension and
// d's stride elsewhere, not writeable, base d (NumPy collapses it to the owner). A target equal
// to d's shape returns self, as the Python op does. Empty targets (nditer's zero-size strides)
// and every error take the Python op.
PyObject* expand_op(PyObject* self, PyObject* ad, const std::vector<Py_ssize_t>& sizes,
                    bool record, bool grad_on) {
  const int nd = npy::ndim(ad);
  const int n = static_cast<int>(sizes.size());
  if (n < nd) return nullptr;
  const int lead = n - nd;
  const Py_ssize_t* shape = npy::dims(ad);
  const Py_ssize_t* st = npy::P(ad)->strides;
  Py_ssize_t target[kMaxDims], strides[kMaxDims];
  bool same = lead == 0;
  for (int i = 0; i < n; ++i) {
    Py_ssize_t s = sizes[static_cast<size_t>(i)];
    if (i < lead) {
      if (s <= 0) return nullptr;
      target[i] = s;
      strides[i] = 0;
      continue;
    }
    const Py_ssize_t have = shape[i - lead];
    if (s == -1) s = have;
    if (s <= 0 || (s != have && have != 1)) return nullptr;
    target[i] = s;
    strides[i] = have == 1 ? 0 : st[i - lead];
    same = same && s == have;
  }
  if (same) {
    Py_INCREF(self);
    return self;
  }
  PyObject* d = npy::descr(ad);
  Py_INCREF(d);  // stolen by NewFromDescr
  PyObject* r = npy::api().PyArray_NewFromDescr_(
      reinterpret_cast<PyTypeObject*>(npy::api().PyArray_Type_), d, n, target, strides,
      npy::data(ad), /*flags: read-only*/ 0, nullptr);
  if (!r) throw py::error_already_set();
  py::object arr = py::reinterpret_steal<py::object>(r);
  Py_INCREF(ad);  // stolen by SetBaseObject
  if (npy::api().PyArray_SetBaseObject_(r, ad) != 0) throw py::error_already_set();
  return finish(std::move(arr), self, ad, record, EXPAND, N_EXPAND, nullptr, 0, grad_on);
}

}  // namespace

void init() {
  if (G.view_info) return;
  py::module_ views = py::module_::import("chaingrad.ops._views");
  G.view_info = py::object(views.attr("ViewInfo")).release().ptr();
  G.str_base = PyUnicode_InternFromString("base");
  G.str_transpose = PyUnicode_InternFromString("transpose");
  if (!G.str_base || !G.str_transpose) throw py::error_already_set();
  for (int k = 0; k < N_NAMES; ++k) {
    G.node_name[k] = PyUnicode_InternFromString(kNodeNames[k]);
    if (!G.node_name[k]) throw py::error_already_set();
  }
}

PyObject* forward(Op op, PyObject* self, PyObject* ad, PyObject* const* args, Py_ssize_t nargs,
                  bool grad_on) {
  if (!npy::is_exact(ad) || !G.view_info) return nullptr;
  const bool record = grad_on && tensor::raw(self, tensor::REQUIRES_GRAD) == Py_True;
  const int nd = npy::ndim(ad);
  std::vector<Py_ssize_t> v;
  switch (op) {
    case VIEW_OP:
    case RESHAPE_OP:
      if (!int_args(args, nargs, v)) return nullptr;
      return reshape_op(self, ad, v, op == VIEW_OP, N_VIEW, record, grad_on);
    case UNSQUEEZE_OP: {
      if (nargs != 1 || nd >= kMaxDims) return nullptr;
      const int d = wrap(args[0], nd + 1);
      if (d < 0) return nullptr;
      v.assign(npy::dims(ad), npy::dims(ad) + nd);
      v.insert(v.begin() + d, 1);
      return reshape_op(self, ad, v, false, N_UNSQUEEZE, record, grad_on);
    }
    case SQUEEZE_OP: {
      if (nargs > 1 || nd == 0) return nullptr;
      int only = -1;
      if (nargs == 1 && args[0] != Py_None) {
        only = wrap(args[0], nd);
        if (only < 0) return nullptr;
      }
      const Py_ssize_t* dims = npy::dims(ad);
      for (int k = 0; k < nd; ++k)
        if (dims[k] != 1 || (only >= 0 && k != only)) v.push_back(dims[k]);
      return reshape_op(self, ad, v, false, N_SQUEEZE, record, grad_on);
    }
    case PERMUTE_OP: {
      if (nd == 0 || !int_args(args, nargs, v) || static_cast<int>(v.size()) != nd)
        return nullptr;
      uint64_t seen = 0;
      for (auto& d : v) {
        if (d < -nd || d >= nd) return nullptr;
        if (d < 0) d += nd;
        if (seen & (uint64_t{1} << d)) return nullptr;
        seen |= uint64_t{1} << d;
      }
      return permute_op(self, ad, v, N_PERMUTE, record, grad_on);
    }
    case TRANSPOSE_OP: {
      if (nargs != 2 || nd == 0) return nullptr;
      const int d0 = wrap(args[0], nd), d1 = wrap(args[1], nd);
      if (d0 < 0 || d1 < 0 || nd > kMaxDims) return nullptr;
      for (int k = 0; k < nd; ++k) v.push_back(k);
      std::swap(v[static_cast<size_t>(d0)], v[static_cast<size_t>(d1)]);
      return permute_op(self, ad, v, N_TRANSPOSE, record, grad_on);
    }
    case GETITEM_OP:
      if (nargs != 1) return nullptr;
      return getitem_op(self, ad, args[0], record, grad_on);
    case EXPAND_OP:
      if (!int_args(args, nargs, v)) return nullptr;
      return expand_op(self, ad, v, record, grad_on);
  }
  return nullptr;
}

}  // namespace shape_fast
}  // namespace chaingrad
