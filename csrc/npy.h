// Direct access to NumPy arrays through the C API table that pybind11 already loads (no NumPy
// headers at build time): type checks, field reads and allocation without a Python call, plus
// NumPy's own inner loops (so the native fast paths round exactly as NumPy does).
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <vector>

#if defined(__x86_64__) || defined(_M_X64)
#include <xmmintrin.h>
#define CG_NPY_MXCSR 1
#else
#include <cfenv>
#endif

namespace py = pybind11;

namespace chaingrad {
namespace npy {

using api_t = py::detail::npy_api;
using Proxy = py::detail::PyArray_Proxy;

constexpr int kFloat = api_t::NPY_FLOAT_;
constexpr int kDouble = api_t::NPY_DOUBLE_;
constexpr int kCContig = api_t::NPY_ARRAY_C_CONTIGUOUS_;
constexpr int kOwnData = api_t::NPY_ARRAY_OWNDATA_;
constexpr int kAligned = api_t::NPY_ARRAY_ALIGNED_;
constexpr int kWriteable = api_t::NPY_ARRAY_WRITEABLE_;

inline const api_t& api() { return api_t::get(); }

inline Proxy* P(PyObject* a) { return py::detail::array_proxy(a); }

// Exactly numpy.ndarray (subclasses take the generic paths).
inline bool is_exact(PyObject* o) { return Py_TYPE(o) == api().PyArray_Type_; }
inline bool is_array(PyObject* o) { return api().PyArray_Check_(o); }

inline int ndim(PyObject* a) { return P(a)->nd; }
inline const Py_ssize_t* dims(PyObject* a) { return P(a)->dimensions; }
inline char* data(PyObject* a) { return P(a)->data; }
inline int flags(PyObject* a) { return P(a)->flags; }
inline PyObject* descr(PyObject* a) { return P(a)->descr; }
inline PyObject* base(PyObject* a) { return P(a)->base; }

inline Py_ssize_t size(PyObject* a) {
  Py_ssize_t n = 1;
  const Py_ssize_t* d = dims(a);
  for (int k = 0, nd = ndim(a); k < nd; ++k) n *= d[k];
  return n;
}

inline int descr_type_num(PyObject* d) { return py::detail::array_descriptor_proxy(d)->type_num; }
inline char descr_byteorder(PyObject* d) {
  return py::detail::array_descriptor_proxy(d)->byteorder;
}
inline char descr_kind(PyObject* d) { return py::detail::array_descriptor_proxy(d)->kind; }

constexpr int kNumBuiltin = 24;  // bool .. half: NumPy's builtin numeric type numbers
extern PyObject* builtin_table[kNumBuiltin];

// The canonical (native byte order, builtin) descriptor of a type number, or null (borrowed:
// the builtin singletons live as long as NumPy).
inline PyObject* builtin_descr(int type_num) {
  return type_num >= 0 && type_num < kNumBuiltin ? builtin_table[type_num] : nullptr;
}

// True when `d` is the canonical descriptor of its type number (so the number alone can
// rebuild it).
inline bool is_canonical(PyObject* d) {
  PyObject* c = builtin_descr(descr_type_num(d));
  return c && c == d;
}

// A native-order 64-bit integer descriptor (NPY_LONG on LP64 systems, NPY_LONGLONG elsewhere).
inline bool is_int64(PyObject* d) {
  const int t = descr_type_num(d);
  const bool is64 = (t == api_t::NPY_LONG_ && sizeof(long) == 8) ||
                    (t == api_t::NPY_LONGLONG_ && sizeof(long long) == 8);
  return is64 && descr_byteorder(d) != '>';
}
// The type number of NumPy's int64.
constexpr int kInt64 = sizeof(long) == 8 ? api_t::NPY_LONG_ : api_t::NPY_LONGLONG_;

// float32 -> kFloat, float64 -> kDouble, anything else (incl. byte-swapped) -> 0.
inline int float_type(PyObject* a) {
  PyObject* d = descr(a);
  int t = descr_type_num(d);
  if ((t == kFloat || t == kDouble) && descr_byteorder(d) != '>') return t;
  return 0;
}

// An exact, aligned, C-contiguous ndarray of native float32/float64: its type number, else 0.
inline int fast_float(PyObject* a) {
  if (!is_exact(a)) return 0;
  if ((flags(a) & (kCContig | kAligned)) != (kCContig | kAligned)) return 0;
  return float_type(a);
}

inline bool same_shape(PyObject* a, PyObject* b) {
  int n = ndim(a);
  if (n != ndim(b)) return false;
  const Py_ssize_t *da = dims(a), *db = dims(b);
  for (int k = 0; k < n; ++k)
    if (da[k] != db[k]) return false;
  return true;
}

// A new uninitialised C-contiguous array (new reference; throws on failure).
py::object empty(PyObject* descr, int nd, const Py_ssize_t* dims);
inline py::object empty_like(PyObject* a) { return empty(descr(a), ndim(a), dims(a)); }
py::object copy(PyObject* a);  // np.array(a, copy=True) (keeps the layout)
// a.reshape(dims) (C order; a view when possible).
py::object reshape(PyObject* a, int nd, const Py_ssize_t* dims);
// np.array(np.broadcast_to(a, dims)): a new C-contiguous array of a's dtype.
py::object broadcast_copy(PyObject* a, int nd, const Py_ssize_t* dims);
// np.add.reduce(a, axis=axes, keepdims=keepdims), as an array.
py::object sum_axes(PyObject* a, const std::vector<Py_ssize_t>& axes, bool keepdims);
// a.swapaxes(-1, -2)
py::object swap_last(PyObject* a);
// np.asarray(o) for NumPy scalars (arrays pass through).
py::object as_array(py::object o);

// Nothing but our one reference can reach `a`'s memory: safe to overwrite.
inline bool exclusively_owned(PyObject* a) {
  return Py_REFCNT(a) == 1 && is_exact(a) && base(a) == nullptr &&
         (flags(a) & (kOwnData | kWriteable | kCContig | kAligned)) ==
             (kOwnData | kWriteable | kCContig | kAligned);
}

// Floating-point exception flags (invalid, divide by zero, overflow, underflow) as the platform
// encodes them. The native kernels' raw loops run inside GilRelease scopes and NumPy's calls
// never do, so the flags raised inside those scopes are collected in `pending` (per thread)
// for the engine to report through np.errstate; flags set before a scope are kept.
//
// On x86-64 a flag can sit in either of two registers: SSE arithmetic sets MXCSR, but NumPy's
// SIMD loops report overflow and underflow through feraiseexcept, which glibc implements on
// the x87 status word (float32 exp(100) sets no MXCSR bit). Both are read; the bits are the
// same in both. Only NumPy's four are looked at: inexact (0x20) is raised by almost every loop,
// and clearing it would cost an LDMXCSR (slow, it orders the FP pipeline) on every call.
namespace fpflags {
#ifdef CG_NPY_MXCSR
constexpr unsigned kInvalid = 0x01u, kDivide = 0x04u, kOver = 0x08u, kUnder = 0x10u;
constexpr unsigned kReported = kInvalid | kDivide | kOver | kUnder;
inline unsigned x87_status() {
  unsigned short sw;
  __asm__ __volatile__("fnstsw %0" : "=a"(sw));
  return sw;
}
// The reported flags now raised.
inline unsigned raised() { return (_mm_getcsr() | x87_status()) & kReported; }
// Clear the reported flags (no register is written when none is set).
inline void clear() {
  const unsigned c = _mm_getcsr();
  if (c & kReported) _mm_setcsr(c & ~kReported);
  if (x87_status() & kReported) __asm__ __volatile__("fnclex");
}
inline void put(unsigned f) {
  if (f) _mm_setcsr(_mm_getcsr() | f);
}
#else
constexpr unsigned kInvalid = FE_INVALID, kDivide = FE_DIVBYZERO, kOver = FE_OVERFLOW,
                   kUnder = FE_UNDERFLOW;
constexpr unsigned kReported = kInvalid | kDivide | kOver | kUnder;
inline unsigned raised() { return static_cast<unsigned>(std::fetestexcept(kReported)); }
inline void clear() {
  if (raised()) std::feclearexcept(static_cast<int>(kReported));
}
inline void put(unsigned f) {
  if (f) std::feraiseexcept(static_cast<int>(f));
}
#endif
// After a native computation: true when the flags raised need NumPy's own handling (the
// caller then lets NumPy's code redo the work and warn or raise): invalid, divide by zero and
// overflow always; underflow only when np.errstate does not ignore it (NumPy's default does).
// An ignored underflow is cleared. Needs the GIL.
bool need_numpy();
// The reported flags raised so far, cleared.
inline unsigned take() {
  const unsigned f = raised();
  if (f) clear();
  return f;
}
extern thread_local unsigned pending;
}  // namespace fpflags

// Releases the GIL for the scope when `on` (long loops that touch no Python object), and
// collects the floating-point flags the scope raises (fpflags::pending).
class GilRelease {
 public:
  explicit GilRelease(bool on)
      : saved_(fpflags::take()), state_(on ? PyEval_SaveThread() : nullptr) {}
  ~GilRelease() {
    if (state_) PyEval_RestoreThread(state_);
    const unsigned now = fpflags::take();
    fpflags::pending |= now;
    fpflags::put(saved_ | now);
  }
  GilRelease(const GilRelease&) = delete;
  GilRelease& operator=(const GilRelease&) = delete;

 private:
  unsigned saved_;
  PyThreadState* state_;
};
constexpr Py_ssize_t kReleaseGil = 1 << 15;  // elements

// ---- NumPy's inner loops -------------------------------------------------------------------

using LoopFn = void (*)(char** args, const Py_ssize_t* dims, const Py_ssize_t* steps, void* data);

struct Loop {
  LoopFn fn = nullptr;
  void* data = nullptr;
  explicit operator bool() const { return fn != nullptr; }
};

enum LoopOp : int { L_EXP, L_LOG, L_TANH, L_POWER, L_RECIPROCAL, L_SIN, L_COS, L_ADD, L_NUM };

// The loop NumPy itself runs for `op` on float32 (is64 = false) / float64, or an empty Loop
// when the ufunc object's layout could not be verified (callers then call the ufunc).
const Loop& loop(LoopOp op, bool is64);
const char* loop_name(LoopOp op);  // the ufunc's name

// Fill the table (at import); verifies each loop against the ufunc bit for bit (L_ADD also in
// reduce mode, against np.add.reduce over rows).
void init_loops(py::module_ numpy);

}  // namespace npy
}  // namespace chaingrad
