// pybind11 bindings of chaingrad._core. Only glue here: the graph, engine and kernels live in
// plain C++ files that rebuild quickly.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdio>

#include "engine.h"
#include "graph.h"
#include "kernels.h"

namespace py = pybind11;
using namespace chaingrad;

namespace {

// Removes one hook from a node, if the node still exists.
struct HookHandle {
  std::weak_ptr<Node> node;
  uint64_t id;
  bool post;
  void remove() {
    auto n = node.lock();
    if (!n) return;
    auto& v = post ? n->post_hooks : n->pre_hooks;
    for (auto it = v.begin(); it != v.end(); ++it)
      if (it->id == id) {
        v.erase(it);
        return;
      }
  }
};

py::tuple next_functions(const NodePtr& n) {
  py::tuple t(n->next.size());
  for (size_t i = 0; i < n->next.size(); ++i) {
    const Edge& e = n->next[i];
    t[i] = py::make_tuple(e.fn ? py::cast(e.fn) : py::none(), e.nr);
  }
  return t;
}

py::tuple meta(const NodePtr& n) {
  py::tuple t(n->meta.size());
  for (size_t i = 0; i < n->meta.size(); ++i) {
    const InputMeta& m = n->meta[i];
    if (!m.defined) {
      t[i] = py::none();
      continue;
    }
    py::tuple shape(m.shape.size());
    for (size_t k = 0; k < m.shape.size(); ++k) shape[k] = py::int_(m.shape[k]);
    t[i] = py::make_tuple(shape, m.dtype_obj);
  }
  return t;
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "chaingrad's C++ graph engine";
  m.attr("name") = "cpp";
  init_kernels(py::module_::import("numpy"));
  m.attr("_numpy") = py::module_::import("numpy");

  py::class_<HookHandle>(m, "HookHandle").def("remove", &HookHandle::remove);

  py::class_<Node, NodePtr>(m, "Node")
      .def("name", [](const Node& n) { return n.name; })
      .def_property_readonly("kind", [](const Node& n) { return n.kind; })
      .def_property_readonly("next_functions", &next_functions)
      .def_property_readonly("meta", &meta)
      .def_property_readonly("scalars", [](const Node& n) { return py::cast(n.scalars).cast<py::tuple>(); })
      .def_property_readonly("num_outputs", [](const Node& n) { return n.num_outputs; })
      .def_property_readonly("fn", [](const Node& n) { return n.fn ? n.fn : py::none(); })
      .def_property_readonly("ctx", [](const Node& n) { return n.fn ? n.fn : py::none(); })
      .def_property_readonly("released", [](const Node& n) { return n.released; })
      .def_property_readonly("saved_tensors", &saved_tensors)
      .def("saved_arrays", [](const Node& n) { return saved_arrays(n); })
      .def_property(
          "grad", [](const Node& n) { return n.grad ? n.grad : py::none(); },
          [](Node& n, py::object g) {
            if (n.kind != ACCUMULATE) throw py::attribute_error("only AccumulateGrad nodes hold .grad");
            n.grad = std::move(g);
          })
      .def("add_pre_hook",
           [](const NodePtr& n, uint32_t nr, py::object fn) {
             if (nr >= n->num_outputs) throw py::index_error("hook output number out of range");
             uint64_t id = next_hook_id();
             n->pre_hooks.push_back(Hook{id, nr, std::move(fn)});
             return HookHandle{n, id, false};
           })
      .def("register_hook",
           [](const NodePtr& n, py::object fn) {
             uint64_t id = next_hook_id();
             n->post_hooks.push_back(Hook{id, 0, std::move(fn)});
             return HookHandle{n, id, true};
           })
      .def("add_retain",
           [](Node& n, uint32_t nr, py::object cell) { n.retains.emplace_back(nr, std::move(cell)); })
      .def("__repr__", [](const py::object& self) {
        const Node& n = self.cast<const Node&>();
        char addr[32];
        std::snprintf(addr, sizeof addr, "%p", static_cast<void*>(self.ptr()));
        return "<" + n.name.cast<std::string>() + " object at " + addr + ">";
      });

  m.def("set_bridge", [m](py::object b) { set_bridge(m, std::move(b)); });
  m.def("accumulator", [](py::handle t) { return accumulator(t); });
  m.def("record", &record, py::arg("kind"), py::arg("name"), py::arg("inputs"), py::arg("outputs"),
        py::arg("save"), py::arg("scalars"), py::arg("fn"));
  m.def("execute", &execute, py::arg("roots"), py::arg("grads"), py::arg("retain_graph"),
        py::arg("create_graph"), py::arg("capture"));
}
