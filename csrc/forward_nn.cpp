#include "forward_nn.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <vector>

#include "npy.h"

namespace chaingrad {

namespace {

// np.add.reduce over n values `stride` bytes apart: NumPy starts from the identity and runs
// its add loop in reduce mode (output aliased to the first input, step 0), which sums
// pairwise.
template <typename T>
T add_reduce(const npy::Loop& add, const T* x, Py_ssize_t n, Py_ssize_t stride) {
  T acc = T(0);
  char* args[3] = {reinterpret_cast<char*>(&acc),
                   reinterpret_cast<char*>(const_cast<T*>(x)), reinterpret_cast<char*>(&acc)};
  Py_ssize_t steps[3] = {0, stride, 0};
  add.fn(args, &n, steps, add.data);
  return acc;
}

// NumPy's elementwise loop over n contiguous values (in and out may be the same buffer).
template <typename T>
void unary(const npy::Loop& lp, const T* in, T* out, Py_ssize_t n) {
  char* args[2] = {reinterpret_cast<char*>(const_cast<T*>(in)), reinterpret_cast<char*>(out)};
  const Py_ssize_t st = n == 1 ? 0 : Py_ssize_t(sizeof(T));
  Py_ssize_t steps[2] = {st, st};
  lp.fn(args, &n, steps, lp.data);
}

// np.maximum.reduce of a row: the first NaN wins, else the largest value.
template <typename T>
T row_max(const T* x, Py_ssize_t c) {
  T m = x[0];
  for (Py_ssize_t j = 1; j < c && !std::isnan(m); ++j)
    if (std::isnan(x[j]) || x[j] > m) m = x[j];
  return m;
}

template <typename T>
void cross_entropy_rows(const T* d, const int64_t* t, Py_ssize_t n, Py_ssize_t c, T* logp,
                        T* losses, bool is64) {
  const npy::Loop &ex = npy::loop(npy::L_EXP, is64), &lg = npy::loop(npy::L_LOG, is64),
                  &add = npy::loop(npy::L_ADD, is64);
  // shifted = d - max(d, axis=1)  (kept in logp)
  for (Py_ssize_t i = 0; i < n; ++i) {
    const T m = row_max(d + i * c, c);
    for (Py_ssize_t j = 0; j < c; ++j) logp[i * c + j] = d[i * c + j] - m;
  }
  // lz = log(sum(exp(shifted), axis=1))
  std::vector<T> e(static_cast<size_t>(n * c)), lz(static_cast<size_t>(n));
  unary(ex, logp, e.data(), n * c);
  for (Py_ssize_t i = 0; i < n; ++i)
    lz[static_cast<size_t>(i)] = add_reduce(add, e.data() + i * c, c, Py_ssize_t(sizeof(T)));
  unary(lg, lz.data(), lz.data(), n);
  for (Py_ssize_t i = 0; i < n; ++i) {
    const T l = lz[static_cast<size_t>(i)];
    for (Py_ssize_t j = 0; j < c; ++j) logp[i * c + j] = logp[i * c + j] - l;
    losses[i] = -logp[i * c + t[i]];
  }
}

template <typename T>
void max_pool_planes(const T* x, T* vals, int64_t* idx, Py_ssize_t planes, Py_ssize_t h,
                     Py_ssize_t w, const Py_ssize_t* k, const Py_ssize_t* s, const Py_ssize_t* p,
                     const Py_ssize_t* d, Py_ssize_t oh, Py_ssize_t ow) {
  // Locals, not the arrays: the int64 index stores could alias them and force reloads.
  const Py_ssize_t k0 = k[0], k1 = k[1], s0 = s[0], s1 = s[1], p0 = p[0], p1 = p[1],
                   d0 = d[0], d1 = d[1];
  const T ninf = -std::numeric_limits<T>::infinity();
  for (Py_ssize_t pl = 0; pl < planes; ++pl) {
    const T* xp = x + pl * h * w;
    T* vo = vals + pl * oh * ow;
    int64_t* io = idx + pl * oh * ow;
    for (Py_ssize_t i = 0; i < oh; ++i)
      for (Py_ssize_t j = 0; j < ow; ++j) {
        // torch's scan: cells inside the input only, from -inf at the first of them; a
        // larger value or any NaN takes over (the first maximum, the last NaN).
        const Py_ssize_t r0 = i * s0 - p0, c0 = j * s1 - p1;
        T best = ninf;
        Py_ssize_t at = r0 * w + c0;
        bool seen = false;
        for (Py_ssize_t a = 0; a < k0; ++a) {
          const Py_ssize_t r = r0 + a * d0;
          if (r < 0 || r >= h) continue;
          for (Py_ssize_t b = 0; b < k1; ++b) {
            const Py_ssize_t c = c0 + b * d1;
            if (c < 0 || c >= w) continue;
            const T v = xp[r * w + c];
            // Selects, not branches: on real data the comparison is a coin toss.
            const bool take = v > best || v != v;
            at = (take || !seen) ? r * w + c : at;
            best = take ? v : best;
            seen = true;
          }
        }
        vo[i * ow + j] = best;
        io[i * ow + j] = static_cast<int64_t>(at);
      }
  }
}

template <typename T>
void scatter_planes(const T* g, const int64_t* idx, T* out, Py_ssize_t planes, Py_ssize_t m,
                    Py_ssize_t hw) {
  std::vector<double> acc(static_cast<size_t>(hw));
  for (Py_ssize_t pl = 0; pl < planes; ++pl) {
    std::fill(acc.begin(), acc.end(), 0.0);
    for (Py_ssize_t q = 0; q < m; ++q)
      acc[static_cast<size_t>(idx[pl * m + q])] += static_cast<double>(g[pl * m + q]);
    for (Py_ssize_t q = 0; q < hw; ++q)
      out[pl * hw + q] = static_cast<T>(acc[static_cast<size_t>(q)]);
  }
}

bool dims_of(py::tuple t, size_t n, Py_ssize_t* out) {
  if (t.size() != n) return false;
  for (size_t i = 0; i < n; ++i) out[i] = t[i].cast<Py_ssize_t>();
  return true;
}

}  // namespace

py::object max_pool2d_forward(py::handle input, py::tuple kernel, py::tuple stride,
                              py::tuple padding, py::tuple dilation, py::tuple out_hw) {
  PyObject* a = input.ptr();
  const int type = npy::fast_float(a);
  Py_ssize_t k[2], s[2], p[2], d[2], o[2];
  if (!type || npy::ndim(a) != 4 || !dims_of(kernel, 2, k) || !dims_of(stride, 2, s) ||
      !dims_of(padding, 2, p) || !dims_of(dilation, 2, d) || !dims_of(out_hw, 2, o))
    return py::none();
  for (int i = 0; i < 2; ++i)
    if (k[i] < 1 || s[i] < 1 || d[i] < 1 || p[i] < 0 || o[i] < 1) return py::none();
  const Py_ssize_t* dims = npy::dims(a);
  const Py_ssize_t planes = dims[0] * dims[1];
  const Py_ssize_t out_dims[4] = {dims[0], dims[1], o[0], o[1]};
  py::object vals = npy::empty(npy::descr(a), 4, out_dims);
  py::object idx = npy::empty(npy::builtin_descr(npy::kInt64), 4, out_dims);
  int64_t* ip = reinterpret_cast<int64_t*>(npy::data(idx.ptr()));
  {
    std::optional<py::gil_scoped_release> nogil;
    if (npy::size(a) >= npy::kReleaseGil) nogil.emplace();
    if (type == npy::kDouble)
      max_pool_planes(reinterpret_cast<const double*>(npy::data(a)),
                      reinterpret_cast<double*>(npy::data(vals.ptr())), ip, planes, dims[2],
                      dims[3], k, s, p, d, o[0], o[1]);
    else
      max_pool_planes(reinterpret_cast<const float*>(npy::data(a)),
                      reinterpret_cast<float*>(npy::data(vals.ptr())), ip, planes, dims[2],
                      dims[3], k, s, p, d, o[0], o[1]);
  }
  return py::make_tuple(vals, idx);
}

py::object max_pool2d_scatter(py::handle grad, py::handle index, py::tuple in_shape) {
  PyObject *g = grad.ptr(), *ix = index.ptr();
  const int type = npy::fast_float(g);
  Py_ssize_t shp[4];
  if (!type || npy::ndim(g) != 4 || !dims_of(in_shape, 4, shp) || !npy::is_exact(ix) ||
      !npy::is_int64(npy::descr(ix)) || !npy::is_canonical(npy::descr(ix)) ||
      (npy::flags(ix) & (npy::kCContig | npy::kAligned)) != (npy::kCContig | npy::kAligned) ||
      !npy::same_shape(g, ix))
    return py::none();
  const Py_ssize_t* gd = npy::dims(g);
  if (gd[0] != shp[0] || gd[1] != shp[1]) return py::none();
  const Py_ssize_t planes = shp[0] * shp[1], hw = shp[2] * shp[3], m = gd[2] * gd[3];
  const int64_t* ip = reinterpret_cast<const int64_t*>(npy::data(ix));
  for (Py_ssize_t q = 0; q < planes * m; ++q)
    if (ip[q] < 0 || ip[q] >= hw) return py::none();
  py::object out = npy::empty(npy::descr(g), 4, shp);
  {
    std::optional<py::gil_scoped_release> nogil;
    if (planes * hw >= npy::kReleaseGil) nogil.emplace();
    if (type == npy::kDouble)
      scatter_planes(reinterpret_cast<const double*>(npy::data(g)), ip,
                     reinterpret_cast<double*>(npy::data(out.ptr())), planes, m, hw);
    else
      scatter_planes(reinterpret_cast<const float*>(npy::data(g)), ip,
                     reinterpret_cast<float*>(npy::data(out.ptr())), planes, m, hw);
  }
  return out;
}

py::object cross_entropy_forward(py::handle input, py::handle target, int64_t ignore_index,
                                 int reduction) {
  PyObject *d = input.ptr(), *t = target.ptr();
  const int type = npy::fast_float(d);
  if (!type || npy::ndim(d) != 2 || reduction < 0 || reduction > 2) return py::none();
  const bool is64 = type == npy::kDouble;
  if (!npy::loop(npy::L_EXP, is64) || !npy::loop(npy::L_LOG, is64) ||
      !npy::loop(npy::L_ADD, is64))
    return py::none();
  const Py_ssize_t n = npy::dims(d)[0], c = npy::dims(d)[1];
  if (n == 0 || c == 0 || !npy::is_exact(t) || npy::ndim(t) != 1 || npy::dims(t)[0] != n ||
      !npy::is_int64(npy::descr(t)) || !npy::is_canonical(npy::descr(t)) ||
      (npy::flags(t) & (npy::kCContig | npy::kAligned)) != (npy::kCContig | npy::kAligned))
    return py::none();
  const int64_t* tv = reinterpret_cast<const int64_t*>(npy::data(t));
  const bool ignorable = ignore_index >= 0 && ignore_index < c;
  for (Py_ssize_t i = 0; i < n; ++i)
    if (tv[i] < 0 || tv[i] >= c || (ignorable && tv[i] == ignore_index)) return py::none();

  PyObject* descr = npy::descr(d);
  const Py_ssize_t dims[2] = {n, c};
  py::object logp = npy::empty(descr, 2, dims);
  py::object losses = npy::empty(descr, 1, &n);
  npy::fpflags::clear();
  if (is64)
    cross_entropy_rows(reinterpret_cast<const double*>(npy::data(d)), tv, n, c,
                       reinterpret_cast<double*>(npy::data(logp.ptr())),
                       reinterpret_cast<double*>(npy::data(losses.ptr())), true);
  else
    cross_entropy_rows(reinterpret_cast<const float*>(npy::data(d)), tv, n, c,
                       reinterpret_cast<float*>(npy::data(logp.ptr())),
                       reinterpret_cast<float*>(npy::data(losses.ptr())), false);
  py::object out = losses;
  if (reduction != 0) {
    out = npy::empty(descr, 0, nullptr);
    char* o = npy::data(out.ptr());
    const npy::Loop& add = npy::loop(npy::L_ADD, is64);
    if (is64) {
      const double s = add_reduce(add, reinterpret_cast<const double*>(npy::data(losses.ptr())),
                                  n, Py_ssize_t(sizeof(double)));
      *reinterpret_cast<double*>(o) = reduction == 1 ? s : s / static_cast<double>(n);
    } else {
      const float s = add_reduce(add, reinterpret_cast<const float*>(npy::data(losses.ptr())),
                                 n, Py_ssize_t(sizeof(float)));
      *reinterpret_cast<float*>(o) = reduction == 1 ? s : s / static_cast<float>(n);
    }
  }
  if (npy::fpflags::need_numpy()) return py::none();
  return py::make_tuple(out, logp);
}

}  // namespace chaingrad
