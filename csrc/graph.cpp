#include "graph.h"

#include <utility>

namespace chaingrad {

namespace {

struct Graveyard {
  std::vector<NodePtr> nodes;
  std::vector<py::object> objects;
  bool draining = false;
};

// Thread-local, and only touched with the GIL held (every Node holds Python objects).
thread_local Graveyard grave;

void bury(py::object& o) {
  if (o) grave.objects.push_back(std::move(o));
}

}  // namespace

Node::~Node() {
  for (auto& e : next)
    if (e.fn) grave.nodes.push_back(std::move(e.fn));
  for (auto& s : saved) {
    bury(s.data);
    bury(s.tensor);
    bury(s.vc);
  }
  bury(fn);
  bury(grad);
  bury(name);
  for (auto& h : pre_hooks) bury(h.fn);
  for (auto& h : post_hooks) bury(h.fn);
  for (auto& r : retains) bury(r.second);
  for (auto& m : meta) bury(m.dtype_obj);
  if (grave.draining) return;
  grave.draining = true;
  while (!grave.nodes.empty() || !grave.objects.empty()) {
    if (!grave.objects.empty()) {
      py::object o = std::move(grave.objects.back());
      grave.objects.pop_back();
    } else {
      NodePtr n = std::move(grave.nodes.back());
      grave.nodes.pop_back();
    }
  }
  grave.draining = false;
}

void Node::release() {
  if (saved.empty()) return;
  std::vector<SavedVar> dead;
  dead.swap(saved);
  released = true;
}

uint64_t next_hook_id() {
  static uint64_t id = 0;
  return ++id;
}

}  // namespace chaingrad
