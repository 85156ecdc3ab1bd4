// NumPy calls made from C++ exactly as a Python-level NumPy expression makes them: ufuncs and
// functions by vectorcall with the same arguments (Python ints/floats stay Python numbers, so
// NumPy's weak-scalar promotion is the same), methods by name, np.errstate as NumPy's own
// error-state context variable, and dtype scalars. The kernels that transliterate a reference
// NumPy kernel (kernels_pointwise.cpp, kernels_reduction.cpp) use these, so their results,
// warnings and errors are the reference's by construction and no Python frame runs.
#pragma once

#include <initializer_list>

#include "npy.h"

namespace chaingrad {
namespace npc {

// Owned references, kept for the life of the process (as the NumPy module itself is).
struct Fns {
  // ufuncs
  PyObject* add = nullptr;
  PyObject* subtract = nullptr;
  PyObject* multiply = nullptr;
  PyObject* divide = nullptr;  // np.divide is np.true_divide
  PyObject* negative = nullptr;
  PyObject* power = nullptr;
  PyObject* exp = nullptr;
  PyObject* log = nullptr;
  PyObject* sqrt = nullptr;
  PyObject* sin = nullptr;
  PyObject* cos = nullptr;
  PyObject* equal = nullptr;
  PyObject* less = nullptr;
  PyObject* less_equal = nullptr;
  PyObject* greater = nullptr;
  PyObject* greater_equal = nullptr;
  PyObject* bitwise_and = nullptr;  // ndarray's `&`
  PyObject* bitwise_or = nullptr;   // ndarray's `|`
  PyObject* isnan = nullptr;
  PyObject* absolute = nullptr;
  PyObject* matmul = nullptr;
  PyObject* add_reduce = nullptr;
  PyObject* or_reduce = nullptr;  // np.logical_or.reduce (ndarray.any's reduction)
  // functions and types
  PyObject* where = nullptr;
  PyObject* zeros = nullptr;
  PyObject* zeros_like = nullptr;
  PyObject* ones_like = nullptr;
  PyObject* ascontiguousarray = nullptr;
  PyObject* count_nonzero = nullptr;  // numpy._core.multiarray.count_nonzero, or null
  PyObject* intp = nullptr;
  PyObject* f64 = nullptr;  // np.float64
  PyObject* f32 = nullptr;  // np.float32
  PyObject* f32_nan = nullptr;  // np.float32(np.nan)
  PyObject* f32_inf = nullptr;  // np.float32(np.inf)
  // method names and keyword tuples
  PyObject* s_astype = nullptr;
  PyObject* s_copy = nullptr;
  PyObject* s_cumsum = nullptr;
  PyObject* s_cumprod = nullptr;
  PyObject* kw_dtype = nullptr;              // ("dtype",)
  PyObject* kw_axis = nullptr;               // ("axis",)
  PyObject* kw_copy = nullptr;               // ("copy",)
  PyObject* kw_axis_keepdims = nullptr;      // ("axis", "keepdims")
  PyObject* kw_out_casting_subok = nullptr;  // ("out", "casting", "subok")
  PyObject* s_unsafe = nullptr;
  // Python numbers the reference kernels write as literals
  PyObject* py_zero = nullptr;  // 0
  PyObject* py_one = nullptr;   // 1
  PyObject* py_two = nullptr;   // 2
  bool ready = false;
  bool errstate = false;  // NumPy's error-state context variable was found (see ErrState)
};
extern Fns f;

// Fill `f` (at import).
void init(py::module_ numpy);

// A new reference as an object; throws the pending Python error when null.
py::object steal(PyObject* r);

// fn(*args) with the last len(kwnames) arguments passed by keyword.
py::object call(PyObject* fn, std::initializer_list<PyObject*> args, PyObject* kwnames = nullptr);

// args[0].name(*args[1:]), keywords as for call().
py::object method(PyObject* name, std::initializer_list<PyObject*> args,
                  PyObject* kwnames = nullptr);

// a.astype(dtype, copy=False) with `dtype` a descriptor: `a` itself when already of that dtype.
py::object astype_nocopy(PyObject* a, PyObject* dtype);

// NumPy's result for ufunc outputs may be a scalar; the engine moves arrays.
inline py::object as_array(py::object o) { return npy::as_array(std::move(o)); }

// like.dtype.type(v): a value of like's dtype (a 0-d array for float32/float64, which NumPy
// treats exactly as the scalar; the scalar type's own conversion otherwise, warnings included).
py::object typed(PyObject* like, double v);

// like.dtype.type(o) for any Python value `o` (e.g. a NumPy float64 scalar).
py::object typed_of(PyObject* like, PyObject* o);

// An ndarray of a floating dtype (float16/32/64/longdouble).
inline bool float_array(PyObject* a) {
  return a && npy::is_array(a) && npy::descr_kind(npy::descr(a)) == 'f';
}

// sign_array(x) of ops/unary.py for a float x: (x > 0).astype(x.dtype) - (x < 0).astype(x.dtype)
// (as an array).
py::object sign_array(PyObject* x);

// pow_scalar_array(x, e) of ops/elementwise.py for a float x: x ** e with torch's exact special
// cases (as an array).
py::object pow_scalar_array(PyObject* x, double e);

// np.errstate(divide="ignore" if divide, invalid="ignore" if invalid) for the object's
// lifetime: NumPy's context variable set to _make_extobj(...) and reset afterwards (the other
// settings stay the caller's, as with np.errstate). Only when f.errstate.
class ErrState {
 public:
  ErrState(bool divide, bool invalid);
  ~ErrState();
  ErrState(const ErrState&) = delete;
  ErrState& operator=(const ErrState&) = delete;

 private:
  PyObject* token_ = nullptr;
};

}  // namespace npc
}  // namespace chaingrad
