// Native forward fast paths of the view ops: view/reshape, unsqueeze/squeeze, permute/transpose,
// expand and basic indexing by ints, slices and Ellipsis (installed with the arithmetic ones, see
// forward.h). Each does in one C++ call what ops/shape.py and ops/indexing.py do: the same
// NumPy call (ndarray.reshape, ndarray.transpose, ndarray.__getitem__ with a trailing
// Ellipsis; for expand, the read-only view np.broadcast_to's nditer makes), view_of's
// registration (np.may_share_memory's bounds test, then make_view: shared version counter, a
// weak reference in it, a ViewInfo with the root base and the grad-mode flag) and the same native node (kind, name, scalars). Unusual arguments and every error go
// to the Python op, which stays the specification.
#pragma once

#include <pybind11/pybind11.h>

namespace py = pybind11;

namespace chaingrad {
namespace shape_fast {

enum Op : int { VIEW_OP, RESHAPE_OP, UNSQUEEZE_OP, SQUEEZE_OP, PERMUTE_OP, TRANSPOSE_OP,
                GETITEM_OP, EXPAND_OP };

enum Name : int { N_VIEW, N_UNSQUEEZE, N_SQUEEZE, N_PERMUTE, N_TRANSPOSE, N_SLICE, N_SELECT,
                  N_EXPAND, N_NAMES };

// Looks up ops._views.ViewInfo and interns the node names (at install).
void init();

// The output tensor (new reference), or nullptr with no error set: take the Python op.
// `self` is a Tensor whose _data is `ad`; keyword arguments never reach here.
PyObject* forward(Op op, PyObject* self, PyObject* ad, PyObject* const* args, Py_ssize_t nargs,
                  bool grad_on);

}  // namespace shape_fast
}  // namespace chaingrad
