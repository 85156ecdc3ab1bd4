// Special functions NumPy lacks, over whole arrays (ops/special.py).
#pragma once

#include <pybind11/pybind11.h>

namespace py = pybind11;

namespace chaingrad {

// erf(x) (or erfc(x) when `complement`) of every element of a float64 array, as a new
// C-contiguous float64 array: the C library's functions, which CPython's math.erf/math.erfc
// call, so the values are math.erf's (ops/special.py checks this at import).
py::object erf_array(py::handle a, bool complement);

}  // namespace chaingrad
