#include "graph.h"

#include <structmember.h>

#include <limits>
#include <stdexcept>
#include <string>

#include "npy.h"

namespace chaingrad {

PyTypeObject* node_type = nullptr;

static_assert(sizeof(Node) % alignof(Edge) == 0 && sizeof(Edge) % 8 == 0 &&
                  sizeof(SavedVar) % 8 == 0 && sizeof(NodeHead) % alignof(Node) == 0,
              "node layout: trailing arrays must stay 8-byte aligned");

namespace {

// Deep graphs (a 1,000,000-node chain) must not be torn down recursively: a dying node hands
// every reference it owns to this queue, and only the outermost deallocation drains it.
// Only touched with the GIL held (deallocation always holds it), so a plain static will do
// (a thread_local costs a __tls_get_addr call per access in a shared library).
struct Graveyard {
  std::vector<py::object> refs;  // empty whenever no deallocation is in progress
  bool draining = false;
};
Graveyard grave;

// Drop one reference: at once when others remain (no deallocation can follow), else later.
void bury_ref(py::object o) {
  if (Py_REFCNT(o.ptr()) > 1) return;  // `o` goes out of scope: a plain decref
  grave.refs.push_back(std::move(o));
}
void bury(py::object& o) {
  if (o) bury_ref(std::move(o));
}
void bury(NodeRef& r) {
  if (r) bury_ref(py::reinterpret_steal<py::object>(object_of(r.release())));
}

void drain() {
  if (grave.draining) return;
  grave.draining = true;
  while (!grave.refs.empty()) {
    py::object o = std::move(grave.refs.back());
    grave.refs.pop_back();
  }  // each `o` dies here; its deallocation may bury more
  grave.draining = false;
}

// Moves every reference the node owns into the graveyard (the node stays valid and empty).
void bury_all(Node* n) {
  for (Edge& e : n->next()) bury(e.fn);
  for (SavedVar& s : n->saved()) {
    bury(s.data);
    bury(s.tensor);
    bury(s.vc);
  }
  bury(n->name);
  if (n->extras) {
    NodeExtras& x = *n->extras;
    bury(x.fn);
    bury(x.grad);
    for (auto& h : x.pre_hooks) bury(h.fn);
    for (auto& h : x.post_hooks) bury(h.fn);
    for (auto& r : x.retains) bury(r.second);
    for (auto& d : x.dtypes) bury(d.second);
  }
}

void node_dealloc(PyObject* o) {
  PyObject_GC_UnTrack(o);
  auto* head = reinterpret_cast<NodeHead*>(o);
  if (head->weakrefs) PyObject_ClearWeakRefs(o);
  Node* n = node_of(o);
  bury_all(n);
  for (Edge& e : n->next()) e.~Edge();
  for (SavedVar& s : n->saved()) s.~SavedVar();
  n->~Node();
  PyTypeObject* tp = Py_TYPE(o);
  PyObject_GC_Del(o);
  Py_DECREF(tp);
  drain();
}

int visit_one(PyObject* o, visitproc v, void* arg) { return o ? v(o, arg) : 0; }

int node_traverse(PyObject* o, visitproc v, void* arg) {
  if (int t = v(reinterpret_cast<PyObject*>(Py_TYPE(o)), arg)) return t;
  Node* n = node_of(o);
  int r;
#define CG_VISIT(x)               \
  if ((r = visit_one((x), v, arg))) \
  return r
  for (const Edge& e : n->next())
    if (e.fn) CG_VISIT(object_of(e.fn.get()));
  for (const SavedVar& s : n->saved()) {
    CG_VISIT(s.data.ptr());
    CG_VISIT(s.tensor.ptr());
    CG_VISIT(s.vc.ptr());
  }
  CG_VISIT(n->name.ptr());
  if (n->extras) {
    const NodeExtras& x = *n->extras;
    CG_VISIT(x.fn.ptr());
    CG_VISIT(x.grad.ptr());
    for (const auto& h : x.pre_hooks) CG_VISIT(h.fn.ptr());
    for (const auto& h : x.post_hooks) CG_VISIT(h.fn.ptr());
    for (const auto& p : x.retains) CG_VISIT(p.second.ptr());
    for (const auto& p : x.dtypes) CG_VISIT(p.second.ptr());
  }
#undef CG_VISIT
  return 0;
}

int node_clear(PyObject* o) {
  Node* n = node_of(o);
  bury_all(n);
  n->released = true;
  drain();
  return 0;
}

}  // namespace

py::object Node::in_dtype(size_t i) const {
  const Edge& e = next()[i];
  if (e.custom_dtype && extras)
    for (const auto& d : extras->dtypes)
      if (d.first == i) return d.second;
  PyObject* d = npy::builtin_descr(e.type_num);
  if (!d) throw std::runtime_error("chaingrad._core: unknown dtype number in node metadata");
  return py::reinterpret_borrow<py::object>(d);
}

void Node::release() {
  if (n_saved == 0) return;
  for (SavedVar& s : saved()) {
    bury(s.data);
    bury(s.tensor);
    bury(s.vc);
  }
  released = true;
  drain();
}

Node* new_node(int kind, py::object name, size_t n_in, size_t n_saved, size_t n_scalars,
               size_t n_dims, size_t num_outputs) {
  if (n_in > std::numeric_limits<uint32_t>::max() / 2 ||
      n_saved > std::numeric_limits<uint16_t>::max() ||
      n_scalars > std::numeric_limits<uint16_t>::max() ||
      n_dims > std::numeric_limits<uint32_t>::max() / 2 ||
      num_outputs > std::numeric_limits<uint32_t>::max() / 2)
    throw std::invalid_argument("record: too many inputs, outputs, saved values or scalars");
  const size_t bytes = sizeof(Node) + n_in * sizeof(Edge) + n_saved * sizeof(SavedVar) +
                       n_scalars * sizeof(double) + n_dims * sizeof(Py_ssize_t);
  const Py_ssize_t units = static_cast<Py_ssize_t>((bytes + 7) / 8);
  NodeHead* head = PyObject_GC_NewVar(NodeHead, node_type, units);
  if (!head) throw py::error_already_set();
  head->weakrefs = nullptr;
  Node* n = new (reinterpret_cast<char*>(head) + sizeof(NodeHead)) Node();
  n->kind = static_cast<uint8_t>(kind);
  n->n_in = static_cast<uint32_t>(n_in);
  n->n_saved = static_cast<uint16_t>(n_saved);
  n->n_scalars = static_cast<uint16_t>(n_scalars);
  n->n_dims = static_cast<uint32_t>(n_dims);
  n->num_outputs = static_cast<uint32_t>(num_outputs);
  n->name = std::move(name);
  for (size_t i = 0; i < n_in; ++i) new (n->edges_ptr() + i) Edge();
  for (size_t i = 0; i < n_saved; ++i) new (n->saved_ptr() + i) SavedVar();
  for (size_t i = 0; i < n_scalars; ++i) n->scalars_ptr()[i] = 0.0;
  for (size_t i = 0; i < n_dims; ++i) n->dims_ptr()[i] = 0;
  return n;
}

void track(Node* n) { PyObject_GC_Track(object_of(n)); }

py::object init_node_type(py::module_ m) {
  static PyMemberDef members[] = {
      {const_cast<char*>("__weaklistoffset__"), T_PYSSIZET,
       static_cast<Py_ssize_t>(offsetof(NodeHead, weakrefs)), READONLY, nullptr},
      {nullptr, 0, 0, 0, nullptr}};
  static PyType_Slot slots[] = {
      {Py_tp_dealloc, reinterpret_cast<void*>(&node_dealloc)},
      {Py_tp_traverse, reinterpret_cast<void*>(&node_traverse)},
      {Py_tp_clear, reinterpret_cast<void*>(&node_clear)},
      {Py_tp_members, members},
      {Py_tp_doc, const_cast<char*>("A recorded operation of chaingrad's C++ engine.")},
      {0, nullptr}};
  unsigned int flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC;
#ifdef Py_TPFLAGS_DISALLOW_INSTANTIATION
  flags |= Py_TPFLAGS_DISALLOW_INSTANTIATION;
#endif
  static PyType_Spec spec = {"chaingrad._core.Node", static_cast<int>(sizeof(NodeHead)), 8,
                             flags, slots};
  PyObject* t = PyType_FromSpec(&spec);
  if (!t) throw py::error_already_set();
  node_type = reinterpret_cast<PyTypeObject*>(t);
  node_type->tp_new = nullptr;  // never constructed from Python
  py::object type = py::reinterpret_steal<py::object>(t);
  m.attr("Node") = type;
  return type;
}

uint64_t next_hook_id() {
  static uint64_t id = 0;
  return ++id;
}

}  // namespace chaingrad
