// Native forward fast paths of the built-in elementwise ops.
//
// Each op is installed on the Tensor class as a real method descriptor (METH_FASTCALL), so
// `x * w` or `x.tanh()` runs no Python frame at all: one call computes the result on the NumPy
// buffers, builds the output Tensor and records the node. Only the common cases are handled
// here -- float32/float64 tensors of one dtype that are C-contiguous, same shape, a size-1
// operand (scalar broadcast) or a Python number, on the C++ engine -- everything else (other
// dtypes, ndarray operands, keyword arguments, the reference engine) calls the Python op the
// method replaced, so semantics are exactly the Python ops' (ops/elementwise.py).
//
// Results are bit-identical to the Python forward: + - * / and sqrt are correctly rounded IEEE
// operations, and exp/log/tanh/power/reciprocal run NumPy's own inner loops (verified bit for
// bit at import). Any floating-point exception flag raised while computing (overflow, invalid,
// divide by zero, underflow) discards the result and reruns the Python op, so NumPy's warnings
// and np.errstate behave exactly as before.
#pragma once

#include <pybind11/pybind11.h>

#include <string>

namespace py = pybind11;

namespace chaingrad {

// fallbacks: method name -> the Python function currently installed under that name.
// grad_mode: grad_mode._enabled (a one-element list); current_engine: engine._current.
py::list install_fast_ops(py::module_ core, py::object tensor_cls, py::dict fallbacks,
                          py::list grad_mode, py::list current_engine);

// A builtin function for a module-level op (torch.tanh(x), F.relu(x), torch.tensor(...),
// torch.from_numpy(a)): the method fast path with the tensor as first argument, else
// `fallback(*args, **kwargs)`. `kind` names the op ("tanh", "mul", ...), or "relu_inplace_arg"
// (F.relu's optional inplace=False), "tensor" (a Python float with dtype float32/float64 and
// a bool requires_grad) or "from_numpy" (an exact ndarray of a native numeric dtype).
py::object make_fast_function(const std::string& name, const std::string& kind,
                              py::object fallback, const std::string& module);

py::dict fast_ops_stats();

}  // namespace chaingrad
