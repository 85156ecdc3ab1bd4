#include "npy.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

namespace chaingrad {
namespace npy {

thread_local unsigned fpflags::pending = 0;

PyObject* builtin_table[kNumBuiltin] = {};

namespace {
void init_builtin_table() {
  for (int t = 0; t < kNumBuiltin; ++t) {
    if (t >= 17 && t <= 22) continue;  // object, bytes, str, void, datetime, timedelta
    PyObject* d = api().PyArray_DescrFromType_(t);  // a new reference to the singleton, kept
    if (!d) {
      PyErr_Clear();
      continue;
    }
    builtin_table[t] = d;
  }
}
}  // namespace

py::object empty(PyObject* descr, int nd, const Py_ssize_t* dims) {
  Py_INCREF(descr);  // PyArray_NewFromDescr steals the descriptor
  PyObject* r = api().PyArray_NewFromDescr_(api().PyArray_Type_, descr, nd, dims, nullptr,
                                            nullptr, 0, nullptr);
  if (!r) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(r);
}

py::object copy(PyObject* a) {
  PyObject* r = api().PyArray_NewCopy_(a, /*NPY_KEEPORDER*/ 2);
  if (!r) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(r);
}

namespace {
// Process-lifetime references (never released: see forward.cpp's State).
PyObject* add_reduce = nullptr;   // np.add.reduce (strong)
PyObject* asarray_fn = nullptr;   // np.asarray (strong)
PyObject* kw_axis_keepdims = nullptr;  // ("axis", "keepdims")
PyObject* swapaxes_name = nullptr;
PyObject* minus1 = nullptr;
PyObject* minus2 = nullptr;
PyObject* geterr_fn = nullptr;    // np.geterr (strong)
}  // namespace

py::object reshape(PyObject* a, int nd, const Py_ssize_t* dims) {
  api_t::PyArray_Dims shape{const_cast<Py_intptr_t*>(reinterpret_cast<const Py_intptr_t*>(dims)), nd};
  PyObject* r = api().PyArray_Newshape_(a, &shape, /*NPY_CORDER*/ 0);
  if (!r) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(r);
}

py::object broadcast_copy(PyObject* a, int nd, const Py_ssize_t* dims) {
  py::object out = empty(descr(a), nd, dims);
  if (api().PyArray_CopyInto_(out.ptr(), a) != 0) throw py::error_already_set();
  return out;
}

py::object as_array(py::object o) {
  if (is_array(o.ptr())) return o;
  PyObject* args[1] = {o.ptr()};
  PyObject* r = PyObject_Vectorcall(asarray_fn, args, 1, nullptr);
  if (!r) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(r);
}

py::object sum_axes(PyObject* a, const std::vector<Py_ssize_t>& axes, bool keepdims) {
  py::tuple ax(axes.size());
  for (size_t k = 0; k < axes.size(); ++k) ax[k] = py::int_(axes[k]);
  PyObject* args[3] = {a, ax.ptr(), keepdims ? Py_True : Py_False};
  PyObject* r = PyObject_Vectorcall(add_reduce, args, 1, kw_axis_keepdims);
  if (!r) throw py::error_already_set();
  return as_array(py::reinterpret_steal<py::object>(r));
}

py::object swap_last(PyObject* a) {
  PyObject* args[3] = {a, minus1, minus2};
  PyObject* r = PyObject_VectorcallMethod(swapaxes_name, args, 3, nullptr);
  if (!r) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(r);
}

namespace {

void init_helpers(py::module_ numpy) {
  add_reduce = py::object(numpy.attr("add").attr("reduce")).release().ptr();
  asarray_fn = py::object(numpy.attr("asarray")).release().ptr();
  kw_axis_keepdims = py::make_tuple("axis", "keepdims").release().ptr();
  geterr_fn = py::object(numpy.attr("geterr")).release().ptr();
  swapaxes_name = PyUnicode_InternFromString("swapaxes");
  minus1 = PyLong_FromLong(-1);
  minus2 = PyLong_FromLong(-2);
  if (!swapaxes_name || !minus1 || !minus2) throw py::error_already_set();
}

}  // namespace

namespace fpflags {
bool need_numpy() {
  const unsigned f = raised();
  if (!f) return false;
  if (f & ~kUnder) return true;
  // Only underflow: NumPy's default errstate ignores it (confident logits, saturated
  // sigmoids); ask the current errstate, a Python call made only on this rare path.
  PyObject* d = PyObject_CallNoArgs(geterr_fn);
  PyObject* v = d ? PyDict_GetItemString(d, "under") : nullptr;  // borrowed
  const bool ignored =
      v && PyUnicode_Check(v) && PyUnicode_CompareWithASCIIString(v, "ignore") == 0;
  Py_XDECREF(d);
  if (PyErr_Occurred()) PyErr_Clear();  // unknown: let NumPy decide
  if (ignored) clear();
  return !ignored;
}
}  // namespace fpflags

namespace {

// The leading fields of NumPy's PyUFuncObject (numpy/ufuncobject.h), unchanged from NumPy 1.x
// through 2.x. init_loops() checks every field it reads against the ufunc's Python
// attributes before trusting it, then checks the loop's results against a ufunc call.
struct UFuncHead {
  PyObject_HEAD
  int nin, nout, nargs;
  int identity;
  LoopFn* functions;
  void* const* data;
  int ntypes;
  int reserved1;
  const char* name;
  const char* types;
};

Loop table[L_NUM][2];

const char* const kNames[L_NUM] = {"exp", "log", "tanh", "power", "reciprocal", "sin", "cos",
                                   "add"};
const int kNargs[L_NUM] = {2, 2, 2, 3, 2, 2, 2, 3};

Loop find_loop(PyObject* uf, int nargs, int type_num) {
  Loop none;
  if (std::string(Py_TYPE(uf)->tp_name) != "numpy.ufunc") return none;
  const auto* u = reinterpret_cast<const UFuncHead*>(uf);
  py::handle h(uf);
  try {
    if (u->nin != h.attr("nin").cast<int>() || u->nout != h.attr("nout").cast<int>() ||
        u->nargs != nargs || u->nin + u->nout != nargs ||
        u->ntypes != h.attr("ntypes").cast<int>() || !u->name || !u->types ||
        std::string(u->name) != h.attr("__name__").cast<std::string>())
      return none;
    // The type-number table must spell the same signatures as ufunc.types.
    py::list sigs = h.attr("types");
    if (static_cast<int>(sigs.size()) != u->ntypes) return none;
    py::module_ np = py::module_::import("numpy");
    for (int i = 0; i < u->ntypes; ++i) {
      std::string s = sigs[i].cast<std::string>();  // e.g. "ff->f"
      std::string chars = s.substr(0, static_cast<size_t>(u->nin)) +
                          s.substr(s.size() - static_cast<size_t>(u->nout));
      for (int k = 0; k < nargs; ++k) {
        int num = np.attr("dtype")(std::string(1, chars[static_cast<size_t>(k)]))
                      .attr("num").cast<int>();
        if (static_cast<unsigned char>(u->types[i * nargs + k]) != num) return none;
      }
    }
  } catch (py::error_already_set&) {
    PyErr_Clear();
    return none;
  }
  // NumPy's legacy loop selection: the first loop whose types match exactly.
  for (int i = 0; i < u->ntypes; ++i) {
    bool match = true;
    for (int k = 0; k < nargs; ++k)
      if (static_cast<unsigned char>(u->types[i * nargs + k]) != type_num) match = false;
    if (match) return Loop{u->functions[i], u->data[i]};
  }
  return none;
}

template <typename T>
std::vector<T> probe_values() {
  std::vector<T> v = {T(0),    T(-0.0), T(0.5),   T(-0.5),  T(1),     T(-1),   T(2),
                      T(3.25), T(-7.5), T(1e-3),  T(-1e-3), T(20),    T(-20),  T(88.5),
                      T(-100), T(0.1),  T(0.7),   T(1.3),   T(2.9),   T(9.75), T(-3.3),
                      T(1e-6), T(42),   T(0.333), T(5e-5),  T(0.999), T(1.001), T(7)};
  for (int i = 0; i < 37; ++i) v.push_back(static_cast<T>(std::sin(i * 1.7) * (1 + i)));
  return v;
}

// Run the loop and the ufunc on the same values (contiguous, and one element at a time) and
// compare the bits, so a loop that differs from what NumPy computes is never used.
template <typename T>
bool verify(const Loop& lp, LoopOp op, PyObject* uf, PyObject* descr) {
  std::vector<T> x = probe_values<T>();
  if (op == L_LOG)
    for (auto& v : x) v = std::fabs(v) + T(0.25);
  const Py_ssize_t n = static_cast<Py_ssize_t>(x.size());
  const bool binary = kNargs[op] == 3;
  T e = T(1.7);  // power exponent
  py::object xa = empty(descr, 1, &n);
  std::memcpy(data(xa.ptr()), x.data(), sizeof(T) * x.size());
  // NumPy's results: the whole array at once, then each element as a 0-d array.
  std::vector<T> want0(x.size()), want1(x.size());
  try {
    py::object np = py::module_::import("numpy");
    py::object errstate = np.attr("errstate")(py::arg("all") = "ignore");
    errstate.attr("__enter__")();
    py::object ea = empty(descr, 0, nullptr);
    *reinterpret_cast<T*>(data(ea.ptr())) = e;
    py::object f = py::reinterpret_borrow<py::object>(uf);
    py::object ref = binary ? f(xa, ea) : f(xa);
    std::memcpy(want0.data(), data(ref.ptr()), sizeof(T) * x.size());
    for (Py_ssize_t i = 0; i < n; ++i) {
      py::object xi = empty(descr, 0, nullptr);
      *reinterpret_cast<T*>(data(xi.ptr())) = x[static_cast<size_t>(i)];
      py::object r = np.attr("asarray")(binary ? f(xi, ea) : f(xi));
      want1[static_cast<size_t>(i)] = *reinterpret_cast<const T*>(data(r.ptr()));
    }
    errstate.attr("__exit__")(py::none(), py::none(), py::none());
  } catch (py::error_already_set&) {
    PyErr_Clear();
    return false;
  }
  std::vector<T> got(x.size());
  for (int pass = 0; pass < 2; ++pass) {
    Py_ssize_t count = pass == 0 ? n : 1;
    Py_ssize_t reps = pass == 0 ? 1 : n;
    Py_ssize_t st = pass == 0 ? Py_ssize_t(sizeof(T)) : 0;
    for (Py_ssize_t r = 0; r < reps; ++r) {
      char* in = reinterpret_cast<char*>(x.data() + r);
      char* out = reinterpret_cast<char*>(got.data() + r);
      if (binary) {
        char* args[3] = {in, reinterpret_cast<char*>(&e), out};
        Py_ssize_t steps[3] = {st, 0, st};
        lp.fn(args, &count, steps, lp.data);
      } else {
        char* args[2] = {in, out};
        Py_ssize_t steps[2] = {st, st};
        lp.fn(args, &count, steps, lp.data);
      }
    }
    const std::vector<T>& want = pass == 0 ? want0 : want1;
    if (std::memcmp(got.data(), want.data(), sizeof(T) * x.size()) != 0) return false;
  }
  return true;
}

// The add loop in reduce mode (output aliased to the first input, step 0, started from the
// identity) against np.add.reduce(a, axis=1) for rows of many lengths: NumPy sums a
// contiguous row pairwise in blocks of 8, and the native kernels must round the same way.
template <typename T>
bool verify_reduce(const Loop& lp, PyObject* descr) {
  std::vector<T> base = probe_values<T>();
  try {
    py::object np = py::module_::import("numpy");
    for (Py_ssize_t c : {1, 2, 3, 7, 8, 9, 10, 15, 16, 17, 31, 100, 129, 257, 1000}) {
      const Py_ssize_t rows = 3, dims[2] = {rows, c};
      py::object a = empty(descr, 2, dims);
      T* x = reinterpret_cast<T*>(data(a.ptr()));
      for (Py_ssize_t i = 0; i < rows * c; ++i)
        x[i] = base[static_cast<size_t>(i) % base.size()] * T(1 + i % 7);
      py::object want = np.attr("add").attr("reduce")(a, py::arg("axis") = 1);
      const T* w = reinterpret_cast<const T*>(data(want.ptr()));
      for (Py_ssize_t r = 0; r < rows; ++r) {
        T acc = T(0);
        char* args[3] = {reinterpret_cast<char*>(&acc), reinterpret_cast<char*>(x + r * c),
                         reinterpret_cast<char*>(&acc)};
        Py_ssize_t n = c, steps[3] = {0, Py_ssize_t(sizeof(T)), 0};
        lp.fn(args, &n, steps, lp.data);
        if (std::memcmp(&acc, w + r, sizeof(T)) != 0) return false;
      }
    }
  } catch (py::error_already_set&) {
    PyErr_Clear();
    return false;
  }
  return true;
}

}  // namespace

const Loop& loop(LoopOp op, bool is64) { return table[op][is64 ? 1 : 0]; }
const char* loop_name(LoopOp op) { return kNames[op]; }

void init_loops(py::module_ numpy) {
  init_builtin_table();
  init_helpers(numpy);
  for (int op = 0; op < L_NUM; ++op) {
    py::object uf = numpy.attr(kNames[op]);
    for (int w = 0; w < 2; ++w) {
      int tn = w ? kDouble : kFloat;
      Loop lp = find_loop(uf.ptr(), kNargs[op], tn);
      if (lp) {
        PyObject* d = builtin_descr(tn);
        bool ok = d && (w ? verify<double>(lp, static_cast<LoopOp>(op), uf.ptr(), d)
                          : verify<float>(lp, static_cast<LoopOp>(op), uf.ptr(), d));
        if (ok && op == L_ADD)
          ok = w ? verify_reduce<double>(lp, d) : verify_reduce<float>(lp, d);
        if (!ok) lp = Loop{};
      }
      table[op][w] = lp;
    }
  }
}

}  // namespace npy
}  // namespace chaingrad
