#include "kernels.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "engine.h"
#include "npcall.h"
#include "npy.h"
#include "tensor.h"

namespace chaingrad {

namespace {

using npc::as_array;
using npc::call;
using npc::f;
using npy::kReleaseGil;

PyObject* arr(const py::object& o) {
  if (!npy::is_array(o.ptr()))
    throw std::runtime_error("chaingrad._core: expected a NumPy array, got " +
                             std::string(Py_TYPE(o.ptr())->tp_name));
  return o.ptr();
}

using npy::GilRelease;

template <typename T, typename F>
void run_loop(T* out, const T* g, const T* x, const T* y, Py_ssize_t n, F f) {
  GilRelease nogil(n >= kReleaseGil);
  for (Py_ssize_t i = 0; i < n; ++i) out[i] = f(g[i], x ? x[i] : T(0), y ? y[i] : T(0));
}

// result = f(g, x, y) elementwise, when g, x, y (x, y optional) are fast float arrays of one
// dtype and shape. The result reuses g's buffer when `steal` and g is exclusively ours.
// Returns false (and leaves everything untouched) otherwise.
template <typename F>
bool elementwise(py::object& result, py::object& g, bool steal, F f, PyObject* x = nullptr,
                 PyObject* y = nullptr) {
  const int t = npy::fast_float(g.ptr());
  if (!t) return false;
  for (PyObject* o : {x, y})
    if (o && (npy::fast_float(o) != t || !npy::same_shape(o, g.ptr()))) return false;
  py::object out = steal && npy::exclusively_owned(g.ptr()) ? g : npy::empty_like(g.ptr());
  const Py_ssize_t n = npy::size(g.ptr());
  if (t == npy::kFloat) {
    auto p = [](PyObject* a) { return a ? reinterpret_cast<const float*>(npy::data(a)) : nullptr; };
    run_loop<float>(reinterpret_cast<float*>(npy::data(out.ptr())), p(g.ptr()), p(x), p(y), n,
                    [&](float a, float b, float c) { return f(a, b, c); });
  } else {
    auto p = [](PyObject* a) { return a ? reinterpret_cast<const double*>(npy::data(a)) : nullptr; };
    run_loop<double>(reinterpret_cast<double*>(npy::data(out.ptr())), p(g.ptr()), p(x), p(y), n,
                     [&](double a, double b, double c) { return f(a, b, c); });
  }
  result = std::move(out);
  return true;
}

py::object neg(py::object g, bool steal) {
  py::object r;
  if (elementwise(r, g, steal, [](auto v, auto, auto) { return -v; })) return r;
  return as_array(call(f.negative, {arr(g)}));
}

py::object mul(py::object g, const py::object& x, bool steal) {
  py::object r;
  if (elementwise(r, g, steal, [](auto a, auto b, auto) { return a * b; }, x.ptr())) return r;
  return as_array(call(f.multiply, {arr(g), x.ptr()}));
}

py::object div(py::object g, const py::object& x, bool steal) {
  py::object r;
  if (elementwise(r, g, steal, [](auto a, auto b, auto) { return a / b; }, x.ptr())) return r;
  return as_array(call(f.divide, {arr(g), x.ptr()}));
}

py::object mul_scalar(py::object g, double s, bool steal) {
  py::object r;
  if (elementwise(r, g, steal,
                  [s](auto a, auto, auto) { return a * static_cast<decltype(a)>(s); }))
    return r;
  py::object so = npc::typed(arr(g), s);
  return as_array(call(f.multiply, {g.ptr(), so.ptr()}));
}

py::object div_scalar(py::object g, double s, bool steal) {
  py::object r;
  if (elementwise(r, g, steal,
                  [s](auto a, auto, auto) { return a / static_cast<decltype(a)>(s); }))
    return r;
  py::object so = npc::typed(arr(g), s);
  return as_array(call(f.divide, {g.ptr(), so.ptr()}));
}

py::object sum_backward(const Node& node, py::object g, bool mean) {
  const Edge& e = node.next()[0];
  const Py_ssize_t* shape = node.in_dims(0);
  const size_t nd = e.ndim;
  PyObject* ga = arr(g);
  Py_ssize_t in_size = 1;
  for (size_t k = 0; k < nd; ++k) in_size *= shape[k];
  const bool keepdim = node.scalars().at(0) != 0.0;
  const size_t ndims = node.scalars().size() - 1;
  const Py_ssize_t gsize = npy::size(ga);
  const Py_ssize_t count = gsize ? in_size / gsize : 0;
  // Full reduction of a float tensor: fill.
  const int t = npy::float_type(ga);
  if (gsize == 1 && t) {
    py::object out = npy::empty(npy::descr(ga), static_cast<int>(nd), shape);
    char* src = npy::data(ga);
    if (t == npy::kFloat) {
      float v;
      std::memcpy(&v, src, sizeof v);
      if (mean && count) v = v / static_cast<float>(count);
      float* po = reinterpret_cast<float*>(npy::data(out.ptr()));
      for (Py_ssize_t i = 0; i < in_size; ++i) po[i] = v;
    } else {
      double v;
      std::memcpy(&v, src, sizeof v);
      if (mean && count) v = v / static_cast<double>(count);
      double* po = reinterpret_cast<double*>(npy::data(out.ptr()));
      for (Py_ssize_t i = 0; i < in_size; ++i) po[i] = v;
    }
    return out;
  }
  py::object gg = g;
  if (ndims && !keepdim) {
    // np.expand_dims(g, sorted(dims)): the input's shape with the reduced dims set to 1
    std::vector<Py_ssize_t> es(shape, shape + nd);
    for (size_t k = 0; k < ndims; ++k) {
      const long d = static_cast<long>(node.scalars()[k + 1]);
      if (d < 0 || static_cast<size_t>(d) >= nd)
        throw std::runtime_error("chaingrad._core: corrupt reduction dims in " +
                                 std::string(py::str(node.name)));
      es[static_cast<size_t>(d)] = 1;
    }
    gg = npy::reshape(gg.ptr(), static_cast<int>(nd), es.data());
  }
  if (mean && count) {
    py::object c = npc::typed(ga, double(count));
    gg = as_array(call(f.divide, {gg.ptr(), c.ptr()}));
  }
  return npy::broadcast_copy(gg.ptr(), static_cast<int>(nd), shape);
}

py::object reshape(const py::object& a, const std::vector<Py_ssize_t>& shape) {
  return npy::reshape(a.ptr(), static_cast<int>(shape.size()), shape.data());
}

std::vector<Py_ssize_t> shape_of(PyObject* a) {
  return std::vector<Py_ssize_t>(npy::dims(a), npy::dims(a) + npy::ndim(a));
}

void matmul_backward(Node& node, const py::object& g, bool need_a, bool need_b,
                     std::vector<py::object>& out) {
  py::object a = node.saved().at(0).data, b = node.saved().at(1).data;
  PyObject *pa = arr(a), *pb = arr(b);
  out.assign(2, py::object());
  if (npy::ndim(pa) == 1 && npy::ndim(pb) == 1) {
    if (need_a) out[0] = as_array(call(f.multiply, {g.ptr(), pb}));
    if (need_b) out[1] = as_array(call(f.multiply, {g.ptr(), pa}));
    return;
  }
  py::object a2 = a, b2 = b, g2 = g;
  if (npy::ndim(pa) == 1) a2 = reshape(a, {1, npy::dims(pa)[0]});
  if (npy::ndim(pb) == 1) b2 = reshape(b, {npy::dims(pb)[0], 1});
  if (npy::ndim(pa) == 1 || npy::ndim(pb) == 1) {
    // np.expand_dims(g, -2) for a vector a, np.expand_dims(g, -1) for a vector b
    std::vector<Py_ssize_t> s = shape_of(g2.ptr());
    if (npy::ndim(pa) == 1) s.insert(s.empty() ? s.end() : s.end() - 1, 1);
    if (npy::ndim(pb) == 1) s.push_back(1);
    g2 = reshape(g2, s);
  }
  if (need_a) {
    py::object r = as_array(call(f.matmul, {g2.ptr(), npy::swap_last(b2.ptr()).ptr()}));
    if (npy::ndim(pa) == 1) {
      auto s = shape_of(r.ptr());
      s.erase(s.end() - 2);
      out[0] = reshape(r, s);
    } else {
      out[0] = r;
    }
  }
  if (need_b) {
    py::object r = as_array(call(f.matmul, {npy::swap_last(a2.ptr()).ptr(), g2.ptr()}));
    if (npy::ndim(pb) == 1) {
      auto s = shape_of(r.ptr());
      s.pop_back();
      out[1] = reshape(r, s);
    } else {
      out[1] = r;
    }
  }
}

// Kinds (and layouts) without a C++ kernel run the reference engine's NumPy kernel.
void fallback_backward(Node& node, const py::object& g, std::vector<py::object>& out) {
  py::object r = call(bridge.array_backward, {object_of(&node), g.ptr()});
  out.clear();
  for (py::handle h : r) out.push_back(h.is_none() ? py::object() : py::reinterpret_borrow<py::object>(h));
}

// x ** e the way the reference evaluates it (pow_scalar_array): exact special cases, else
// NumPy's own power loop.
template <typename T>
bool pow_special(double e, T x, T& r) {
  if (e == 0) r = T(1);
  else if (e == 1) r = x;
  else if (e == 2) r = x * x;
  else if (e == 3) r = x * x * x;
  else if (e == 0.5) r = std::sqrt(x);
  else if (e == -0.5) r = T(1) / std::sqrt(x);
  else if (e == -1) r = T(1) / x;
  else if (e == -2) r = T(1) / (x * x);
  else return false;
  return true;
}

bool is_special(double e) {
  return e == 0 || e == 1 || e == 2 || e == 3 || e == 0.5 || e == -0.5 || e == -1 || e == -2;
}

bool pow_backward(Node& node, py::object& g, std::vector<py::object>& out) {
  const double s = node.scalars().at(0);
  py::object x = node.saved().at(0).data;
  const int t = npy::fast_float(g.ptr());
  if (!t || npy::fast_float(x.ptr()) != t || !npy::same_shape(x.ptr(), g.ptr())) return false;
  const bool is64 = t == npy::kDouble;
  const double e = s - 1.0;
  py::object pw;  // x ** e, when not a special case
  if (!is_special(e)) {
    const npy::Loop& lp = npy::loop(npy::L_POWER, is64);
    if (!lp) return false;
    pw = npy::empty_like(x.ptr());
    Py_ssize_t n = npy::size(x.ptr());
    double e64 = e;
    float e32 = static_cast<float>(e);
    char* args[3] = {npy::data(x.ptr()), is64 ? reinterpret_cast<char*>(&e64) : reinterpret_cast<char*>(&e32),
                     npy::data(pw.ptr())};
    const Py_ssize_t item = is64 ? 8 : 4;
    Py_ssize_t steps[3] = {n == 1 ? 0 : item, 0, n == 1 ? 0 : item};
    GilRelease nogil(n >= kReleaseGil);
    lp.fn(args, &n, steps, lp.data);
  }
  py::object r;
  auto f = [s, e](auto gv, auto xv, auto pv) {
    using T = decltype(gv);
    const T p = static_cast<T>(s);
    if (p == T(0)) return T(0);
    T xe;
    if (!pow_special<T>(e, xv, xe)) xe = pv;
    return gv * (p * xe);
  };
  bool ok = pw ? elementwise(r, g, true, f, x.ptr(), pw.ptr()) : elementwise(r, g, true, f, x.ptr());
  if (!ok) return false;
  out.assign(1, std::move(r));
  return true;
}

// The basic unary kinds off the raw loops' layout (strided or mixed-dtype saved arrays): the
// reference kernel's NumPy calls. False for a non-float gradient or an unexpected node.
bool basic_general(Node& node, const py::object& g, std::vector<py::object>& out) {
  PyObject* gp = g.ptr();
  if (!f.ready || !npc::float_array(gp) || node.saved().empty()) return false;
  const auto& sc = node.scalars();
  py::object v = node.saved()[node.saved().size() - 1].data;  // x, y, or RDIV_SCALAR's 1 / x
  if (!v || !npy::is_array(v.ptr())) return false;
  PyObject* vp = v.ptr();
  py::object r;
  switch (node.kind) {
    case EXP:  // g * y
      r = call(f.multiply, {gp, vp});
      break;
    case LOG:  // g / x
      r = call(f.divide, {gp, vp});
      break;
    case TANH: {  // g * (1 - y * y)
      py::object y2 = call(f.multiply, {vp, vp});
      py::object d = call(f.subtract, {f.py_one, y2.ptr()});
      r = call(f.multiply, {gp, d.ptr()});
      break;
    }
    case SIGMOID: {  // (g * (1 - y)) * y
      py::object d = call(f.subtract, {f.py_one, vp});
      py::object a = call(f.multiply, {gp, d.ptr()});
      r = call(f.multiply, {a.ptr(), vp});
      break;
    }
    case RELU: {  // np.where(y > 0, g, g.dtype.type(0))
      py::object m = call(f.greater, {vp, f.py_zero});
      py::object z = npc::typed(gp, 0.0);
      r = call(f.where, {m.ptr(), gp, z.ptr()});
      break;
    }
    case RDIV_SCALAR: {  // -(g * g.dtype.type(s)) * (r * r)
      if (sc.size() != 1 || node.saved().size() != 2) return false;
      py::object s = npc::typed(gp, sc[0]);
      py::object gs = call(f.multiply, {gp, s.ptr()});
      py::object ngs = call(f.negative, {gs.ptr()});
      py::object r2 = call(f.multiply, {vp, vp});
      r = call(f.multiply, {ngs.ptr(), r2.ptr()});
      break;
    }
    case POW_SCALAR: {  // p = x.dtype.type(s); zeros_like(g) if p == 0 else
                        // g * (p * pow_scalar_array(x, s - 1))
      if (sc.size() != 1 || !npc::float_array(vp)) return false;
      py::object p = npc::typed(vp, sc[0]);
      const int zero = PyObject_RichCompareBool(p.ptr(), f.py_zero, Py_EQ);
      if (zero < 0) throw py::error_already_set();
      if (zero) {
        r = call(f.zeros_like, {gp});
        break;
      }
      py::object pw = npc::pow_scalar_array(vp, sc[0] - 1);
      py::object ppw = call(f.multiply, {p.ptr(), pw.ptr()});
      r = call(f.multiply, {gp, ppw.ptr()});
      break;
    }
    default:
      return false;
  }
  out.clear();
  out.push_back(as_array(std::move(r)));
  return true;
}

}  // namespace

void init_kernels(py::module_ numpy) {
  npc::init(numpy);
  init_shape_kernels(numpy);
}

// dest = dest + g * x, when dest is an exclusively owned fast array of g's dtype and shape
// (which is where g * x would have been accumulated).
bool mul_into(py::object* dest, const py::object& g, const py::object& x) {
  if (!dest || !*dest) return false;
  PyObject* d = dest->ptr();
  const int t = npy::fast_float(d);
  if (!t || !npy::exclusively_owned(d) || npy::fast_float(g.ptr()) != t ||
      npy::fast_float(x.ptr()) != t || !npy::same_shape(d, g.ptr()) ||
      !npy::same_shape(d, x.ptr()))
    return false;
  const Py_ssize_t n = npy::size(d);
  GilRelease nogil(n >= kReleaseGil);
  if (t == npy::kFloat) {
    float* o = reinterpret_cast<float*>(npy::data(d));
    const float *pg = reinterpret_cast<const float*>(npy::data(g.ptr())),
                *px = reinterpret_cast<const float*>(npy::data(x.ptr()));
    for (Py_ssize_t i = 0; i < n; ++i) o[i] = o[i] + pg[i] * px[i];
  } else {
    double* o = reinterpret_cast<double*>(npy::data(d));
    const double *pg = reinterpret_cast<const double*>(npy::data(g.ptr())),
                 *px = reinterpret_cast<const double*>(npy::data(x.ptr()));
    for (Py_ssize_t i = 0; i < n; ++i) o[i] = o[i] + pg[i] * px[i];
  }
  return true;
}

void native_backward(Node& node, py::object g, std::vector<py::object>& out,
                     py::object* const* dest) {
  const size_t n_in = node.n_in;
  auto need = [&](size_t i) { return i < n_in && static_cast<bool>(node.next()[i].fn); };
  // Our own references: a long loop runs without the GIL, and another thread could release
  // the node meanwhile.
  auto saved = [&](size_t i) -> py::object { return node.saved().at(i).data; };
  out.clear();
  switch (node.kind) {
    case ADD:
      out.push_back(need(0) ? g : py::object());
      out.push_back(need(1) ? g : py::object());
      return;
    case SUB: {
      py::object gb = need(1) ? neg(g, !need(0)) : py::object();
      out.push_back(need(0) ? g : py::object());
      out.push_back(std::move(gb));
      return;
    }
    case NEG:
    case RSUB_SCALAR:
      out.push_back(neg(std::move(g), true));
      return;
    case ADD_SCALAR:
      out.push_back(std::move(g));
      return;
    case MUL: {
      // Input 0 first: when both inputs are one tensor, its buffer gets g*b, then g*a.
      const bool fused0 = need(0) && dest && mul_into(dest[0], g, saved(1));
      const bool fused1 = need(1) && dest && mul_into(dest[1], g, saved(0));
      const bool want0 = need(0) && !fused0, want1 = need(1) && !fused1;
      py::object gb = want1 ? mul(g, saved(0), !want0) : py::object();
      py::object ga = want0 ? mul(std::move(g), saved(1), true) : py::object();
      out.push_back(std::move(ga));
      out.push_back(std::move(gb));
      return;
    }
    case MUL_SCALAR:
      out.push_back(mul_scalar(std::move(g), node.scalars().at(0), true));
      return;
    case DIV_SCALAR:
      out.push_back(div_scalar(std::move(g), node.scalars().at(0), true));
      return;
    case DIV: {
      py::object gb;
      if (need(1)) {
        const py::object &a = saved(0), &b = saved(1);
        if (!elementwise(gb, g, !need(0),
                         [](auto gv, auto av, auto bv) { return -gv * ((av / bv) / bv); },
                         a.ptr(), b.ptr())) {
          py::object q = call(f.divide, {a.ptr(), b.ptr()});
          q = call(f.divide, {q.ptr(), b.ptr()});
          py::object ng = neg(g, false);
          gb = as_array(call(f.multiply, {ng.ptr(), q.ptr()}));
        }
      }
      py::object ga = need(0) ? div(std::move(g), saved(1), true) : py::object();
      out.push_back(std::move(ga));
      out.push_back(std::move(gb));
      return;
    }
    case RDIV_SCALAR: {
      const double s = node.scalars().at(0);
      py::object r;
      if (elementwise(r, g, true,
                      [s](auto gv, auto rv, auto) {
                        using T = decltype(gv);
                        return -(gv * static_cast<T>(s)) * (rv * rv);
                      },
                      saved(1).ptr())) {
        out.push_back(std::move(r));
        return;
      }
      break;
    }
    case POW_SCALAR:
      if (pow_backward(node, g, out)) return;
      break;
    case EXP: {
      py::object r;
      if (elementwise(r, g, true, [](auto gv, auto yv, auto) { return gv * yv; }, saved(0).ptr())) {
        out.push_back(std::move(r));
        return;
      }
      break;
    }
    case LOG: {
      py::object r;
      if (elementwise(r, g, true, [](auto gv, auto xv, auto) { return gv / xv; }, saved(0).ptr())) {
        out.push_back(std::move(r));
        return;
      }
      break;
    }
    case TANH: {
      py::object r;
      if (elementwise(r, g, true,
                      [](auto gv, auto yv, auto) {
                        using T = decltype(gv);
                        return gv * (T(1) - yv * yv);
                      },
                      saved(0).ptr())) {
        out.push_back(std::move(r));
        return;
      }
      break;
    }
    case SIGMOID: {
      py::object r;
      if (elementwise(r, g, true,
                      [](auto gv, auto yv, auto) {
                        using T = decltype(gv);
                        return (gv * (T(1) - yv)) * yv;
                      },
                      saved(0).ptr())) {
        out.push_back(std::move(r));
        return;
      }
      break;
    }
    case RELU: {
      py::object r;
      if (elementwise(r, g, true,
                      [](auto gv, auto yv, auto) {
                        using T = decltype(gv);
                        return yv > T(0) ? gv : T(0);
                      },
                      saved(0).ptr())) {
        out.push_back(std::move(r));
        return;
      }
      break;
    }
    case SUM:
      out.push_back(sum_backward(node, std::move(g), false));
      return;
    case MEAN:
      out.push_back(sum_backward(node, std::move(g), true));
      return;
    case MATMUL:
      matmul_backward(node, g, need(0), need(1), out);
      return;
    default:
      if (shape_backward(node, g, out)) return;
      if (pointwise_backward(node, g, out)) return;
      if (reduction_backward(node, g, out)) return;
      if (nn_backward(node, g, out)) return;
      break;
  }
  // The unary kinds above off the raw loops' layout (strided or mixed-dtype operands).
  if (basic_general(node, g, out)) return;
  // A non-float gradient, an unexpected node, and kinds without a C++ kernel.
  fallback_backward(node, g, out);
}

void accumulate_into(py::object& slot, py::object g) {
  if (!slot) {
    slot = std::move(g);
    return;
  }
  PyObject *a = arr(slot), *b = arr(g);
  const int t = npy::fast_float(a);
  if (t && npy::fast_float(b) == t && npy::same_shape(a, b)) {
    // out = slot + g, written into whichever buffer nobody else can see.
    py::object out;
    if (npy::exclusively_owned(a)) out = slot;
    else if (npy::exclusively_owned(b)) out = g;
    else out = npy::empty_like(a);
    const Py_ssize_t n = npy::size(a);
    GilRelease nogil(n >= kReleaseGil);
    if (t == npy::kFloat) {
      const float *pa = reinterpret_cast<const float*>(npy::data(a)),
                  *pb = reinterpret_cast<const float*>(npy::data(b));
      float* po = reinterpret_cast<float*>(npy::data(out.ptr()));
      for (Py_ssize_t i = 0; i < n; ++i) po[i] = pa[i] + pb[i];
    } else {
      const double *pa = reinterpret_cast<const double*>(npy::data(a)),
                   *pb = reinterpret_cast<const double*>(npy::data(b));
      double* po = reinterpret_cast<double*>(npy::data(out.ptr()));
      for (Py_ssize_t i = 0; i < n; ++i) po[i] = pa[i] + pb[i];
    }
    slot = std::move(out);
    return;
  }
  slot = as_array(call(f.add, {a, b}));
}

py::object conform(const Node& node, size_t i, py::object g) {
  const Edge& e = node.next()[i];
  const Py_ssize_t* shape = node.in_dims(i);
  const size_t md = e.ndim;
  {
    // The usual case: already an array of the input's shape and (builtin) dtype.
    PyObject* a = g.ptr();
    if (npy::is_array(a) && !e.custom_dtype && npy::descr(a) == npy::builtin_descr(e.type_num) &&
        static_cast<size_t>(npy::ndim(a)) == md &&
        std::equal(shape, shape + md, npy::dims(a)))
      return g;
  }
  g = as_array(std::move(g));
  PyObject* ga = g.ptr();
  const size_t gd = static_cast<size_t>(npy::ndim(ga));
  bool same = gd == md;
  for (size_t k = 0; same && k < md; ++k)
    if (npy::dims(ga)[k] != shape[k]) same = false;
  if (!same) {
    bool ok = gd >= md;
    for (size_t k = 0; ok && k < md; ++k) {
      Py_ssize_t s = shape[md - 1 - k], gs = npy::dims(ga)[gd - 1 - k];
      if (s != 1 && s != gs) ok = false;
    }
    if (!ok) {
      auto list = [](const Py_ssize_t* d, size_t n) {
        std::string s = "[";
        for (size_t k = 0; k < n; ++k) s += (k ? ", " : "") + std::to_string(d[k]);
        return s + "]";
      };
      throw std::runtime_error("Function " + std::string(py::str(node.name)) +
                               " returned an invalid gradient at index " + std::to_string(i) +
                               " - got " + list(npy::dims(ga), gd) +
                               " but expected shape compatible with " + list(shape, md));
    }
    const size_t lead = gd - md;
    std::vector<Py_ssize_t> axes;
    for (size_t k = 0; k < lead; ++k) axes.push_back(static_cast<Py_ssize_t>(k));
    for (size_t k = 0; k < md; ++k)
      if (shape[k] == 1 && npy::dims(ga)[lead + k] != 1)
        axes.push_back(static_cast<Py_ssize_t>(lead + k));
    if (axes.size() == lead && lead > 0) {
      // Only leading axes: the same reduction without keepdims already has the input's shape
      // (and is a fresh array, not a reshaped view, so a leaf can adopt it).
      g = npy::sum_axes(g.ptr(), axes, false);
    } else {
      py::object r = g;
      if (!axes.empty()) r = npy::sum_axes(g.ptr(), axes, true);  // g.sum(axis=axes, keepdims=True)
      g = npy::as_array(npy::reshape(r.ptr(), static_cast<int>(md), shape));
    }
    ga = g.ptr();
  }
  PyObject* d = npy::descr(ga);
  if (e.custom_dtype) {
    py::object want = node.in_dtype(i);
    if (!py::reinterpret_borrow<py::object>(d).equal(want)) g = g.attr("astype")(want);
  } else if (!(npy::is_canonical(d) && npy::descr_type_num(d) == e.type_num)) {
    g = g.attr("astype")(node.in_dtype(i));
  }
  return g;
}

void accumulate_leaf(Node& acc, py::object g, bool create_graph) {
  if (!create_graph && npy::is_exact(g.ptr())) {
    PyObject* ga = g.ptr();
    const int t = npy::fast_float(ga);
    PyObject* old = acc.extras && acc.extras->grad ? acc.extras->grad.ptr() : nullptr;
    if (!old) {
      // A fresh .grad: adopt the array when nothing else can see it, else copy it.
      py::object a = npy::exclusively_owned(ga) ? std::move(g) : npy::copy(ga);
      acc.ext().grad = tensor::wrap(std::move(a));
      return;
    }
    if (t && tensor::st.fast && tensor::check(old) && tensor::raw(old, tensor::GRAD_FN) == Py_None) {
      PyObject* od = tensor::raw(old, tensor::DATA);
      // Hold both while the loop may run without the GIL (x.grad could be reset meanwhile).
      py::object keep_old = py::reinterpret_borrow<py::object>(old);
      py::object keep_od = py::reinterpret_borrow<py::object>(od ? od : Py_None);
      if (od && npy::fast_float(od) == t && (npy::flags(od) & npy::kWriteable) &&
          npy::same_shape(od, ga)) {
        char *po = npy::data(od), *pg = npy::data(ga);
        const Py_ssize_t n = npy::size(ga);
        const Py_ssize_t bytes = n * (t == npy::kFloat ? 4 : 8);
        const bool disjoint = po + bytes <= pg || pg + bytes <= po;
        if (disjoint || po == pg) {
          // np.add(old, g, out=old), then old._bump_version().
          {
            GilRelease nogil(n >= kReleaseGil);
            if (t == npy::kFloat) {
              float* o = reinterpret_cast<float*>(po);
              const float* b = reinterpret_cast<const float*>(pg);
              for (Py_ssize_t i = 0; i < n; ++i) o[i] = o[i] + b[i];
            } else {
              double* o = reinterpret_cast<double*>(po);
              const double* b = reinterpret_cast<const double*>(pg);
              for (Py_ssize_t i = 0; i < n; ++i) o[i] = o[i] + b[i];
            }
          }
          tensor::bump_version(old);
          return;
        }
      }
    }
  }
  const bool owned = npy::is_array(g.ptr()) && npy::exclusively_owned(g.ptr());
  py::object node = py::reinterpret_borrow<py::object>(object_of(&acc));
  call(bridge.accumulate,
       {node.ptr(), g.ptr(), create_graph ? Py_True : Py_False, owned ? Py_True : Py_False});
}

}  // namespace chaingrad
