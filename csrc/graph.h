// Graph storage: nodes, edges, saved values.
//
// A node is one recorded operation. Edges point from a node to the producers of its inputs
// (the `next` functions); a leaf's producer is its AccumulateGrad node, which also holds the
// leaf's `.grad`. Nodes never own their output tensors, so no reference cycle can form through
// Python objects; a saved output keeps only its array and version counter.
#pragma once

#include <pybind11/pybind11.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace py = pybind11;

namespace chaingrad {

// Must match python/chaingrad/_kinds.py.
enum Kind : int {
  PY = 0, ACCUMULATE, ADD, SUB, MUL, DIV, NEG, POW_SCALAR, EXP, LOG, TANH, SIGMOID, RELU,
  SUM, MEAN, MATMUL, ADD_SCALAR, MUL_SCALAR, DIV_SCALAR, RDIV_SCALAR, RSUB_SCALAR,
  NUM_KINDS
};

struct Node;
using NodePtr = std::shared_ptr<Node>;

struct Edge {
  NodePtr fn;
  uint32_t nr = 0;
};

// Shape and dtype a gradient flowing to one input must have.
struct InputMeta {
  bool defined = false;
  std::vector<py::ssize_t> shape;
  char dtype = 0;       // NumPy type char ('f', 'd', ...)
  py::object dtype_obj; // for casts
};

struct SavedVar {
  py::object data;     // the array (or any value saved raw)
  py::object tensor;   // the input Tensor; None for a saved output or a raw value
  py::object vc;       // version counter (a one-element list) or None
  int64_t version = 0;
  int output_nr = -1;  // >= 0: this is the node's own output number
};

struct Hook {
  uint64_t id;
  uint32_t nr;
  py::object fn;
};

struct Node {
  int kind = PY;
  py::object name;
  std::vector<Edge> next;
  std::vector<InputMeta> meta;
  std::vector<SavedVar> saved;
  std::vector<double> scalars;
  py::object fn;  // the FunctionCtx of a PY node
  uint32_t num_outputs = 1;
  std::vector<Hook> pre_hooks;
  std::vector<std::pair<uint32_t, py::object>> retains;
  std::vector<Hook> post_hooks;
  py::object grad;  // AccumulateGrad: the leaf's .grad (a Tensor) or None
  bool released = false;

  Node() = default;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;
  // Deep graphs (a 1,000,000-node chain) must not be torn down recursively: the destructor
  // hands everything it owns to a queue drained by the outermost destructor.
  ~Node();

  void release();  // drop saved values after backward
};

uint64_t next_hook_id();

}  // namespace chaingrad
