#include "forward_nn.h"

#include <cmath>
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

bool is_int64(PyObject* d) {
  const int num = npy::descr_type_num(d);
  const bool ok = num == 9 || (num == 7 && sizeof(long) == 8);  // NPY_LONGLONG, NPY_LONG
  return ok && npy::descr_byteorder(d) != '>' && npy::is_canonical(d);
}

}  // namespace

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
      !is_int64(npy::descr(t)) ||
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
