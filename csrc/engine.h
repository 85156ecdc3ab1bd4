// The engine: records nodes from Python tensors and runs the backward pass.
//
// Backward discovers the reachable graph with an explicit stack, counts for each node the
// edges pointing at it, then runs nodes from a ready stack once all their consumers have
// delivered gradients into their input buffers. No recursion anywhere, so the depth of the
// graph is bounded only by memory.
#pragma once

#include "graph.h"

namespace chaingrad {

// Borrowed pointers to the Python side's callbacks (chaingrad._bridge) and attribute names;
// the module object keeps them alive.
struct Bridge {
  PyObject* module = nullptr;
  PyObject* tensor_cls = nullptr;
  PyObject* function_backward = nullptr;
  PyObject* native_graph_backward = nullptr;
  PyObject* call_tensor_hook = nullptr;
  PyObject* store_retained = nullptr;
  PyObject* accumulate = nullptr;
  PyObject* conform_tensor = nullptr;
  PyObject* tensor_add = nullptr;
  PyObject* rebuild_output = nullptr;
  PyObject* version_error = nullptr;
  PyObject* array_backward = nullptr;
};
extern Bridge bridge;

void set_bridge(py::module_ self, py::object bridge_module);

// A leaf's AccumulateGrad node, created on first use and kept in `t._acc`.
NodePtr accumulator(py::handle tensor);

py::object record(int kind, py::object name, py::tuple inputs, py::tuple outputs, py::tuple save,
                  py::tuple scalars, py::object fn);

py::object execute(py::list roots, py::list grads, bool retain_graph, bool create_graph,
                   py::object capture);

// Saved values as the Python side sees them (version-checked; outputs rebuilt as tensors).
py::tuple saved_tensors(const NodePtr& node);
py::list saved_arrays(const Node& node);
void check_saved(const Node& node);

}  // namespace chaingrad
