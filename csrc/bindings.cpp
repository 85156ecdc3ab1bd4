// pybind11 bindings of chaingrad._core. Only glue here: the graph, engine, kernels and forward
// fast paths live in plain C++ files that rebuild quickly.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdio>
#include <string>

#include "engine.h"
#include "forward.h"
#include "forward_nn.h"
#include "optim.h"
#include "special.h"
#include "grad_mode.h"
#include "graph.h"
#include "kernels.h"
#include "npy.h"
#include "tensor.h"

namespace py = pybind11;
using namespace chaingrad;

namespace {

// Removes one hook from a node, if the node still exists.
struct HookHandle {
  py::object node_ref;  // a weak reference to the node
  uint64_t id;
  bool post;
  void remove() {
    PyObject* o = PyWeakref_GetObject(node_ref.ptr());
    if (!is_node(o)) return;
    Node* n = node_of(o);
    if (!n->extras) return;
    auto& v = post ? n->extras->post_hooks : n->extras->pre_hooks;
    for (auto it = v.begin(); it != v.end(); ++it)
      if (it->id == id) {
        v.erase(it);
        return;
      }
  }
};

Node& self_node(py::handle self) {
  if (!is_node(self.ptr())) throw py::type_error("expected a chaingrad._core.Node");
  return *node_of(self.ptr());
}

py::object edge_pair(const Edge& e) {
  return py::make_tuple(e.fn.object(), static_cast<size_t>(e.nr));
}

py::tuple next_functions(py::handle self) {
  Node& n = self_node(self);
  if (n.kind == ACCUMULATE) return py::tuple();
  py::tuple t(n.n_in);
  for (size_t i = 0; i < n.n_in; ++i) t[i] = edge_pair(n.next()[i]);
  return t;
}

// The reference engine's spelling: None for an input without an edge.
py::tuple next_edges(py::handle self) {
  Node& n = self_node(self);
  if (n.kind == ACCUMULATE) return py::tuple();
  py::tuple t(n.n_in);
  for (size_t i = 0; i < n.n_in; ++i) {
    const Edge& e = n.next()[i];
    t[i] = e.fn ? edge_pair(e) : py::none();
  }
  return t;
}

py::tuple meta(py::handle self) {
  Node& n = self_node(self);
  py::tuple t(n.n_in);
  for (size_t i = 0; i < n.n_in; ++i) {
    const Edge& e = n.next()[i];
    if (!e.defined()) {
      t[i] = py::none();
      continue;
    }
    const Py_ssize_t* d = n.in_dims(i);
    py::tuple shape(e.ndim);
    for (size_t k = 0; k < e.ndim; ++k) shape[k] = py::int_(d[k]);
    t[i] = py::make_tuple(shape, n.in_dtype(i));
  }
  return t;
}

template <typename F>
void def_method(py::object& cls, const char* name, F&& f) {
  cls.attr(name) = py::cpp_function(std::forward<F>(f), py::name(name), py::is_method(cls));
}

template <typename G>
void def_property(py::object& cls, const char* name, G&& getter, py::object setter = py::none()) {
  py::object property = py::module_::import("builtins").attr("property");
  cls.attr(name) = property(py::cpp_function(std::forward<G>(getter), py::is_method(cls)), setter);
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "chaingrad's C++ graph engine";
  m.attr("name") = "cpp";
  // Which compiler built the core: one of the things that move benchmark figures.
#if defined(__clang__)
  m.attr("compiler") = "clang " __clang_version__;
#elif defined(__GNUC__)
  m.attr("compiler") = "gcc " __VERSION__;
#elif defined(_MSC_VER)
  m.attr("compiler") = "msvc " + std::to_string(_MSC_VER);
#else
  m.attr("compiler") = "unknown";
#endif
  py::module_ numpy = py::module_::import("numpy");
  m.attr("_numpy") = numpy;
  init_kernels(numpy);
  npy::init_loops(numpy);

  {
    PyObject* gm = gradmode::cell();
    if (!gm) throw py::error_already_set();
    m.attr("grad_mode") = py::reinterpret_steal<py::object>(gm);
  }
  py::class_<HookHandle>(m, "HookHandle").def("remove", &HookHandle::remove);

  py::object node = init_node_type(m);
  def_method(node, "name", [](py::handle self) { return self_node(self).name; });
  def_property(node, "kind", [](py::handle self) { return static_cast<int>(self_node(self).kind); });
  def_property(node, "next_functions", &next_functions);
  def_property(node, "next_edges", &next_edges);
  def_property(node, "meta", &meta);
  def_property(node, "scalars", [](py::handle self) {
    Node& n = self_node(self);
    py::tuple t(n.n_scalars);
    for (size_t i = 0; i < n.n_scalars; ++i) t[i] = py::float_(n.scalars()[i]);
    return t;
  });
  def_property(node, "num_outputs", [](py::handle self) { return self_node(self).num_outputs; });
  def_property(node, "fn", [](py::handle self) { return self_node(self).fn(); });
  def_property(node, "ctx", [](py::handle self) { return self_node(self).fn(); });
  def_property(node, "released", [](py::handle self) { return self_node(self).released; });
  def_property(node, "saved_tensors", [](py::handle self) { return saved_tensors(self_node(self)); });
  def_method(node, "saved_arrays", [](py::handle self) { return saved_arrays(self_node(self)); });
  def_property(
      node, "grad",
      [](py::handle self) {
        Node& n = self_node(self);
        return n.extras && n.extras->grad ? n.extras->grad : py::none();
      },
      py::cpp_function(
          [](py::handle self, py::object g) {
            Node& n = self_node(self);
            if (n.kind != ACCUMULATE)
              throw py::attribute_error("only AccumulateGrad nodes hold .grad");
            if (g.is_none()) {
              if (n.extras) n.extras->grad = py::object();
            } else {
              n.ext().grad = std::move(g);
            }
          },
          py::is_method(node)));
  def_method(node, "add_pre_hook", [](py::handle self, uint32_t nr, py::object fn) {
    Node& n = self_node(self);
    if (nr >= n.num_outputs) throw py::index_error("hook output number out of range");
    uint64_t id = next_hook_id();
    n.ext().pre_hooks.push_back(Hook{id, nr, std::move(fn)});
    return HookHandle{py::reinterpret_steal<py::object>(PyWeakref_NewRef(self.ptr(), nullptr)),
                      id, false};
  });
  def_method(node, "register_hook", [](py::handle self, py::object fn) {
    Node& n = self_node(self);
    uint64_t id = next_hook_id();
    n.ext().post_hooks.push_back(Hook{id, 0, std::move(fn)});
    return HookHandle{py::reinterpret_steal<py::object>(PyWeakref_NewRef(self.ptr(), nullptr)),
                      id, true};
  });
  def_method(node, "add_retain", [](py::handle self, uint32_t nr, py::object cell) {
    Node& n = self_node(self);
    if (nr >= n.num_outputs) throw py::index_error("retain output number out of range");
    n.ext().retains.emplace_back(nr, std::move(cell));
  });
  def_method(node, "__repr__", [](py::handle self) {
    Node& n = self_node(self);
    char addr[32];
    std::snprintf(addr, sizeof addr, "%p", static_cast<void*>(self.ptr()));
    return "<" + std::string(py::str(n.name)) + " object at " + addr + ">";
  });

  m.def("set_bridge", [m](py::object b) { set_bridge(m, std::move(b)); });
  m.def("accumulator", [](py::handle t) { return accumulator(t.ptr()).object(); });
  m.def("record", &record, py::arg("kind"), py::arg("name"), py::arg("inputs"), py::arg("outputs"),
        py::arg("save"), py::arg("scalars"), py::arg("fn"));
  m.def("execute", &execute, py::arg("roots"), py::arg("grads"), py::arg("retain_graph"),
        py::arg("create_graph"), py::arg("capture"));
  m.def("install_fast_ops",
        [m](py::object cls, py::dict fb, py::object gm, py::list cur) {
          return install_fast_ops(m, std::move(cls), std::move(fb), std::move(gm), std::move(cur));
        },
        py::arg("tensor_cls"), py::arg("fallbacks"),
        py::arg("grad_mode"), py::arg("current_engine"),
        "Install the native forward fast paths as Tensor methods (see ops/_fast.py); "
        "returns the names installed.");
  m.def("make_fast_function", &make_fast_function, py::arg("name"), py::arg("kind"),
        py::arg("fallback"), py::arg("module"),
        "A builtin module-level function using the forward fast path (see ops/_fast.py).");
  m.def("sgd_step",
        [](py::list params, py::dict state, py::str key, double lr, double momentum,
           double dampening, double weight_decay, bool nesterov, bool maximize) {
          SgdOptions o{lr, momentum, dampening, weight_decay, nesterov, maximize};
          return sgd_step(std::move(params), std::move(state), std::move(key), o);
        },
        "One SGD step over a parameter group (see optim/sgd.py); False when it does not apply.");
  m.def("adam_step",
        [](py::list params, py::dict state, double lr, double beta1, double beta2, double eps,
           double weight_decay, bool amsgrad, bool maximize, bool decoupled) {
          AdamOptions o{lr, beta1, beta2, eps, weight_decay, amsgrad, maximize, decoupled};
          return adam_step(std::move(params), std::move(state), o);
        },
        "One Adam/AdamW step over a parameter group (see optim/adam.py); False when it does "
        "not apply.");
  m.def("cross_entropy_forward", &cross_entropy_forward, py::arg("input"), py::arg("target"),
        py::arg("ignore_index"), py::arg("reduction"),
        "F.cross_entropy's common case as (loss, logp) arrays, NumPy's bits; None when it does "
        "not apply (see csrc/forward_nn.h).");
  m.def("max_pool2d_forward", &max_pool2d_forward, py::arg("input"), py::arg("kernel"),
        py::arg("stride"), py::arg("padding"), py::arg("dilation"), py::arg("out_hw"),
        "F.max_pool2d's (values, indices) as the NumPy code computes them; None when it does "
        "not apply (see csrc/forward_nn.h).");
  m.def("max_pool2d_scatter", &max_pool2d_scatter, py::arg("grad"), py::arg("index"),
        py::arg("in_shape"),
        "Max pooling's backward scatter-add, as np.bincount does it; None when it does not "
        "apply (see csrc/forward_nn.h).");
  m.def("erf_array", &erf_array, py::arg("a"), py::arg("complement") = false,
        "erf (or erfc) of a float64 array, elementwise through the C library (as math.erf).");
  m.def("fast_ops_stats", &fast_ops_stats, "Counters of native vs fallback forward calls.");
}
