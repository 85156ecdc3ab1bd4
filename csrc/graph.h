// Graph storage: nodes, edges, saved values.
//
// A node is one recorded operation, and is itself a Python object (chaingrad._core.Node), so a
// tensor's `_grad_fn` slot holds the node directly: no wrapper object, no shared_ptr, one
// allocation per node. Its edges, saved values, scalars and input shapes live inline after the
// fixed fields (a variable-size object), which keeps a scalar node around 100-200 bytes.
//
// Edges point from a node to the producers of its inputs (the `next` functions); a leaf's
// producer is its AccumulateGrad node, which also holds the leaf's `.grad`. Nodes never own
// their output tensors, so no reference cycle forms through the graph itself; a saved output
// keeps only its array and version counter. Nodes still take part in Python's cycle collector
// (tp_traverse/tp_clear), so cycles a user builds through hooks or `ctx` are collected.
#pragma once

#include <pybind11/pybind11.h>

#include <cstdint>
#include <memory>
#include <new>
#include <utility>
#include <vector>

namespace py = pybind11;

namespace chaingrad {

// Must match python/chaingrad/_kinds.py.
enum Kind : int {
  PY = 0, ACCUMULATE, ADD, SUB, MUL, DIV, NEG, POW_SCALAR, EXP, LOG, TANH, SIGMOID, RELU,
  SUM, MEAN, MATMUL, ADD_SCALAR, MUL_SCALAR, DIV_SCALAR, RDIV_SCALAR, RSUB_SCALAR,
  NUM_KINDS,
  // The full op set's kinds (node layouts in _kinds.py). 21..37 are elementwise
  // (kernels_pointwise.cpp), 38..46 reductions (kernels_reduction.cpp), 47..51 shape ops.
  ABS = 21, SIGN = 22, SQRT = 23, RSQRT = 24, LOG1P = 25, EXPM1 = 26, SIN = 27, COS = 28,
  TAN = 29, RECIPROCAL = 30, CLAMP = 31, CLAMP_TENSOR = 32, MAXIMUM = 33, MINIMUM = 34,
  WHERE = 35, POW = 36, RPOW_SCALAR = 37,
  PROD = 38, MAXMIN_ALL = 39, MAXMIN_DIM = 40, AMAXMIN = 41, VAR = 42, STD = 43,
  LOGSUMEXP = 44, NORM = 45, CUMSUM = 46,
  // Shape ops (kernels_shape.cpp).
  RESHAPE = 47, PERMUTE = 48, EXPAND = 49, TO_COPY = 50, SLICE = 51,
  // In-place ops on views (kernels_shape.cpp).
  AS_STRIDED = 52, COPY_SLICES = 53,
  // nn layers as single nodes (kernels_nn.cpp).
  LINEAR = 60, CROSS_ENTROPY = 61
};

struct Node;

// The Python object header in front of every Node.
struct NodeHead {
  PyObject_VAR_HEAD
  PyObject* weakrefs;
};

extern PyTypeObject* node_type;

inline Node* node_of(PyObject* o) {
  return std::launder(reinterpret_cast<Node*>(reinterpret_cast<char*>(o) + sizeof(NodeHead)));
}
inline PyObject* object_of(const Node* n) {
  return reinterpret_cast<PyObject*>(const_cast<char*>(reinterpret_cast<const char*>(n)) -
                                     sizeof(NodeHead));
}
inline bool is_node(PyObject* o) { return o && Py_TYPE(o) == node_type; }

// An owning (strong) reference to a node.
class NodeRef {
 public:
  NodeRef() = default;
  static NodeRef borrow(Node* n) {
    if (n) Py_INCREF(object_of(n));
    return NodeRef(n);
  }
  static NodeRef steal(Node* n) { return NodeRef(n); }
  NodeRef(const NodeRef& o) : n_(o.n_) {
    if (n_) Py_INCREF(object_of(n_));
  }
  NodeRef(NodeRef&& o) noexcept : n_(o.n_) { o.n_ = nullptr; }
  NodeRef& operator=(NodeRef o) noexcept {
    std::swap(n_, o.n_);
    return *this;
  }
  ~NodeRef() {
    if (n_) Py_DECREF(object_of(n_));
  }
  Node* get() const { return n_; }
  Node* operator->() const { return n_; }
  Node& operator*() const { return *n_; }
  explicit operator bool() const { return n_ != nullptr; }
  Node* release() {
    Node* n = n_;
    n_ = nullptr;
    return n;
  }
  py::object object() const {
    return n_ ? py::reinterpret_borrow<py::object>(object_of(n_)) : py::none();
  }

 private:
  explicit NodeRef(Node* n) : n_(n) {}
  Node* n_ = nullptr;
};

// One input of a node: where its gradient goes, and the shape/dtype that gradient must have.
struct Edge {
  NodeRef fn;             // producer of the input (null: the input needs no gradient)
  uint32_t nr = 0;        // which output of `fn`
  int16_t type_num = -1;  // the input's dtype; -1: no metadata
  uint8_t ndim = 0;       // the input's shape is in the node's dims block
  uint8_t custom_dtype = 0;  // the dtype is a non-builtin descriptor kept in NodeExtras
  bool defined() const { return type_num >= 0; }
};

struct SavedVar {
  py::object data;    // the array (or any value saved raw); null once released
  py::object tensor;  // the input Tensor; null for a saved output or a raw value
  py::object vc;      // version counter (a one-element list); null for raw values
  int64_t version = 0;
  int32_t output_nr = -1;  // >= 0: this is the node's own output number
};

struct Hook {
  uint64_t id;
  uint32_t nr;
  py::object fn;
};

// What few nodes need, allocated on first use.
struct NodeExtras {
  py::object fn;    // the FunctionCtx of a PY node
  py::object grad;  // AccumulateGrad: the leaf's .grad (a Tensor), null for None
  std::vector<Hook> pre_hooks;
  std::vector<Hook> post_hooks;
  std::vector<std::pair<uint32_t, py::object>> retains;
  std::vector<std::pair<uint32_t, py::object>> dtypes;  // input nr -> dtype (custom_dtype)
};

template <typename T>
struct Span {
  T* ptr;
  size_t n;
  size_t size() const { return n; }
  bool empty() const { return n == 0; }
  T& operator[](size_t i) const { return ptr[i]; }
  T& at(size_t i) const {
    if (i >= n) throw std::out_of_range("chaingrad._core: node field index out of range");
    return ptr[i];
  }
  T* begin() const { return ptr; }
  T* end() const { return ptr + n; }
};

struct Node {
  uint32_t n_in = 0;
  uint32_t num_outputs = 1;
  uint32_t n_dims = 0;
  uint16_t n_saved = 0;
  uint16_t n_scalars = 0;
  uint8_t kind = PY;
  bool released = false;
  uint32_t scratch = 0;  // execute(): this node's task number (valid only if the task agrees)
  py::object name;
  std::unique_ptr<NodeExtras> extras;
  // Followed in memory by: Edge[n_in], SavedVar[n_saved], double[n_scalars],
  // Py_ssize_t[n_dims] (the shapes of the inputs that have metadata, in order).

  Edge* edges_ptr() const {
    return reinterpret_cast<Edge*>(const_cast<char*>(reinterpret_cast<const char*>(this)) +
                                   sizeof(Node));
  }
  SavedVar* saved_ptr() const { return reinterpret_cast<SavedVar*>(edges_ptr() + n_in); }
  double* scalars_ptr() const { return reinterpret_cast<double*>(saved_ptr() + n_saved); }
  Py_ssize_t* dims_ptr() const { return reinterpret_cast<Py_ssize_t*>(scalars_ptr() + n_scalars); }

  Span<Edge> next() const { return {edges_ptr(), n_in}; }
  Span<SavedVar> saved() const { return {saved_ptr(), n_saved}; }
  Span<double> scalars() const { return {scalars_ptr(), n_scalars}; }

  // The shape of input i (valid when next()[i].defined()).
  const Py_ssize_t* in_dims(size_t i) const {
    const Edge* e = edges_ptr();
    size_t at = 0;
    for (size_t j = 0; j < i; ++j)
      if (e[j].defined()) at += e[j].ndim;
    return dims_ptr() + at;
  }
  std::vector<Py_ssize_t> in_shape(size_t i) const {
    const Py_ssize_t* d = in_dims(i);
    return std::vector<Py_ssize_t>(d, d + next()[i].ndim);
  }
  // The dtype (a numpy.dtype) of input i.
  py::object in_dtype(size_t i) const;

  NodeExtras& ext() {
    if (!extras) extras = std::make_unique<NodeExtras>();
    return *extras;
  }
  bool has_hooks() const {
    return extras && (!extras->pre_hooks.empty() || !extras->post_hooks.empty() ||
                      !extras->retains.empty());
  }
  py::object fn() const { return extras && extras->fn ? extras->fn : py::none(); }

  void release();  // drop saved values after backward
};

// A new node (a new reference) with room for the given counts; every field default-initialised.
// The caller fills it, then calls track(). Throws on overflow of the inline counts.
Node* new_node(int kind, py::object name, size_t n_in, size_t n_saved, size_t n_scalars,
               size_t n_dims, size_t num_outputs);
void track(Node* n);  // hand a fully built node to the cycle collector

// Creates chaingrad._core.Node (methods are attached in bindings.cpp).
py::object init_node_type(py::module_ m);

uint64_t next_hook_id();

}  // namespace chaingrad
