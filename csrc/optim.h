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

struct AdamOptions {
  double lr = 0, beta1 = 0, beta2 = 0, eps = 0, weight_decay = 0;
  bool amsgrad = false, maximize = false, decoupled = false;
};

// torch's Adam/AdamW update with optim/adam.py's roundings, state created like the Python
// loop's (step, exp_avg, exp_avg_sq[, max_exp_avg_sq]). False, having changed nothing, when a
// parameter or its state is not plain float32/float64 (the caller runs the Python loop).
bool adam_step(py::list params, py::dict state, const AdamOptions& o);

}  // namespace chaingrad
