// The engine: records nodes from Python tensors and runs the backward pass.
//
// Backward discovers the reachable graph with an explicit stack, counts for each node the
// edges pointing at it, then runs nodes from a ready stack once all their consumers have
// delivered gradients into their input buffers. No recursion anywhere, so the depth of the
// graph is bounded only by memory. Per-run state lives in flat arrays indexed by a task number
// (one open-addressing table maps nodes to tasks), so running a node allocates nothing but
// the gradient arrays it produces, and those are reused in place when exclusively owned.
#pragma once

#include "graph.h"

namespace chaingrad {

// Borrowed pointers to the Python side's callbacks (chaingrad._bridge); the module object
// keeps them alive.
struct Bridge {
  PyObject* module = nullptr;
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
  PyObject* anomaly = nullptr;        // _bridge.anomaly: [bool], read once per execute()
  PyObject* check_anomaly = nullptr;  // called per node only while anomaly mode is on
  PyObject* fp_report = nullptr;      // FP flags a native kernel's raw loops raised
};
extern Bridge bridge;

void set_bridge(py::module_ self, py::object bridge_module);

// A leaf's AccumulateGrad node, created on first use and kept in `t._acc` (new reference).
NodeRef accumulator(PyObject* tensor);

py::object record(int kind, py::object name, py::tuple inputs, py::tuple outputs, py::tuple save,
                  py::tuple scalars, py::object fn);

// What a native forward op saves for backward.
struct SaveItem {
  enum How { INPUT, OUTPUT, RAW } how;
  PyObject* obj;  // the input Tensor, the output Tensor, or the raw value (borrowed)
};

// Record a native op with one output tensor `out` (no Python call): edges from `inputs`
// (Tensors, borrowed), `out` gets the node as grad_fn. The caller has checked grad mode and
// that some input requires grad.
void record_native(int kind, PyObject* name, PyObject* const* inputs, size_t n_in,
                   PyObject* out, const SaveItem* saves, size_t n_saved, const double* scalars,
                   size_t n_scalars);

py::object execute(py::list roots, py::list grads, bool retain_graph, bool create_graph,
                   py::object capture);

// Saved values as the Python side sees them (version-checked; outputs rebuilt as tensors).
py::tuple saved_tensors(Node& node);
py::list saved_arrays(Node& node);
void check_saved(const Node& node);

}  // namespace chaingrad
