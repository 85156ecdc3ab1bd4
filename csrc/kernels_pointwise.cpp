// Native backward kernels of the elementwise kinds added by the full op set (_kinds.py 21..37).
//
// Every kind, POW included, runs here on every layout; two paths compute the same thing as the
// NumPy kernel of _reference/kernels_pointwise.py:
// - the fast layout (the gradient and every saved operand exact, aligned, C-contiguous arrays
//   of one float dtype, float32 or float64, and one shape; WHERE's condition a C-contiguous
//   bool array of that shape) takes raw loops, operation for operation in the gradient's
//   dtype, writing into the gradient's buffer when nothing else sees it. Transcendentals (SIN's
//   cos, COS's sin, RPOW_SCALAR's log of the base) run NumPy's own inner loops, verified bit
//   for bit at import. POW has no raw loop.
// - every other layout (broadcast operands, strided saved arrays, mixed dtypes, integer
//   exponents) and POW: the reference kernel transliterated, its NumPy ufunc calls made in the
//   same order with the same arguments through the C API (npcall.h), np.errstate included, so
//   results and floating-point warnings are the reference's by construction.
// A non-float gradient or a corrupt node returns false and the caller runs the reference
// kernel.
#include <cmath>
#include <cstring>
#include <limits>

#include "kernels.h"
#include "npcall.h"
#include "npy.h"

namespace chaingrad {

namespace {

using npy::GilRelease;
using npy::kReleaseGil;

constexpr int kBool = 0;  // NPY_BOOL

// The dtype shared by g and every operand of the fast layout, else 0.
int fast_layout(PyObject* g, std::initializer_list<PyObject*> xs) {
  const int t = npy::fast_float(g);
  if (!t) return 0;
  for (PyObject* x : xs)
    if (!x || npy::fast_float(x) != t || !npy::same_shape(x, g)) return 0;
  return t;
}

template <typename T>
const T* cptr(PyObject* a) {
  return a ? reinterpret_cast<const T*>(npy::data(a)) : nullptr;
}
template <typename T>
T* mptr(PyObject* a) {
  return reinterpret_cast<T*>(npy::data(a));
}

// g's buffer when nothing else can see it, else a new array like g.
py::object out_buffer(py::object& g) {
  return npy::exclusively_owned(g.ptr()) ? g : npy::empty_like(g.ptr());
}

// out[0] = f(g, x, y) elementwise (x, y optional), on the fast layout only.
template <typename F>
bool unary(py::object& g, std::vector<py::object>& out, F f, PyObject* x = nullptr,
           PyObject* y = nullptr) {
  PyObject* gp = g.ptr();
  if (!npy::is_array(gp)) return false;
  int t;
  if (x && y) t = fast_layout(gp, {x, y});
  else if (x) t = fast_layout(gp, {x});
  else t = fast_layout(gp, {});
  if (!t) return false;
  py::object r = out_buffer(g);
  const Py_ssize_t n = npy::size(gp);
  auto run = [&](auto tag) {
    using T = decltype(tag);
    T* o = mptr<T>(r.ptr());
    const T *pg = cptr<T>(gp), *px = cptr<T>(x), *py_ = cptr<T>(y);
    GilRelease nogil(n >= kReleaseGil);
    for (Py_ssize_t i = 0; i < n; ++i) o[i] = f(pg[i], px ? px[i] : T(0), py_ ? py_[i] : T(0));
  };
  if (t == npy::kFloat) run(float(0));
  else run(double(0));
  out.clear();
  out.push_back(std::move(r));
  return true;
}

// A new array holding NumPy's `op` of x (contiguous), or null when the loop is unavailable.
py::object numpy_unary(npy::LoopOp op, PyObject* x) {
  const int t = npy::fast_float(x);
  if (!t) return py::object();
  const bool is64 = t == npy::kDouble;
  const npy::Loop& lp = npy::loop(op, is64);
  if (!lp) return py::object();
  py::object r = npy::empty_like(x);
  Py_ssize_t n = npy::size(x);
  const Py_ssize_t item = is64 ? 8 : 4;
  char* args[2] = {npy::data(x), npy::data(r.ptr())};
  Py_ssize_t steps[2] = {item, item};
  GilRelease nogil(n >= kReleaseGil);
  lp.fn(args, &n, steps, lp.data);
  return r;
}

// Two gradients from one pass: fa/fb(g, i) give input 0's / input 1's value at element i.
// The second output is written first into its own array; the first may reuse g's buffer
// (each element of g is read before either output of that element is written).
template <typename Body>
bool binary_out(py::object& g, int t, bool need0, bool need1, std::vector<py::object>& out,
                Body body) {
  PyObject* gp = g.ptr();
  py::object rb = need1 ? (need0 ? npy::empty_like(gp) : out_buffer(g)) : py::object();
  py::object ra = need0 ? out_buffer(g) : py::object();
  const Py_ssize_t n = npy::size(gp);
  auto run = [&](auto tag) {
    using T = decltype(tag);
    T* oa = ra ? mptr<T>(ra.ptr()) : nullptr;
    T* ob = rb ? mptr<T>(rb.ptr()) : nullptr;
    const T* pg = cptr<T>(gp);
    GilRelease nogil(n >= kReleaseGil);
    for (Py_ssize_t i = 0; i < n; ++i) {
      T a, b;
      body(pg[i], i, a, b);
      if (oa) oa[i] = a;
      if (ob) ob[i] = b;
    }
  };
  if (t == npy::kFloat) run(float(0));
  else run(double(0));
  out.clear();
  out.push_back(std::move(ra));
  out.push_back(std::move(rb));
  return true;
}

// MAXIMUM (largest) / MINIMUM: shared = where(a == b, g / 2, g);
// ga = where(a < b (a > b for minimum), 0, shared); gb = where(a > b (a < b), 0, shared).
bool extremum(py::object& g, PyObject* a, PyObject* b, bool need0, bool need1, bool largest,
              std::vector<py::object>& out) {
  if (!npy::is_array(g.ptr())) return false;
  const int t = fast_layout(g.ptr(), {a, b});
  if (!t) return false;
  auto body = [&](auto gv, Py_ssize_t i, auto& ga, auto& gb) {
    using T = decltype(gv);
    const T av = cptr<T>(a)[i], bv = cptr<T>(b)[i];
    const T shared = av == bv ? gv / T(2) : gv;
    const bool lt = av < bv, gt = av > bv;
    ga = (largest ? lt : gt) ? T(0) : shared;
    gb = (largest ? gt : lt) ? T(0) : shared;
  };
  return binary_out(g, t, need0, need1, out, body);
}

// WHERE: (where(c, g, 0), where(c, 0, g)) with c a raw bool array.
bool where_backward(py::object& g, PyObject* c, bool need0, bool need1,
                    std::vector<py::object>& out) {
  PyObject* gp = g.ptr();
  if (!npy::is_array(gp) || !c || !npy::is_array(c)) return false;
  const int t = npy::fast_float(gp);
  if (!t || !npy::is_exact(c) ||
      (npy::flags(c) & (npy::kCContig | npy::kAligned)) != (npy::kCContig | npy::kAligned) ||
      npy::descr_type_num(npy::descr(c)) != kBool || !npy::same_shape(c, gp))
    return false;
  const unsigned char* pc = reinterpret_cast<const unsigned char*>(npy::data(c));
  auto body = [pc](auto gv, Py_ssize_t i, auto& ga, auto& gb) {
    using T = decltype(gv);
    const bool on = pc[i] != 0;
    ga = on ? gv : T(0);
    gb = on ? T(0) : gv;
  };
  return binary_out(g, t, need0, need1, out, body);
}

// A Python float bound as NumPy compares it with an array of dtype T (a weak scalar: cast to
// T). False when the cast would overflow (NumPy's behaviour there is left to the fallback).
template <typename T>
bool bound_as(double v, T& r) {
  if (std::isfinite(v) && std::fabs(v) > double(std::numeric_limits<T>::max())) return false;
  r = static_cast<T>(v);
  return true;
}

bool clamp_backward(Node& node, py::object& g, std::vector<py::object>& out) {
  if (node.scalars().size() != 2 || node.saved().size() != 1) return false;
  const double lo = node.scalars()[0], hi = node.scalars()[1];
  py::object x = node.saved()[0].data;
  if (!x || !npy::is_array(x.ptr())) return false;
  float lo32, hi32;
  double lo64, hi64;
  if (!bound_as(lo, lo32) || !bound_as(hi, hi32) || !bound_as(lo, lo64) || !bound_as(hi, hi64))
    return false;
  // where((x >= lo) & (x <= hi), g, 0)
  return unary(
      g, out,
      [=](auto gv, auto xv, auto) {
        using T = decltype(gv);
        T l, h;
        if constexpr (sizeof(T) == 4) {
          l = lo32;
          h = hi32;
        } else {
          l = lo64;
          h = hi64;
        }
        return xv >= l && xv <= h ? gv : T(0);
      },
      x.ptr());
}


// CLAMP_TENSOR: where(mask, g, 0) per present input, with _reference clamp_masks:
//   both bounds: x: (x >= lo) & (x <= hi), lo: (x < lo) & (lo < hi), hi: (x > hi) | (hi < lo)
//   lo only: x: x >= lo, lo: x < lo;  hi only: x: x <= hi, hi: x > hi.
bool clamp_tensor_backward(Node& node, py::object& g, std::vector<py::object>& out) {
  if (node.n_in != 3 || node.saved().size() != 3 || node.scalars().size() != 2) return false;
  const bool has_lo = node.scalars()[0] != 0.0, has_hi = node.scalars()[1] != 0.0;
  if (!has_lo && !has_hi) return false;
  py::object x = node.saved()[0].data;
  py::object lo = has_lo ? node.saved()[1].data : py::object();
  py::object hi = has_hi ? node.saved()[2].data : py::object();
  PyObject* gp = g.ptr();
  if (!x || !npy::is_array(gp) || !npy::is_array(x.ptr())) return false;
  if ((has_lo && (!lo || !npy::is_array(lo.ptr()))) || (has_hi && (!hi || !npy::is_array(hi.ptr()))))
    return false;
  int t;
  if (has_lo && has_hi) t = fast_layout(gp, {x.ptr(), lo.ptr(), hi.ptr()});
  else t = fast_layout(gp, {x.ptr(), has_lo ? lo.ptr() : hi.ptr()});
  if (!t) return false;
  auto need = [&](size_t i) { return static_cast<bool>(node.next()[i].fn); };
  const bool n0 = need(0), n1 = has_lo && need(1), n2 = has_hi && need(2);
  // Outputs other than the first written take new arrays; the first needed one may take g.
  py::object r[3];
  bool took = false;
  for (int i = 0; i < 3; ++i) {
    const bool want = i == 0 ? n0 : i == 1 ? n1 : n2;
    if (!want) continue;
    if (!took) {
      r[i] = out_buffer(g);
      took = true;
    } else {
      r[i] = npy::empty_like(gp);
    }
  }
  const Py_ssize_t n = npy::size(gp);
  PyObject *px = x.ptr(), *pl = lo ? lo.ptr() : nullptr, *ph = hi ? hi.ptr() : nullptr;
  auto run = [&](auto tag) {
    using T = decltype(tag);
    const T *pg = cptr<T>(gp), *xv = cptr<T>(px), *lv = cptr<T>(pl), *hv = cptr<T>(ph);
    T* o[3] = {r[0] ? mptr<T>(r[0].ptr()) : nullptr, r[1] ? mptr<T>(r[1].ptr()) : nullptr,
               r[2] ? mptr<T>(r[2].ptr()) : nullptr};
    GilRelease nogil(n >= kReleaseGil);
    for (Py_ssize_t i = 0; i < n; ++i) {
      const T gv = pg[i], xi = xv[i];
      bool m0, m1 = false, m2 = false;
      if (lv && hv) {
        const T l = lv[i], h = hv[i];
        m0 = (xi >= l) && (xi <= h);
        m1 = (xi < l) && (l < h);
        m2 = (xi > h) || (h < l);
      } else if (lv) {
        m0 = xi >= lv[i];
        m1 = xi < lv[i];
      } else {
        m0 = xi <= hv[i];
        m2 = xi > hv[i];
      }
      if (o[0]) o[0][i] = m0 ? gv : T(0);
      if (o[1]) o[1][i] = m1 ? gv : T(0);
      if (o[2]) o[2][i] = m2 ? gv : T(0);
    }
  };
  if (t == npy::kFloat) run(float(0));
  else run(double(0));
  out.clear();
  for (auto& o : r) out.push_back(std::move(o));
  return true;
}

// RPOW_SCALAR (s ** x): lg = dtype(log(float64(s))) by NumPy's float64 log loop;
// s == 0: g * where(x >= 0, 0, y * lg), else g * (y * lg).
bool rpow_scalar_backward(Node& node, py::object& g, std::vector<py::object>& out) {
  if (node.saved().size() != 2 || node.scalars().size() != 1) return false;
  py::object x = node.saved()[0].data, y = node.saved()[1].data;
  if (!x || !y || !npy::is_array(x.ptr()) || !npy::is_array(y.ptr())) return false;
  const npy::Loop& lp = npy::loop(npy::L_LOG, true);
  if (!lp) return false;
  double s = node.scalars()[0], lg = 0;
  {
    Py_ssize_t one = 1;
    char* args[2] = {reinterpret_cast<char*>(&s), reinterpret_cast<char*>(&lg)};
    Py_ssize_t steps[2] = {0, 0};
    lp.fn(args, &one, steps, lp.data);
  }
  const float lg32 = static_cast<float>(lg);  // log of a finite double: in float range or inf
  const bool zero = s == 0;
  return unary(
      g, out,
      [=](auto gv, auto xv, auto yv) {
        using T = decltype(gv);
        T l;
        if constexpr (sizeof(T) == 4) l = lg32;
        else l = lg;
        if (zero) return gv * (xv >= T(0) ? T(0) : yv * l);
        return gv * (yv * l);
      },
      x.ptr(), y.ptr());
}

// The fast layout's raw loops; false (g and out untouched) for any other layout.
bool fast_backward(Node& node, py::object& g, std::vector<py::object>& out) {
  // Our own references: a long loop runs without the GIL.
  auto saved = [&](size_t i) -> py::object {
    if (i >= node.saved().size()) return py::object();
    py::object o = node.saved()[i].data;
    return o && npy::is_array(o.ptr()) ? o : py::object();
  };
  auto need = [&](size_t i) { return i < node.n_in && static_cast<bool>(node.next()[i].fn); };
  // out = f(g, v) elementwise with v the node's first saved array (x or y, per kind).
  auto of_saved0 = [&](auto f) {
    py::object v = saved(0);
    return v && unary(g, out, f, v.ptr());
  };
  switch (node.kind) {
    case ABS:  // g * ((x > 0) - (x < 0)): the sign is +0 at 0 and at NaN.
      return of_saved0([](auto gv, auto xv, auto) {
        using T = decltype(gv);
        return gv * (T(xv > T(0)) - T(xv < T(0)));
      });
    case SIGN: {
      // np.zeros_like(g)
      if (!npy::is_array(g.ptr()) || !fast_layout(g.ptr(), {})) return false;
      py::object r = out_buffer(g);
      std::memset(npy::data(r.ptr()), 0,
                  static_cast<size_t>(npy::size(r.ptr())) *
                      (npy::fast_float(r.ptr()) == npy::kFloat ? 4 : 8));
      out.clear();
      out.push_back(std::move(r));
      return true;
    }
    case SQRT:
      return of_saved0([](auto gv, auto yv, auto) {
        using T = decltype(gv);
        return gv / (T(2) * yv);
      });
    case RSQRT:
      return of_saved0([](auto gv, auto yv, auto) {
        using T = decltype(gv);
        return (gv * T(-0.5)) * (yv * yv * yv);
      });
    case LOG1P:
      return of_saved0([](auto gv, auto xv, auto) {
        using T = decltype(gv);
        return gv / (xv + T(1));
      });
    case EXPM1:
      return of_saved0([](auto gv, auto yv, auto) {
        using T = decltype(gv);
        return gv * (yv + T(1));
      });
    case SIN:
    case COS: {
      // g * cos(x) / g * (-sin(x)), the transcendental by NumPy's own loop.
      py::object x = saved(0);
      if (!x || !npy::is_array(g.ptr()) || !fast_layout(g.ptr(), {x.ptr()})) return false;
      const bool is_sin = node.kind == SIN;
      py::object c = numpy_unary(is_sin ? npy::L_COS : npy::L_SIN, x.ptr());
      if (!c) return false;
      if (is_sin) return unary(g, out, [](auto gv, auto cv, auto) { return gv * cv; }, c.ptr());
      return unary(g, out, [](auto gv, auto sv, auto) { return gv * (-sv); }, c.ptr());
    }
    case TAN:
      return of_saved0([](auto gv, auto yv, auto) {
        using T = decltype(gv);
        return gv * (yv * yv + T(1));
      });
    case RECIPROCAL:
      return of_saved0([](auto gv, auto yv, auto) { return (-gv) * (yv * yv); });
    case CLAMP:
      return clamp_backward(node, g, out);
    case MAXIMUM:
    case MINIMUM: {
      py::object a = saved(0), b = saved(1);
      if (!a || !b || node.n_in != 2) return false;
      return extremum(g, a.ptr(), b.ptr(), need(0), need(1), node.kind == MAXIMUM, out);
    }
    case WHERE: {
      py::object c = saved(0);
      if (!c || node.n_in != 2) return false;
      return where_backward(g, c.ptr(), need(0), need(1), out);
    }
    case CLAMP_TENSOR:
      return clamp_tensor_backward(node, g, out);
    case RPOW_SCALAR:
      return rpow_scalar_backward(node, g, out);
    default:
      return false;  // POW: the general path
  }
}

// ---- Every other layout: the reference kernel's NumPy calls ---------------------------------

using npc::call;
using npc::f;

// _extremum(a, b, g, need, largest).
void extremum_general(PyObject* a, PyObject* b, PyObject* g, bool need0, bool need1,
                      bool largest, py::object r[2]) {
  py::object z = npc::typed(g, 0.0);
  py::object eq = call(f.equal, {a, b});
  py::object half = call(f.divide, {g, f.py_two});
  py::object shared = call(f.where, {eq.ptr(), half.ptr(), g});
  if (need0) {
    py::object m = call(largest ? f.less : f.greater, {a, b});
    r[0] = call(f.where, {m.ptr(), z.ptr(), shared.ptr()});
  }
  if (need1) {
    py::object m = call(largest ? f.greater : f.less, {a, b});
    r[1] = call(f.where, {m.ptr(), z.ptr(), shared.ptr()});
  }
}

// clamp_masks(x, lo, hi) of _reference/kernels_pointwise.py; lo/hi null when absent.
void clamp_masks(PyObject* x, PyObject* lo, PyObject* hi, py::object m[3]) {
  if (lo && hi) {
    py::object a = call(f.greater_equal, {x, lo}), b = call(f.less_equal, {x, hi});
    m[0] = call(f.bitwise_and, {a.ptr(), b.ptr()});
    py::object c = call(f.less, {x, lo}), d = call(f.less, {lo, hi});
    m[1] = call(f.bitwise_and, {c.ptr(), d.ptr()});
    py::object e = call(f.greater, {x, hi}), h = call(f.less, {hi, lo});
    m[2] = call(f.bitwise_or, {e.ptr(), h.ptr()});
  } else if (lo) {
    m[0] = call(f.greater_equal, {x, lo});
    m[1] = call(f.less, {x, lo});
  } else {
    m[0] = call(f.less_equal, {x, hi});
    m[2] = call(f.greater, {x, hi});
  }
}

// _pow: a_, b_ in y's dtype; under errstate(divide, invalid) ignored
//   ga = where(b_ == 0, z, g * (b_ * power(a_, b_ - 1)))
//   gb = g * where((a_ == 0) & (b_ >= 0), z, y * log(a_))
void pow_general(PyObject* a, PyObject* b, PyObject* y, PyObject* g, bool need0, bool need1,
                 py::object r[2]) {
  PyObject* dt = npy::descr(y);
  py::object a_ = npc::astype_nocopy(a, dt);
  py::object b_ = npc::astype_nocopy(b, dt);
  py::object z = npc::typed(g, 0.0);
  npc::ErrState es(true, true);
  if (need0) {
    py::object m = call(f.equal, {b_.ptr(), f.py_zero});
    py::object e = call(f.subtract, {b_.ptr(), f.py_one});
    py::object p = call(f.power, {a_.ptr(), e.ptr()});
    py::object bp = call(f.multiply, {b_.ptr(), p.ptr()});
    py::object gbp = call(f.multiply, {g, bp.ptr()});
    r[0] = call(f.where, {m.ptr(), z.ptr(), gbp.ptr()});
  }
  if (need1) {
    py::object az = call(f.equal, {a_.ptr(), f.py_zero});
    py::object bn = call(f.greater_equal, {b_.ptr(), f.py_zero});
    py::object m = call(f.bitwise_and, {az.ptr(), bn.ptr()});
    py::object lg = call(f.log, {a_.ptr()});
    py::object ylg = call(f.multiply, {y, lg.ptr()});
    py::object w = call(f.where, {m.ptr(), z.ptr(), ylg.ptr()});
    r[1] = call(f.multiply, {g, w.ptr()});
  }
}

// _rpow_scalar: lg = log_of_scalar(s, y.dtype) (under errstate(divide, invalid) ignored:
// y.dtype.type(np.log(np.float64(s)))); then under errstate(invalid) ignored
//   s == 0: g * where(x >= 0, y.dtype.type(0), y * lg), else g * (y * lg).
py::object rpow_general(PyObject* x, PyObject* y, PyObject* g, double s) {
  py::object lg;
  {
    npc::ErrState es(true, true);
    py::object sv = npc::steal(PyFloat_FromDouble(s));
    py::object s64 = call(f.f64, {sv.ptr()});
    py::object l = call(f.log, {s64.ptr()});
    lg = npc::typed_of(y, l.ptr());
  }
  npc::ErrState es(false, true);
  if (s == 0) {
    py::object m = call(f.greater_equal, {x, f.py_zero});
    py::object z = npc::typed_of(y, f.py_zero);
    py::object ylg = call(f.multiply, {y, lg.ptr()});
    py::object w = call(f.where, {m.ptr(), z.ptr(), ylg.ptr()});
    return call(f.multiply, {g, w.ptr()});
  }
  py::object ylg = call(f.multiply, {y, lg.ptr()});
  return call(f.multiply, {g, ylg.ptr()});
}

// Any layout and dtype mix (broadcast, strided, 0-d, mixed dtypes, float16): the reference
// kernel's own NumPy calls. False only for a non-float gradient or a corrupt node.
bool general_backward(Node& node, py::object& g, std::vector<py::object>& out) {
  PyObject* gp = g.ptr();
  if (!f.ready || !npc::float_array(gp)) return false;
  const size_t n_saved = node.saved().size();
  // Our own references, as the reference kernel's locals.
  auto saved = [&](size_t i) -> py::object {
    return i < n_saved ? node.saved()[i].data : py::object();
  };
  auto is_arr = [](const py::object& o) { return o && npy::is_array(o.ptr()); };
  auto need = [&](size_t i) { return i < node.n_in && static_cast<bool>(node.next()[i].fn); };
  py::object r[3];
  size_t n_out = 1;
  switch (node.kind) {
    case ABS:
    case SQRT:
    case RSQRT:
    case LOG1P:
    case EXPM1:
    case SIN:
    case COS:
    case TAN:
    case RECIPROCAL: {
      py::object v = saved(0);
      if (!is_arr(v)) return false;
      PyObject* vp = v.ptr();
      switch (node.kind) {
        case ABS: {  // g * npc::sign_array(x)
          if (!npc::float_array(vp)) return false;
          py::object sg = npc::sign_array(vp);
          r[0] = call(f.multiply, {gp, sg.ptr()});
          break;
        }
        case SQRT: {  // g / (2 * y)
          py::object d = call(f.multiply, {f.py_two, vp});
          r[0] = call(f.divide, {gp, d.ptr()});
          break;
        }
        case RSQRT: {  // (g * g.dtype.type(-0.5)) * (y * y * y)
          py::object h = npc::typed(gp, -0.5);
          py::object a = call(f.multiply, {gp, h.ptr()});
          py::object y2 = call(f.multiply, {vp, vp});
          py::object y3 = call(f.multiply, {y2.ptr(), vp});
          r[0] = call(f.multiply, {a.ptr(), y3.ptr()});
          break;
        }
        case LOG1P: {  // g / (x + 1)
          py::object d = call(f.add, {vp, f.py_one});
          r[0] = call(f.divide, {gp, d.ptr()});
          break;
        }
        case EXPM1: {  // g * (y + 1)
          py::object d = call(f.add, {vp, f.py_one});
          r[0] = call(f.multiply, {gp, d.ptr()});
          break;
        }
        case SIN: {  // g * np.cos(x)
          py::object c = call(f.cos, {vp});
          r[0] = call(f.multiply, {gp, c.ptr()});
          break;
        }
        case COS: {  // g * np.negative(np.sin(x))
          py::object sn = call(f.sin, {vp});
          py::object ns = call(f.negative, {sn.ptr()});
          r[0] = call(f.multiply, {gp, ns.ptr()});
          break;
        }
        case TAN: {  // g * (y * y + 1)
          py::object y2 = call(f.multiply, {vp, vp});
          py::object d = call(f.add, {y2.ptr(), f.py_one});
          r[0] = call(f.multiply, {gp, d.ptr()});
          break;
        }
        default: {  // RECIPROCAL: np.negative(g) * (y * y)
          py::object ng = call(f.negative, {gp});
          py::object y2 = call(f.multiply, {vp, vp});
          r[0] = call(f.multiply, {ng.ptr(), y2.ptr()});
          break;
        }
      }
      break;
    }
    case SIGN:  // np.zeros_like(g)
      r[0] = call(f.zeros_like, {gp});
      break;
    case CLAMP: {  // np.where((x >= lo) & (x <= hi), g, g.dtype.type(0))
      py::object x = saved(0);
      if (!is_arr(x) || node.scalars().size() != 2) return false;
      py::object lo = npc::steal(PyFloat_FromDouble(node.scalars()[0]));
      py::object hi = npc::steal(PyFloat_FromDouble(node.scalars()[1]));
      py::object a = call(f.greater_equal, {x.ptr(), lo.ptr()});
      py::object b = call(f.less_equal, {x.ptr(), hi.ptr()});
      py::object m = call(f.bitwise_and, {a.ptr(), b.ptr()});
      py::object z = npc::typed(gp, 0.0);
      r[0] = call(f.where, {m.ptr(), gp, z.ptr()});
      break;
    }
    case CLAMP_TENSOR: {
      // masks = clamp_masks(x, lo, hi); np.where(m, g, z) for each needed input with a mask.
      if (n_saved != 3 || node.n_in != 3) return false;
      py::object x = saved(0), lo = saved(1), hi = saved(2);
      auto bound = [&](const py::object& o) { return o.is_none() || is_arr(o); };
      if (!is_arr(x) || !lo || !hi || !bound(lo) || !bound(hi) || (lo.is_none() && hi.is_none()))
        return false;
      py::object m[3];
      clamp_masks(x.ptr(), lo.is_none() ? nullptr : lo.ptr(), hi.is_none() ? nullptr : hi.ptr(),
                  m);
      py::object z = npc::typed(gp, 0.0);
      for (size_t i = 0; i < 3; ++i)
        if (need(i) && m[i]) r[i] = call(f.where, {m[i].ptr(), gp, z.ptr()});
      n_out = 3;
      break;
    }
    case MAXIMUM:
    case MINIMUM: {
      py::object a = saved(0), b = saved(1);
      if (!is_arr(a) || !is_arr(b) || node.n_in != 2) return false;
      extremum_general(a.ptr(), b.ptr(), gp, need(0), need(1), node.kind == MAXIMUM, r);
      n_out = 2;
      break;
    }
    case WHERE: {  // (np.where(c, g, z) if need[0], np.where(c, z, g) if need[1])
      py::object c = saved(0);
      if (!is_arr(c) || node.n_in != 2) return false;
      py::object z = npc::typed(gp, 0.0);
      if (need(0)) r[0] = call(f.where, {c.ptr(), gp, z.ptr()});
      if (need(1)) r[1] = call(f.where, {c.ptr(), z.ptr(), gp});
      n_out = 2;
      break;
    }
    case POW: {
      py::object a = saved(0), b = saved(1), y = saved(2);
      if (!f.errstate || n_saved != 3 || !is_arr(a) || !is_arr(b) || !is_arr(y) ||
          node.n_in != 2)
        return false;
      pow_general(a.ptr(), b.ptr(), y.ptr(), gp, need(0), need(1), r);
      n_out = 2;
      break;
    }
    case RPOW_SCALAR: {
      py::object x = saved(0), y = saved(1);
      if (!f.errstate || !is_arr(x) || !npc::float_array(y.ptr()) ||
          node.scalars().size() != 1)
        return false;
      r[0] = rpow_general(x.ptr(), y.ptr(), gp, node.scalars()[0]);
      break;
    }
    default:
      return false;
  }
  out.clear();
  for (size_t i = 0; i < n_out; ++i)
    out.push_back(r[i] ? npc::as_array(std::move(r[i])) : py::object());
  return true;
}

}  // namespace

bool pointwise_backward(Node& node, py::object& g, std::vector<py::object>& out) {
  if (node.kind < ABS || node.kind > RPOW_SCALAR) return false;
  return fast_backward(node, g, out) || general_backward(node, g, out);
}

}  // namespace chaingrad
