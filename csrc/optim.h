// Optimizer steps in one native call per parameter group (optim/sgd.py stays the reference).
#pragma once

#include <pybind11/pybind11.h>

namespace py = pybind11;

namespace chaingrad {

struct SgdOptions {
  double lr = 0, momentum = 0, dampening = 0, weight_decay = 0;
  bool nesterov = false, maximize = false;
};

// torch's SGD update, element by element in the parameter's dtype with the Python reference's
// roundings (optim/sgd.py), for every parameter of `params` with a gradient: state[p] is
// created ({} and, with momentum, {buffer_key: Tensor}) like the Python loop does. Returns
// false, having changed nothing, when some parameter is not a plain float32/float64 array of
// its gradient's dtype and shape (the caller then runs the Python loop).
bool sgd_step(py::list params, py::dict state, py::str buffer_key, const SgdOptions& o);

}  // namespace chaingrad
