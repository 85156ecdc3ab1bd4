#include "engine.h"

#include <pybind11/numpy.h>

#include <string>
#include <unordered_map>
#include <unordered_set>

#include "kernels.h"

namespace chaingrad {

Bridge bridge;

namespace {

// Interned attribute names of Tensor's slots.
struct Names {
  PyObject* data;
  PyObject* requires_grad;
  PyObject* grad_fn;
  PyObject* output_nr;
  PyObject* acc;
  PyObject* vc;
};
Names names;

const char* kFreedMsg =
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward.";

py::object getattr(py::handle o, PyObject* name) {
  PyObject* r = PyObject_GetAttr(o.ptr(), name);
  if (!r) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(r);
}

void setattr(py::handle o, PyObject* name, py::handle v) {
  if (PyObject_SetAttr(o.ptr(), name, v.ptr()) != 0) throw py::error_already_set();
}

py::object call(PyObject* fn, std::initializer_list<py::handle> args) {
  py::tuple t(args.size());
  size_t i = 0;
  for (py::handle a : args) {
    if (!a) throw std::logic_error("chaingrad._core: internal error: null argument in a callback");
    t[i++] = py::reinterpret_borrow<py::object>(a);
  }
  PyObject* r = PyObject_Call(fn, t.ptr(), nullptr);
  if (!r) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(r);
}

py::object version_counter(py::handle t) {
  py::object vc = getattr(t, names.vc);
  if (vc.is_none()) {
    py::list l(1);
    l[0] = py::int_(0);
    vc = std::move(l);
    setattr(t, names.vc, vc);
  }
  return vc;
}

py::tuple shape_tuple(const std::vector<py::ssize_t>& s) {
  py::tuple t(s.size());
  for (size_t k = 0; k < s.size(); ++k) t[k] = py::int_(s[k]);
  return t;
}

int64_t read_version(const py::object& vc) {
  return PyLong_AsLongLong(PyList_GET_ITEM(vc.ptr(), 0));
}

PyObject* intern(py::list& keep, const char* s) {
  py::str o(s);
  PyObject* p = o.ptr();
  keep.append(o);
  return p;
}

}  // namespace

void set_bridge(py::module_ self, py::object b) {
  self.attr("_bridge") = b;  // owns everything the borrowed pointers below point into
  auto get = [&](const char* n) { return b.attr(n).ptr(); };
  bridge.module = b.ptr();
  bridge.tensor_cls = get("Tensor");
  bridge.function_backward = get("function_backward");
  bridge.native_graph_backward = get("native_graph_backward");
  bridge.call_tensor_hook = get("call_tensor_hook");
  bridge.store_retained = get("store_retained");
  bridge.accumulate = get("accumulate");
  bridge.conform_tensor = get("conform_tensor");
  bridge.tensor_add = get("tensor_add");
  bridge.rebuild_output = get("rebuild_output");
  bridge.version_error = get("version_error");
  bridge.array_backward = get("array_backward");
  py::list keep;
  names.data = intern(keep, "_data");
  names.requires_grad = intern(keep, "_requires_grad");
  names.grad_fn = intern(keep, "_grad_fn");
  names.output_nr = intern(keep, "_output_nr");
  names.acc = intern(keep, "_acc");
  names.vc = intern(keep, "_vc");
  self.attr("_names") = keep;
}

NodePtr accumulator(py::handle t) {
  py::object acc = getattr(t, names.acc);
  if (!acc.is_none()) return acc.cast<NodePtr>();
  auto node = std::make_shared<Node>();
  node->kind = ACCUMULATE;
  node->name = py::str("AccumulateGrad");
  node->meta.push_back(meta_of(getattr(t, names.data)));
  node->grad = py::none();
  setattr(t, names.acc, py::cast(node));
  return node;
}

py::object record(int kind, py::object name, py::tuple inputs, py::tuple outputs, py::tuple save,
                  py::tuple scalars, py::object fn) {
  if (kind < 0 || kind > 255 || kind == ACCUMULATE)
    throw std::invalid_argument("record: invalid node kind " + std::to_string(kind));
  auto node = std::make_shared<Node>();
  node->kind = kind;
  node->name = std::move(name);
  node->fn = std::move(fn);
  node->num_outputs = static_cast<uint32_t>(outputs.size());
  const size_t n_in = inputs.size();
  node->next.resize(n_in);
  node->meta.resize(n_in);
  for (size_t i = 0; i < n_in; ++i) {
    py::handle t = inputs[i];
    if (t.is_none()) continue;
    if (getattr(t, names.requires_grad).ptr() != Py_True) continue;
    py::object f = getattr(t, names.grad_fn);
    Edge& e = node->next[i];
    if (!f.is_none()) {
      e.fn = f.cast<NodePtr>();
      e.nr = getattr(t, names.output_nr).cast<uint32_t>();
    } else {
      e.fn = accumulator(t);
    }
    node->meta[i] = meta_of(getattr(t, names.data));
  }
  node->scalars.reserve(scalars.size());
  for (py::handle s : scalars) node->scalars.push_back(s.cast<double>());
  node->saved.reserve(save.size());
  if (bridge.tensor_cls == Py_None) {
    // tensor.py sets _bridge.Tensor after importing the engine; borrowed from the module.
    bridge.tensor_cls = PyObject_GetAttrString(bridge.module, "Tensor");
    if (!bridge.tensor_cls) throw py::error_already_set();
    Py_DECREF(bridge.tensor_cls);
  }
  for (py::handle item : save) {
    SavedVar sv;
    if (PyObject_TypeCheck(item.ptr(), reinterpret_cast<PyTypeObject*>(bridge.tensor_cls))) {
      for (size_t j = 0; j < outputs.size(); ++j)
        if (outputs[j].ptr() == item.ptr()) sv.output_nr = static_cast<int>(j);
      sv.data = getattr(item, names.data);
      sv.tensor = sv.output_nr >= 0 ? py::none() : py::reinterpret_borrow<py::object>(item);
      sv.vc = version_counter(item);
      sv.version = read_version(sv.vc);
    } else {
      sv.data = py::reinterpret_borrow<py::object>(item);
      sv.tensor = py::none();
      sv.vc = py::none();
    }
    node->saved.push_back(std::move(sv));
  }
  py::object handle = py::cast(node);
  for (size_t j = 0; j < outputs.size(); ++j) {
    py::handle o = outputs[j];
    if (o.is_none()) continue;
    setattr(o, names.grad_fn, handle);
    setattr(o, names.output_nr, py::int_(j));
    setattr(o, names.requires_grad, Py_True);
  }
  return handle;
}

void check_saved(const Node& node) {
  if (node.released) throw std::runtime_error(kFreedMsg);
  for (size_t i = 0; i < node.saved.size(); ++i) {
    const SavedVar& s = node.saved[i];
    if (s.vc.is_none()) continue;
    int64_t now = read_version(s.vc);
    if (now != s.version) {
      py::object msg = call(bridge.version_error,
                            {node.name, py::int_(i), py::int_(now), py::int_(s.version)});
      throw std::runtime_error(msg.cast<std::string>());
    }
  }
}

py::list saved_arrays(const Node& node) {
  check_saved(node);
  py::list out;
  for (const SavedVar& s : node.saved) out.append(s.data);
  return out;
}

py::tuple saved_tensors(const NodePtr& node) {
  check_saved(*node);
  py::tuple out(node->saved.size());
  py::object handle;
  for (size_t i = 0; i < node->saved.size(); ++i) {
    const SavedVar& s = node->saved[i];
    if (!s.tensor.is_none()) {
      out[i] = s.tensor;
    } else if (s.output_nr >= 0) {
      if (!handle) handle = py::cast(node);
      out[i] = call(bridge.rebuild_output, {s.data, handle, py::int_(s.output_nr), s.vc});
    } else {
      out[i] = s.data;
    }
  }
  return out;
}

namespace {

struct Task {
  int deps = 0;
  std::vector<py::object> buf;
  std::vector<std::pair<uint32_t, size_t>> captures;  // (output nr, capture slot)
};

using Graph = std::unordered_map<Node*, Task>;

Edge edge_of(py::handle pair) {
  py::tuple t = py::reinterpret_borrow<py::tuple>(pair);
  Edge e;
  e.fn = t[0].cast<NodePtr>();
  e.nr = t[1].cast<uint32_t>();
  return e;
}

void discover(const std::vector<NodePtr>& roots, Graph& g) {
  std::vector<Node*> stack;
  for (const auto& r : roots)
    if (g.emplace(r.get(), Task{}).second) stack.push_back(r.get());
  while (!stack.empty()) {
    Node* n = stack.back();
    stack.pop_back();
    for (const Edge& e : n->next) {
      if (!e.fn) continue;
      auto [it, fresh] = g.emplace(e.fn.get(), Task{});
      it->second.deps += 1;
      if (fresh) stack.push_back(e.fn.get());
    }
  }
}

// Keep only nodes on a path to a capture target, with dependencies counted among them.
void prune(Graph& g, const std::vector<NodePtr>& roots, const std::unordered_set<Node*>& targets) {
  std::unordered_map<Node*, int> left;
  for (auto& kv : g) left[kv.first] = kv.second.deps;
  std::vector<Node*> order, ready;
  std::unordered_set<Node*> seen_root;
  for (const auto& r : roots)
    if (left[r.get()] == 0 && seen_root.insert(r.get()).second) ready.push_back(r.get());
  while (!ready.empty()) {
    Node* n = ready.back();
    ready.pop_back();
    order.push_back(n);
    for (const Edge& e : n->next)
      if (e.fn && --left[e.fn.get()] == 0) ready.push_back(e.fn.get());
  }
  std::unordered_set<Node*> needed;
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    Node* n = *it;
    bool need = targets.count(n) > 0;
    for (const Edge& e : n->next)
      if (e.fn && needed.count(e.fn.get())) need = true;
    if (need) needed.insert(n);
  }
  Graph kept;
  for (Node* n : needed) kept.emplace(n, Task{});
  for (Node* n : needed)
    for (const Edge& e : n->next)
      if (e.fn && needed.count(e.fn.get())) kept[e.fn.get()].deps += 1;
  g.swap(kept);
}

void add_to(Task& task, uint32_t nr, py::object gval, bool create_graph, uint32_t num_outputs) {
  if (task.buf.empty()) task.buf.resize(num_outputs);
  py::object& slot = task.buf[nr];
  if (create_graph) {
    slot = slot ? call(bridge.tensor_add, {slot, gval}) : std::move(gval);
  } else {
    accumulate_into(slot, std::move(gval));
  }
}

}  // namespace

py::object execute(py::list roots_in, py::list grads_in, bool retain_graph, bool create_graph,
                   py::object capture_in) {
  if (roots_in.size() != grads_in.size())
    throw std::invalid_argument("execute: roots and grads differ in length");
  std::vector<Edge> roots;
  std::vector<NodePtr> root_nodes;
  for (py::handle r : roots_in) {
    roots.push_back(edge_of(r));
    root_nodes.push_back(roots.back().fn);
  }
  Graph g;
  discover(root_nodes, g);

  const bool capturing = !capture_in.is_none();
  std::vector<py::object> captured;
  if (capturing) {
    py::list cap = capture_in.cast<py::list>();
    std::vector<Edge> targets_e;
    std::unordered_set<Node*> targets;
    for (py::handle c : cap) {
      targets_e.push_back(edge_of(c));
      targets.insert(targets_e.back().fn.get());
    }
    prune(g, root_nodes, targets);
    captured.resize(targets_e.size());
    for (size_t k = 0; k < targets_e.size(); ++k) {
      auto it = g.find(targets_e[k].fn.get());
      if (it != g.end()) it->second.captures.emplace_back(targets_e[k].nr, k);
    }
  }

  std::vector<NodePtr> ready;
  for (size_t k = 0; k < roots.size(); ++k) {
    auto it = g.find(roots[k].fn.get());
    if (it == g.end()) continue;
    add_to(it->second, roots[k].nr, py::reinterpret_borrow<py::object>(grads_in[k]), create_graph,
           roots[k].fn->num_outputs);
  }
  {
    std::unordered_set<Node*> seen;
    for (const auto& r : root_nodes) {
      auto it = g.find(r.get());
      if (it != g.end() && it->second.deps == 0 && seen.insert(r.get()).second) ready.push_back(r);
    }
  }

  while (!ready.empty()) {
    NodePtr node = std::move(ready.back());
    ready.pop_back();
    Task& task = g[node.get()];
    std::vector<py::object> buf = std::move(task.buf);
    buf.resize(node->num_outputs);
    if (!node->pre_hooks.empty()) {
      std::vector<Hook> hooks = node->pre_hooks;  // a hook may remove itself
      for (auto& h : hooks)
        if (buf[h.nr]) buf[h.nr] = call(bridge.call_tensor_hook, {h.fn, buf[h.nr], py::bool_(create_graph)});
    }
    for (auto& r : node->retains)
      if (buf[r.first]) call(bridge.store_retained, {r.second, buf[r.first], py::bool_(create_graph)});
    for (auto& c : task.captures)
      if (buf[c.first]) captured[c.second] = buf[c.first];

    if (node->kind == ACCUMULATE) {
      if (!capturing && buf[0]) {
        bool owned = exclusively_owned(buf[0]);
        call(bridge.accumulate, {py::cast(node), buf[0], py::bool_(create_graph), py::bool_(owned)});
      }
      continue;
    }

    bool any = false;
    for (auto& b : buf)
      if (b) any = true;
    std::vector<py::object> outs;
    if (any) {
      if (node->kind == PY) {
        py::tuple bt(buf.size());
        for (size_t k = 0; k < buf.size(); ++k) bt[k] = buf[k] ? buf[k] : py::none();
        py::object r = call(bridge.function_backward, {py::cast(node), bt, py::bool_(create_graph)});
        for (py::handle h : r) outs.push_back(py::reinterpret_borrow<py::object>(h));
      } else if (create_graph) {
        py::object r = call(bridge.native_graph_backward, {py::cast(node), buf[0]});
        for (py::handle h : r) outs.push_back(py::reinterpret_borrow<py::object>(h));
      } else {
        check_saved(*node);
        outs = native_backward(*node, buf[0]);
      }
      if (!node->post_hooks.empty()) {
        py::tuple gi(outs.size()), go(buf.size());
        for (size_t k = 0; k < outs.size(); ++k) gi[k] = outs[k] ? outs[k] : py::none();
        for (size_t k = 0; k < buf.size(); ++k) go[k] = buf[k] ? buf[k] : py::none();
        std::vector<Hook> hooks = node->post_hooks;
        for (auto& h : hooks) call(h.fn.ptr(), {gi, go});
      }
      if (!retain_graph) node->release();
    }
    buf.clear();

    for (size_t i = 0; i < node->next.size(); ++i) {
      const Edge& e = node->next[i];
      if (!e.fn) continue;
      auto it = g.find(e.fn.get());
      if (it == g.end()) continue;
      Task& child = it->second;
      if (i < outs.size() && outs[i] && !outs[i].is_none()) {
        py::object gv = create_graph
            ? call(bridge.conform_tensor, {outs[i], shape_tuple(node->meta[i].shape),
                                           node->meta[i].dtype_obj, node->name, py::int_(i)})
            : conform(*node, i, std::move(outs[i]));
        add_to(child, e.nr, std::move(gv), create_graph, e.fn->num_outputs);
      }
      if (--child.deps == 0) ready.push_back(e.fn);
    }
  }

  if (!capturing) return py::none();
  py::list out;
  for (auto& c : captured) out.append(c ? c : py::none());
  return std::move(out);
}

}  // namespace chaingrad
