#include "kernels.h"

#include "engine.h"

#include <pybind11/numpy.h>

#include <cmath>
#include <string>

namespace chaingrad {

namespace {

// Borrowed from the NumPy module, which our module keeps alive as an attribute.
struct NumpyFns {
  PyObject* add = nullptr;
  PyObject* multiply = nullptr;
  PyObject* divide = nullptr;
  PyObject* negative = nullptr;
  PyObject* matmul = nullptr;
  PyObject* swapaxes = nullptr;
  PyObject* broadcast_to = nullptr;
  PyObject* expand_dims = nullptr;
  PyObject* where = nullptr;
  PyObject* greater = nullptr;
  PyObject* asarray = nullptr;
  PyObject* ascontiguousarray = nullptr;
  PyObject* zeros_like = nullptr;
};
NumpyFns np;

py::object call(PyObject* fn, std::initializer_list<PyObject*> args) {
  py::tuple t(args.size());
  size_t i = 0;
  for (PyObject* a : args) {
    Py_INCREF(a);
    PyTuple_SET_ITEM(t.ptr(), i++, a);
  }
  PyObject* r = PyObject_Call(fn, t.ptr(), nullptr);
  if (!r) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(r);
}

// NumPy returns scalars for 0-d results; the engine moves arrays only.
py::object as_array(py::object o) {
  if (py::isinstance<py::array>(o)) return o;
  return call(np.asarray, {o.ptr()});
}

py::object scalar_of(const py::array& like, double v) {
  // A 0-d array of `like`'s dtype, so NumPy computes in that dtype (as torch does).
  py::array s(like.dtype(), std::vector<py::ssize_t>{});
  if (like.dtype().char_() == 'f')
    *static_cast<float*>(s.mutable_data()) = static_cast<float>(v);
  else if (like.dtype().char_() == 'd')
    *static_cast<double*>(s.mutable_data()) = v;
  else
    return py::float_(v);
  return std::move(s);
}

bool same_shape(const py::array& a, const py::array& b) {
  if (a.ndim() != b.ndim()) return false;
  for (py::ssize_t k = 0; k < a.ndim(); ++k)
    if (a.shape(k) != b.shape(k)) return false;
  return true;
}

bool contiguous(const py::array& a) { return (a.flags() & py::array::c_style) != 0; }

// All operands float32 or all float64, C-contiguous, of g's shape.
char fast_dtype(const py::array& g, std::initializer_list<const py::array*> others) {
  char c = g.dtype().char_();
  if ((c != 'f' && c != 'd') || !contiguous(g)) return 0;
  for (const py::array* o : others)
    if (o->dtype().char_() != c || !contiguous(*o) || !same_shape(g, *o)) return 0;
  return c;
}

py::array empty_like(const py::array& g) {
  return py::array(g.dtype(), std::vector<py::ssize_t>(g.shape(), g.shape() + g.ndim()));
}

template <typename T, typename F>
py::object map1(const py::array& g, F f) {
  py::array out = empty_like(g);
  const T* pg = static_cast<const T*>(g.data());
  T* po = static_cast<T*>(out.mutable_data());
  const py::ssize_t n = g.size();
  for (py::ssize_t i = 0; i < n; ++i) po[i] = f(pg[i]);
  return std::move(out);
}

template <typename T, typename F>
py::object map2(const py::array& g, const py::array& x, F f) {
  py::array out = empty_like(g);
  const T* pg = static_cast<const T*>(g.data());
  const T* px = static_cast<const T*>(x.data());
  T* po = static_cast<T*>(out.mutable_data());
  const py::ssize_t n = g.size();
  for (py::ssize_t i = 0; i < n; ++i) po[i] = f(pg[i], px[i]);
  return std::move(out);
}

template <typename T, typename F>
py::object map3(const py::array& g, const py::array& x, const py::array& y, F f) {
  py::array out = empty_like(g);
  const T* pg = static_cast<const T*>(g.data());
  const T* px = static_cast<const T*>(x.data());
  const T* py_ = static_cast<const T*>(y.data());
  T* po = static_cast<T*>(out.mutable_data());
  const py::ssize_t n = g.size();
  for (py::ssize_t i = 0; i < n; ++i) po[i] = f(pg[i], px[i], py_[i]);
  return std::move(out);
}

// Dispatch a generic lambda on float/double.
#define CG_DISPATCH(c, T, ...)      \
  do {                              \
    if ((c) == 'f') {               \
      using T = float;              \
      __VA_ARGS__;                  \
    } else {                        \
      using T = double;             \
      __VA_ARGS__;                  \
    }                               \
  } while (0)

// x ** e the way torch evaluates a scalar power (exact special cases, else pow).
template <typename T>
T pow_scalar(T x, T e) {
  if (e == T(0)) return T(1);
  if (e == T(1)) return x;
  if (e == T(2)) return x * x;
  if (e == T(3)) return x * x * x;
  if (e == T(0.5)) return std::sqrt(x);
  if (e == T(-0.5)) return T(1) / std::sqrt(x);
  if (e == T(-1)) return T(1) / x;
  if (e == T(-2)) return T(1) / (x * x);
  return std::pow(x, e);
}

py::array arr(const py::object& o) {
  if (!py::isinstance<py::array>(o))
    throw std::runtime_error("chaingrad._core: expected a NumPy array, got " +
                             std::string(py::str(py::type::of(o))));
  return py::reinterpret_borrow<py::array>(o);
}

py::object neg(const py::object& g) {
  py::array ga = arr(g);
  char c = fast_dtype(ga, {});
  if (c) {
    CG_DISPATCH(c, T, return map1<T>(ga, [](T v) { return -v; }));
  }
  return as_array(call(np.negative, {g.ptr()}));
}

py::object mul(const py::object& g, const py::object& x) {
  py::array ga = arr(g), xa = arr(x);
  char c = fast_dtype(ga, {&xa});
  if (c) {
    CG_DISPATCH(c, T, return map2<T>(ga, xa, [](T a, T b) { return a * b; }));
  }
  return as_array(call(np.multiply, {g.ptr(), x.ptr()}));
}

py::object div(const py::object& g, const py::object& x) {
  py::array ga = arr(g), xa = arr(x);
  char c = fast_dtype(ga, {&xa});
  if (c) {
    CG_DISPATCH(c, T, return map2<T>(ga, xa, [](T a, T b) { return a / b; }));
  }
  return as_array(call(np.divide, {g.ptr(), x.ptr()}));
}

py::object none() { return py::none(); }

// Unary-op operands share g's dtype and shape; only the layout may differ.
py::array contig(const py::array& a) {
  char c = a.dtype().char_();
  if (c != 'f' && c != 'd')
    throw std::runtime_error(std::string("chaingrad._core: gradients must be float32 or float64, got dtype ") + std::string(py::str(a.dtype())));
  if (contiguous(a)) return a;
  return py::reinterpret_steal<py::array>(call(np.ascontiguousarray, {a.ptr()}).release());
}

std::vector<py::ssize_t> shape_of(const py::array& a) {
  return std::vector<py::ssize_t>(a.shape(), a.shape() + a.ndim());
}

py::object shape_tuple(const std::vector<py::ssize_t>& s) {
  py::tuple t(s.size());
  for (size_t k = 0; k < s.size(); ++k) t[k] = py::int_(s[k]);
  return std::move(t);
}

py::object sum_backward(const Node& node, const py::object& g, bool mean) {
  const InputMeta& m = node.meta[0];
  py::array ga = arr(g);
  py::ssize_t in_size = 1;
  for (auto s : m.shape) in_size *= s;
  const bool keepdim = node.scalars.at(0) != 0.0;
  const size_t ndims = node.scalars.size() - 1;
  const py::ssize_t count = ga.size() ? in_size / ga.size() : 0;
  // Full reduction of a float tensor: fill.
  char c = ga.dtype().char_();
  if (ga.size() == 1 && (c == 'f' || c == 'd')) {
    py::array out(ga.dtype(), m.shape);
    CG_DISPATCH(c, T, {
      T v = *static_cast<const T*>(ga.data());
      if (mean && count) v = v / static_cast<T>(count);
      T* po = static_cast<T*>(out.mutable_data());
      for (py::ssize_t i = 0; i < in_size; ++i) po[i] = v;
    });
    return std::move(out);
  }
  py::object gg = g;
  if (ndims && !keepdim) {
    py::tuple axes(ndims);
    for (size_t k = 0; k < ndims; ++k) axes[k] = py::int_(static_cast<long>(node.scalars[k + 1]));
    gg = call(np.expand_dims, {gg.ptr(), axes.ptr()});
  }
  if (mean && count) gg = as_array(call(np.divide, {gg.ptr(), scalar_of(ga, double(count)).ptr()}));
  py::object b = call(np.broadcast_to, {gg.ptr(), shape_tuple(m.shape).ptr()});
  return call(np.ascontiguousarray, {b.ptr()});
}

py::object swap_last(const py::object& a) {
  py::object m1 = py::int_(-1), m2 = py::int_(-2);
  return call(np.swapaxes, {a.ptr(), m1.ptr(), m2.ptr()});
}

py::object reshape(const py::object& a, const std::vector<py::ssize_t>& shape) {
  return a.attr("reshape")(shape_tuple(shape));
}

std::vector<py::object> matmul_backward(Node& node, const py::object& g, bool need_a,
                                        bool need_b) {
  py::array a = arr(node.saved[0].data), b = arr(node.saved[1].data);
  py::object ga = none(), gb = none();
  if (a.ndim() == 1 && b.ndim() == 1) {
    if (need_a) ga = as_array(call(np.multiply, {g.ptr(), b.ptr()}));
    if (need_b) gb = as_array(call(np.multiply, {g.ptr(), a.ptr()}));
    return {ga, gb};
  }
  py::object a2 = a, b2 = b, g2 = g;
  if (a.ndim() == 1) a2 = reshape(a, {1, a.shape(0)});
  if (b.ndim() == 1) b2 = reshape(b, {b.shape(0), 1});
  if (a.ndim() == 1) g2 = call(np.expand_dims, {g2.ptr(), py::int_(-2).ptr()});
  if (b.ndim() == 1) g2 = call(np.expand_dims, {g2.ptr(), py::int_(-1).ptr()});
  if (need_a) {
    py::array r = arr(as_array(call(np.matmul, {g2.ptr(), swap_last(b2).ptr()})));
    if (a.ndim() == 1) {
      auto s = shape_of(r);
      s.erase(s.end() - 2);
      ga = reshape(r, s);
    } else {
      ga = r;
    }
  }
  if (need_b) {
    py::array r = arr(as_array(call(np.matmul, {swap_last(a2).ptr(), g2.ptr()})));
    if (b.ndim() == 1) {
      auto s = shape_of(r);
      s.pop_back();
      gb = reshape(r, s);
    } else {
      gb = r;
    }
  }
  return {ga, gb};
}

// Kinds without a C++ kernel yet run the reference engine's NumPy kernel (one Python call).
std::vector<py::object> fallback_backward(Node& node, const py::object& g) {
  py::object r = py::reinterpret_borrow<py::object>(bridge.array_backward)(py::cast(node), g);
  std::vector<py::object> out;
  for (py::handle h : r) out.push_back(py::reinterpret_borrow<py::object>(h));
  return out;
}

}  // namespace

void init_kernels(py::module_ numpy) {
  auto get = [&](const char* name) { return numpy.attr(name).ptr(); };
  np.add = get("add");
  np.multiply = get("multiply");
  np.divide = get("divide");
  np.negative = get("negative");
  np.matmul = get("matmul");
  np.swapaxes = get("swapaxes");
  np.broadcast_to = get("broadcast_to");
  np.expand_dims = get("expand_dims");
  np.where = get("where");
  np.greater = get("greater");
  np.asarray = get("asarray");
  np.ascontiguousarray = get("ascontiguousarray");
  np.zeros_like = get("zeros_like");
}

std::vector<py::object> native_backward(Node& node, const py::object& g) {
  const size_t n_in = node.next.size();
  auto need = [&](size_t i) { return i < n_in && node.next[i].fn != nullptr; };
  auto saved = [&](size_t i) -> const py::object& { return node.saved.at(i).data; };
  py::array ga = arr(g);
  switch (node.kind) {
    case ADD:
      return {need(0) ? g : none(), need(1) ? g : none()};
    case SUB:
      return {need(0) ? g : none(), need(1) ? neg(g) : none()};
    case NEG:
    case RSUB_SCALAR:
      return {neg(g)};
    case ADD_SCALAR:
      return {g};
    case MUL:
      return {need(0) ? mul(g, saved(1)) : none(), need(1) ? mul(g, saved(0)) : none()};
    case MUL_SCALAR:
      return {mul(g, scalar_of(ga, node.scalars.at(0)))};
    case DIV_SCALAR:
      return {div(g, scalar_of(ga, node.scalars.at(0)))};
    case DIV: {
      py::object gb = none();
      if (need(1)) {
        py::array a = arr(saved(0)), b = arr(saved(1));
        char c = fast_dtype(ga, {&a, &b});
        if (c) {
          CG_DISPATCH(c, T, gb = map3<T>(ga, a, b, [](T gv, T av, T bv) {
                              return -gv * ((av / bv) / bv);
                            }));
        } else {
          py::object q = call(np.divide, {a.ptr(), b.ptr()});
          q = call(np.divide, {q.ptr(), b.ptr()});
          gb = as_array(call(np.multiply, {neg(g).ptr(), q.ptr()}));
        }
      }
      return {need(0) ? div(g, saved(1)) : none(), gb};
    }
    case RDIV_SCALAR: {
      py::array r = arr(saved(1));
      char c = fast_dtype(ga, {&r});
      if (c) {
        CG_DISPATCH(c, T, {
          const T s = static_cast<T>(node.scalars.at(0));
          return {map2<T>(ga, r, [s](T gv, T rv) { return -(gv * s) * (rv * rv); })};
        });
      }
      py::object gs = mul(g, scalar_of(ga, node.scalars.at(0)));
      py::object rr = as_array(call(np.multiply, {r.ptr(), r.ptr()}));
      return {as_array(call(np.multiply, {neg(gs).ptr(), rr.ptr()}))};
    }
    case POW_SCALAR: {
      const double p = node.scalars.at(0);
      py::array gc = contig(ga), x = contig(arr(saved(0)));
      CG_DISPATCH(gc.dtype().char_(), T, {
        const T pt = static_cast<T>(p);
        const T pm1 = static_cast<T>(p - 1.0);
        if (p == 0.0) return {map1<T>(gc, [](T) { return T(0); })};
        return {map2<T>(gc, x, [pt, pm1](T gv, T xv) { return gv * (pt * pow_scalar(xv, pm1)); })};
      });
    }
    case EXP:
      return {mul(g, saved(0))};
    case LOG:
      return {div(g, saved(0))};
    case TANH: {
      py::array gc = contig(ga), y = contig(arr(saved(0)));
      CG_DISPATCH(gc.dtype().char_(), T,
                  return {map2<T>(gc, y, [](T gv, T yv) { return gv * (T(1) - yv * yv); })});
    }
    case SIGMOID: {
      py::array gc = contig(ga), y = contig(arr(saved(0)));
      CG_DISPATCH(gc.dtype().char_(), T,
                  return {map2<T>(gc, y, [](T gv, T yv) { return (gv * (T(1) - yv)) * yv; })});
    }
    case RELU: {
      py::array gc = contig(ga), y = contig(arr(saved(0)));
      CG_DISPATCH(gc.dtype().char_(), T,
                  return {map2<T>(gc, y, [](T gv, T yv) { return yv > T(0) ? gv : T(0); })});
    }
    case SUM:
      return {sum_backward(node, g, false)};
    case MEAN:
      return {sum_backward(node, g, true)};
    case MATMUL:
      return matmul_backward(node, g, need(0), need(1));
    default:
      return fallback_backward(node, g);
  }
}

bool exclusively_owned(const py::object& a) {
  if (!py::isinstance<py::array>(a) || a.ref_count() != 1) return false;
  py::array arr_ = arr(a);
  return arr_.base().is_none() && arr_.writeable() && contiguous(arr_);
}

void accumulate_into(py::object& slot, py::object g) {
  if (!slot) {
    slot = std::move(g);
    return;
  }
  py::array a = arr(slot), b = arr(g);
  char c = fast_dtype(a, {&b});
  if (c) {
    // The slot holds one reference and `a` another: exclusively ours when the count is 2.
    bool owned = slot.ref_count() == 2 && a.base().is_none() && a.writeable();
    py::array out = owned ? a : empty_like(a);
    CG_DISPATCH(c, T, {
      const T* pa = static_cast<const T*>(a.data());
      const T* pb = static_cast<const T*>(b.data());
      T* po = static_cast<T*>(out.mutable_data());
      const py::ssize_t n = a.size();
      for (py::ssize_t i = 0; i < n; ++i) po[i] = pa[i] + pb[i];
    });
    if (!owned) slot = std::move(out);
    return;
  }
  slot = as_array(call(np.add, {slot.ptr(), g.ptr()}));
}

InputMeta meta_of(const py::object& array) {
  InputMeta m;
  py::array a = arr(array);
  m.defined = true;
  m.shape = shape_of(a);
  py::dtype dt = a.dtype();
  m.dtype = dt.char_();
  m.dtype_obj = std::move(dt);
  return m;
}

py::object conform(const Node& node, size_t i, py::object g) {
  const InputMeta& m = node.meta[i];
  g = as_array(std::move(g));
  py::array ga = arr(g);
  bool same = static_cast<size_t>(ga.ndim()) == m.shape.size();
  if (same)
    for (size_t k = 0; k < m.shape.size(); ++k)
      if (ga.shape(k) != m.shape[k]) same = false;
  if (!same) {
    const size_t gd = ga.ndim(), md = m.shape.size();
    bool ok = gd >= md;
    for (size_t k = 0; ok && k < md; ++k) {
      py::ssize_t s = m.shape[md - 1 - k], gs = ga.shape(gd - 1 - k);
      if (s != 1 && s != gs) ok = false;
    }
    if (!ok) {
      std::string got = py::str(shape_tuple(shape_of(ga))), want = py::str(shape_tuple(m.shape));
      throw std::runtime_error("Function " + std::string(py::str(node.name)) +
                               " returned an invalid gradient at index " + std::to_string(i) +
                               " - got " + got + " but expected shape compatible with " + want);
    }
    const size_t lead = gd - md;
    std::vector<py::ssize_t> axes;
    for (size_t k = 0; k < lead; ++k) axes.push_back(static_cast<py::ssize_t>(k));
    for (size_t k = 0; k < md; ++k)
      if (m.shape[k] == 1 && ga.shape(lead + k) != 1) axes.push_back(static_cast<py::ssize_t>(lead + k));
    py::object r = g;
    if (!axes.empty())
      r = g.attr("sum")(py::arg("axis") = shape_tuple(axes), py::arg("keepdims") = true);
    g = as_array(r.attr("reshape")(shape_tuple(m.shape)));
    ga = arr(g);
  }
  if (ga.dtype().char_() != m.dtype) g = g.attr("astype")(m.dtype_obj);
  return g;
}

}  // namespace chaingrad
