#include "npcall.h"

#include <cfloat>
#include <cmath>
#include <stdexcept>

namespace chaingrad {
namespace npc {

Fns f;

namespace {

PyObject* make_extobj = nullptr;  // numpy._core.umath._make_extobj
PyObject* extobj_var = nullptr;   // numpy._core.umath._extobj_contextvar
PyObject* kw_divide_invalid = nullptr;
PyObject* kw_divide = nullptr;
PyObject* kw_invalid = nullptr;
PyObject* s_ignore = nullptr;

}  // namespace

py::object steal(PyObject* r) {
  if (!r) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(r);
}

namespace {
constexpr size_t kMaxArgs = 8;

size_t fill(PyObject** argv, std::initializer_list<PyObject*> args) {
  if (args.size() > kMaxArgs)
    throw std::logic_error("chaingrad._core: internal error: too many arguments");
  size_t n = 0;
  for (PyObject* a : args) {
    if (!a) throw std::logic_error("chaingrad._core: internal error: null argument");
    argv[n++] = a;
  }
  return n;
}
}  // namespace

py::object call(PyObject* fn, std::initializer_list<PyObject*> args, PyObject* kwnames) {
  PyObject* argv[kMaxArgs];
  const size_t n = fill(argv, args);
  const size_t nkw = kwnames ? static_cast<size_t>(PyTuple_GET_SIZE(kwnames)) : 0;
  return steal(PyObject_Vectorcall(fn, argv, n - nkw, kwnames));
}

py::object method(PyObject* name, std::initializer_list<PyObject*> args, PyObject* kwnames) {
  PyObject* argv[kMaxArgs];
  const size_t n = fill(argv, args);
  const size_t nkw = kwnames ? static_cast<size_t>(PyTuple_GET_SIZE(kwnames)) : 0;
  return steal(PyObject_VectorcallMethod(name, argv, n - nkw, kwnames));
}

py::object astype_nocopy(PyObject* a, PyObject* dtype) {
  if (npy::is_array(a) && npy::descr(a) == dtype) return py::reinterpret_borrow<py::object>(a);
  return method(f.s_astype, {a, dtype, Py_False}, f.kw_copy);
}

py::object typed_of(PyObject* like, PyObject* o) {
  PyObject* type = py::detail::array_descriptor_proxy(npy::descr(like))->typeobj;
  return steal(PyObject_CallOneArg(type, o));
}

py::object typed(PyObject* like, double v) {
  const int t = npy::float_type(like);
  // float32 beyond its range: np.float32(v) rounds (and warns); a C++ cast would be undefined.
  if (t == npy::kDouble || (t == npy::kFloat && (!std::isfinite(v) || std::fabs(v) <= FLT_MAX))) {
    py::object s = npy::empty(npy::descr(like), 0, nullptr);
    if (t == npy::kFloat)
      *reinterpret_cast<float*>(npy::data(s.ptr())) = static_cast<float>(v);
    else
      *reinterpret_cast<double*>(npy::data(s.ptr())) = v;
    return s;
  }
  py::object pv = steal(PyFloat_FromDouble(v));
  return typed_of(like, pv.ptr());
}

ErrState::ErrState(bool divide, bool invalid) {
  if (!f.errstate || (!divide && !invalid))
    throw std::logic_error("chaingrad._core: internal error: np.errstate unavailable");
  py::object ext = divide && invalid ? call(make_extobj, {s_ignore, s_ignore}, kw_divide_invalid)
                   : divide          ? call(make_extobj, {s_ignore}, kw_divide)
                                     : call(make_extobj, {s_ignore}, kw_invalid);
  token_ = PyContextVar_Set(extobj_var, ext.ptr());
  if (!token_) throw py::error_already_set();
}

ErrState::~ErrState() {
  // Reset even while an exception propagates, without losing it.
#if PY_VERSION_HEX >= 0x030C0000
  PyObject* exc = PyErr_GetRaisedException();
  if (PyContextVar_Reset(extobj_var, token_) < 0) PyErr_Clear();
  Py_DECREF(token_);
  PyErr_SetRaisedException(exc);
#else
  PyObject *t, *v, *tb;
  PyErr_Fetch(&t, &v, &tb);
  if (PyContextVar_Reset(extobj_var, token_) < 0) PyErr_Clear();
  Py_DECREF(token_);
  PyErr_Restore(t, v, tb);
#endif
}

py::object sign_array(PyObject* x) {
  PyObject* dt = npy::descr(x);
  py::object gt = call(f.greater, {x, f.py_zero});
  py::object pos = method(f.s_astype, {gt.ptr(), dt});
  py::object lt = call(f.less, {x, f.py_zero});
  py::object neg = method(f.s_astype, {lt.ptr(), dt});
  return as_array(call(f.subtract, {pos.ptr(), neg.ptr()}));
}

py::object pow_scalar_array(PyObject* x_in, double e) {
  py::object xa = npy::as_array(py::reinterpret_borrow<py::object>(x_in));
  PyObject* x = xa.ptr();
  if (e == 0) return as_array(call(f.ones_like, {x}));
  if (e == 1) return as_array(method(f.s_copy, {x}));
  if (e == 2) return as_array(call(f.multiply, {x, x}));
  if (e == 3) {
    py::object x2 = call(f.multiply, {x, x});
    return as_array(call(f.multiply, {x2.ptr(), x}));
  }
  if (e == 0.5) return as_array(call(f.sqrt, {x}));
  if (e == -0.5 || e == -1 || e == -2) {
    py::object one = typed(x, 1.0);
    py::object d = e == -0.5  ? call(f.sqrt, {x})
                   : e == -1 ? py::reinterpret_borrow<py::object>(x)
                             : call(f.multiply, {x, x});
    return as_array(call(f.divide, {one.ptr(), d.ptr()}));
  }
  py::object te = typed(x, e);
  return as_array(call(f.power, {x, te.ptr()}));
}

void init(py::module_ numpy) {
  auto own = [&](const char* name) { return py::object(numpy.attr(name)).release().ptr(); };
  auto own_attr = [&](const char* name, const char* attr) {
    return py::object(numpy.attr(name).attr(attr)).release().ptr();
  };
  auto names = [](auto... s) { return py::make_tuple(s...).release().ptr(); };
  f.add = own("add");
  f.subtract = own("subtract");
  f.multiply = own("multiply");
  f.divide = own("divide");
  f.negative = own("negative");
  f.power = own("power");
  f.exp = own("exp");
  f.log = own("log");
  f.sqrt = own("sqrt");
  f.sin = own("sin");
  f.cos = own("cos");
  f.equal = own("equal");
  f.less = own("less");
  f.less_equal = own("less_equal");
  f.greater = own("greater");
  f.greater_equal = own("greater_equal");
  f.bitwise_and = own("bitwise_and");
  f.bitwise_or = own("bitwise_or");
  f.isnan = own("isnan");
  f.absolute = own("absolute");
  f.matmul = own("matmul");
  f.add_reduce = own_attr("add", "reduce");
  f.or_reduce = own_attr("logical_or", "reduce");
  f.where = own("where");
  f.zeros = own("zeros");
  f.zeros_like = own("zeros_like");
  f.ones_like = own("ones_like");
  f.ascontiguousarray = own("ascontiguousarray");
  f.intp = own("intp");
  f.f64 = own("float64");
  f.f32 = own("float32");
  f.f32_nan = py::object(numpy.attr("float32")(py::float_(NAN))).release().ptr();
  f.f32_inf = py::object(numpy.attr("float32")(py::float_(INFINITY))).release().ptr();
  f.s_astype = py::str("astype").release().ptr();
  f.s_copy = py::str("copy").release().ptr();
  f.s_cumsum = py::str("cumsum").release().ptr();
  f.s_cumprod = py::str("cumprod").release().ptr();
  f.kw_dtype = names("dtype");
  f.kw_axis = names("axis");
  f.kw_copy = names("copy");
  f.kw_axis_keepdims = names("axis", "keepdims");
  f.kw_out_casting_subok = names("out", "casting", "subok");
  f.s_unsafe = py::str("unsafe").release().ptr();
  f.py_zero = py::int_(0).release().ptr();
  f.py_one = py::int_(1).release().ptr();
  f.py_two = py::int_(2).release().ptr();
  try {
    f.count_nonzero =
        py::object(py::module_::import("numpy._core.multiarray").attr("count_nonzero"))
            .release()
            .ptr();
  } catch (py::error_already_set&) {
    f.count_nonzero = nullptr;  // MAXMIN_ALL falls back
  }
  kw_divide_invalid = names("divide", "invalid");
  kw_divide = names("divide");
  kw_invalid = names("invalid");
  s_ignore = py::str("ignore").release().ptr();
  try {
    py::module_ um = py::module_::import("numpy._core.umath");
    py::object mk = um.attr("_make_extobj"), var = um.attr("_extobj_contextvar");
    if (PyContextVar_CheckExact(var.ptr())) {
      make_extobj = mk.release().ptr();
      extobj_var = var.release().ptr();
      f.errstate = true;
    }
  } catch (py::error_already_set&) {
    // An older NumPy: the kernels that need np.errstate fall back.
  }
  f.ready = true;
}

}  // namespace npc
}  // namespace chaingrad
