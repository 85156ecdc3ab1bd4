#include "engine.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>
#include <cstring>
#include <string>
#include <vector>

#include "kernels.h"
#include "npy.h"
#include "tensor.h"

namespace chaingrad {

Bridge bridge;

namespace {

using tensor::Slot;

const char* kFreedMsg =
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward.";

py::object call(PyObject* fn, std::initializer_list<PyObject*> args) {
  PyObject* argv[8];
  if (args.size() > 8) throw std::logic_error("chaingrad._core: internal error: too many arguments");
  size_t n = 0;
  for (PyObject* a : args) {
    if (!a) throw std::logic_error("chaingrad._core: internal error: null argument in a callback");
    argv[n++] = a;
  }
  PyObject* r = PyObject_Vectorcall(fn, argv, n, nullptr);
  if (!r) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(r);
}

PyObject* accumulate_grad_name = nullptr;

py::object version_counter(PyObject* t) {
  py::object vc = tensor::get(t, tensor::VC);
  if (vc.is_none()) {
    PyObject* l = PyList_New(1);
    if (!l) throw py::error_already_set();
    PyList_SET_ITEM(l, 0, PyLong_FromLong(0));
    vc = py::reinterpret_steal<py::object>(l);
    tensor::set(t, tensor::VC, vc.ptr());
  }
  return vc;
}

int64_t read_version(PyObject* vc) {
  if (!PyList_Check(vc) || PyList_GET_SIZE(vc) < 1)
    throw py::type_error("chaingrad: a tensor's version counter (_vc) must be a one-element list");
  long long v = PyLong_AsLongLong(PyList_GET_ITEM(vc, 0));
  if (v == -1 && PyErr_Occurred()) throw py::error_already_set();
  return v;
}

// Why an input contributes an edge: its producer and the array whose shape/dtype we record.
struct InputRec {
  bool grad = false;
  NodeRef fn;
  uint32_t nr = 0;
  PyObject* data = nullptr;  // borrowed from the tensor (or from `keep`)
  py::object keep;
};

uint32_t output_nr_of(PyObject* nr) {
  unsigned long v = PyLong_AsUnsignedLong(nr);
  if (v == static_cast<unsigned long>(-1) && PyErr_Occurred()) throw py::error_already_set();
  return static_cast<uint32_t>(v);
}

void check_grad_fn(PyObject* f) {
  if (!is_node(f))
    throw std::runtime_error("chaingrad: this tensor's grad_fn was recorded by another engine (" +
                             std::string(Py_TYPE(f)->tp_name) +
                             "); build each graph entirely inside one engine");
}

void check_data(PyObject* d) {
  if (!npy::is_array(d))
    throw py::type_error("chaingrad: a tensor's _data must be a NumPy array, got " +
                         std::string(Py_TYPE(d)->tp_name));
}

void prepare_input(PyObject* t, InputRec& r) {
  if (tensor::st.fast && tensor::check(t)) {
    // Borrowed slot reads: the tensor keeps them alive for the duration of the record.
    PyObject* rg = tensor::raw(t, tensor::REQUIRES_GRAD);
    PyObject* f = tensor::raw(t, tensor::GRAD_FN);
    PyObject* d = tensor::raw(t, tensor::DATA);
    PyObject* nr = tensor::raw(t, tensor::OUTPUT_NR);
    if (rg && f && d && nr) {
      if (rg != Py_True) return;
      r.grad = true;
      if (f == Py_None) {
        r.fn = accumulator(t);
      } else {
        check_grad_fn(f);
        r.fn = NodeRef::borrow(node_of(f));
        r.nr = output_nr_of(nr);
      }
      check_data(d);
      r.data = d;
      return;
    }
  }
  py::object rg = tensor::get(t, tensor::REQUIRES_GRAD);
  if (rg.ptr() != Py_True) return;
  r.grad = true;
  py::object f = tensor::get(t, tensor::GRAD_FN);
  if (f.is_none()) {
    r.fn = accumulator(t);
  } else {
    check_grad_fn(f.ptr());
    r.fn = NodeRef::borrow(node_of(f.ptr()));
    r.nr = output_nr_of(tensor::get(t, tensor::OUTPUT_NR).ptr());
  }
  r.keep = tensor::get(t, tensor::DATA);
  check_data(r.keep.ptr());
  r.data = r.keep.ptr();
}

// Fill edge i (and its metadata) of `n`; `dims_at` walks the node's dims block.
void set_edge(Node* n, size_t i, InputRec& r, size_t& dims_at) {
  Edge& e = n->next()[i];
  e.fn = std::move(r.fn);
  e.nr = r.nr;
  PyObject* a = r.data;
  PyObject* d = npy::descr(a);
  if (npy::is_canonical(d)) {
    e.type_num = static_cast<int16_t>(npy::descr_type_num(d));
  } else {
    e.type_num = 0;
    e.custom_dtype = 1;
    n->ext().dtypes.emplace_back(static_cast<uint32_t>(i),
                                 py::reinterpret_borrow<py::object>(d));
  }
  const int nd = npy::ndim(a);
  e.ndim = static_cast<uint8_t>(nd);
  std::copy(npy::dims(a), npy::dims(a) + nd, n->dims_ptr() + dims_at);
  dims_at += static_cast<size_t>(nd);
}

void save_tensor(SavedVar& sv, PyObject* t, int output_nr) {
  if (tensor::st.fast && tensor::check(t)) {
    PyObject* d = tensor::raw(t, tensor::DATA);
    PyObject* vc = tensor::raw(t, tensor::VC);
    if (d && vc && vc != Py_None && PyList_CheckExact(vc) && PyList_GET_SIZE(vc) >= 1) {
      sv.data = py::reinterpret_borrow<py::object>(d);
      if (output_nr < 0) sv.tensor = py::reinterpret_borrow<py::object>(t);
      sv.vc = py::reinterpret_borrow<py::object>(vc);
      sv.version = read_version(vc);
      sv.output_nr = output_nr;
      return;
    }
  }
  sv.data = tensor::get(t, tensor::DATA);
  if (output_nr < 0) sv.tensor = py::reinterpret_borrow<py::object>(t);
  sv.vc = version_counter(t);
  sv.version = read_version(sv.vc.ptr());
  sv.output_nr = output_nr;
}

void mark_output(PyObject* out, Node* n, uint32_t nr) {
  py::object nro = py::int_(static_cast<size_t>(nr));
  tensor::set(out, tensor::GRAD_FN, object_of(n));
  tensor::set(out, tensor::OUTPUT_NR, nro.ptr());
  tensor::set(out, tensor::REQUIRES_GRAD, Py_True);
}

}  // namespace

void set_bridge(py::module_ self, py::object b) {
  self.attr("_bridge") = b;  // owns everything the borrowed pointers below point into
  auto get = [&](const char* n) { return b.attr(n).ptr(); };
  bridge.module = b.ptr();
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
  bridge.anomaly = get("anomaly");
  bridge.check_anomaly = get("check_anomaly");
  bridge.fp_report = get("fp_report");
  if (!PyList_Check(bridge.anomaly) || PyList_GET_SIZE(bridge.anomaly) != 1)
    throw py::type_error("set_bridge: _bridge.anomaly must be a one-element list");
  accumulate_grad_name = PyUnicode_InternFromString("AccumulateGrad");
  if (!accumulate_grad_name) throw py::error_already_set();
}

NodeRef accumulator(PyObject* t) {
  tensor::require();
  py::object acc = tensor::get(t, tensor::ACC);
  if (!acc.is_none()) {
    if (!is_node(acc.ptr()) || node_of(acc.ptr())->kind != ACCUMULATE)
      throw std::runtime_error(
          "chaingrad: this leaf's gradient accumulator belongs to another engine (" +
          std::string(Py_TYPE(acc.ptr())->tp_name) + "); build each graph inside one engine");
    return NodeRef::borrow(node_of(acc.ptr()));
  }
  InputRec r;
  r.keep = tensor::get(t, tensor::DATA);
  check_data(r.keep.ptr());
  r.data = r.keep.ptr();
  const int nd = npy::ndim(r.data);
  NodeRef node = NodeRef::steal(new_node(
      ACCUMULATE, py::reinterpret_borrow<py::object>(accumulate_grad_name), 1, 0, 0,
      static_cast<size_t>(nd), 1));
  size_t at = 0;
  set_edge(node.get(), 0, r, at);  // metadata only: an AccumulateGrad has no next functions
  track(node.get());
  tensor::set(t, tensor::ACC, object_of(node.get()));
  return node;
}

py::object record(int kind, py::object name, py::tuple inputs, py::tuple outputs, py::tuple save,
                  py::tuple scalars, py::object fn) {
  if (kind < 0 || kind > 255 || kind == ACCUMULATE)
    throw std::invalid_argument("record: invalid node kind " + std::to_string(kind));
  tensor::require();
  const size_t n_in = inputs.size();
  std::vector<InputRec> recs(n_in);
  size_t n_dims = 0;
  for (size_t i = 0; i < n_in; ++i) {
    PyObject* t = PyTuple_GET_ITEM(inputs.ptr(), static_cast<Py_ssize_t>(i));
    if (t == Py_None) continue;
    prepare_input(t, recs[i]);
    if (recs[i].grad) n_dims += static_cast<size_t>(npy::ndim(recs[i].data));
  }
  std::vector<double> sc;
  sc.reserve(scalars.size());
  for (py::handle s : scalars) {
    double v = PyFloat_AsDouble(s.ptr());
    if (v == -1.0 && PyErr_Occurred()) throw py::error_already_set();
    sc.push_back(v);
  }
  NodeRef node = NodeRef::steal(
      new_node(kind, std::move(name), n_in, save.size(), sc.size(), n_dims, outputs.size()));
  Node* n = node.get();
  size_t at = 0;
  for (size_t i = 0; i < n_in; ++i)
    if (recs[i].grad) set_edge(n, i, recs[i], at);
  std::copy(sc.begin(), sc.end(), n->scalars_ptr());
  size_t k = 0;
  for (py::handle item : save) {
    SavedVar& sv = n->saved()[k++];
    if (tensor::check(item.ptr())) {
      int out_nr = -1;
      for (size_t j = 0; j < outputs.size(); ++j)
        if (PyTuple_GET_ITEM(outputs.ptr(), static_cast<Py_ssize_t>(j)) == item.ptr())
          out_nr = static_cast<int>(j);
      save_tensor(sv, item.ptr(), out_nr);
    } else {
      sv.data = py::reinterpret_borrow<py::object>(item);
    }
  }
  if (!fn.is_none()) n->ext().fn = std::move(fn);
  track(n);
  for (size_t j = 0; j < outputs.size(); ++j) {
    PyObject* o = PyTuple_GET_ITEM(outputs.ptr(), static_cast<Py_ssize_t>(j));
    if (o != Py_None) mark_output(o, n, static_cast<uint32_t>(j));
  }
  return node.object();
}

void record_native(int kind, PyObject* name, PyObject* const* inputs, size_t n_in, PyObject* out,
                   const SaveItem* saves, size_t n_saved, const double* scalars,
                   size_t n_scalars) {
  InputRec recs[2];
  if (n_in > 2) throw std::invalid_argument("record_native: at most two inputs");
  size_t n_dims = 0;
  for (size_t i = 0; i < n_in; ++i) {
    prepare_input(inputs[i], recs[i]);
    if (recs[i].grad) n_dims += static_cast<size_t>(npy::ndim(recs[i].data));
  }
  NodeRef node = NodeRef::steal(new_node(kind, py::reinterpret_borrow<py::object>(name), n_in,
                                         n_saved, n_scalars, n_dims, 1));
  Node* n = node.get();
  size_t at = 0;
  for (size_t i = 0; i < n_in; ++i)
    if (recs[i].grad) set_edge(n, i, recs[i], at);
  std::copy(scalars, scalars + n_scalars, n->scalars_ptr());
  for (size_t k = 0; k < n_saved; ++k) {
    SavedVar& sv = n->saved()[k];
    switch (saves[k].how) {
      case SaveItem::INPUT: save_tensor(sv, saves[k].obj, -1); break;
      case SaveItem::OUTPUT: save_tensor(sv, saves[k].obj, 0); break;
      case SaveItem::RAW: sv.data = py::reinterpret_borrow<py::object>(saves[k].obj); break;
    }
  }
  track(n);
  if (tensor::st.fast && tensor::check(out)) {
    // `out` is the op's fresh output: _output_nr is already 0.
    tensor::set(out, tensor::GRAD_FN, object_of(n));
    tensor::set(out, tensor::REQUIRES_GRAD, Py_True);
  } else {
    mark_output(out, n, 0);
  }
}

// Anomaly mode: whether every gradient is a finite float32/float64 array (checked here, no
// Python call); false for a non-finite value or anything not checkable here, which then goes
// to _bridge.check_anomaly.
bool all_finite(const std::vector<py::object>& outs) {
  for (const py::object& o : outs) {
    if (!o) continue;
    PyObject* a = o.ptr();
    if (!npy::is_exact(a)) return false;
    const int t = npy::fast_float(a);
    if (!t) return false;
    const Py_ssize_t n = npy::size(a);
    if (t == npy::kFloat) {
      const float* p = reinterpret_cast<const float*>(npy::data(a));
      for (Py_ssize_t i = 0; i < n; ++i)
        if (!std::isfinite(p[i])) return false;
    } else {
      const double* p = reinterpret_cast<const double*>(npy::data(a));
      for (Py_ssize_t i = 0; i < n; ++i)
        if (!std::isfinite(p[i])) return false;
    }
  }
  return true;
}

// Floating-point flags the native kernels' raw loops raised (collected by npy::GilRelease, the
// scope every raw loop runs in; NumPy reports or deliberately ignores its own) go to
// _bridge.fp_report, which raises them through NumPy's np.errstate handling (warn, raise,
// ignore, call, print, log), as the reference kernels' NumPy calls would.
enum : int { FP_DIVIDE = 1, FP_OVER = 2, FP_UNDER = 4, FP_INVALID = 8 };

inline void fp_begin() { npy::fpflags::pending = 0; }

void fp_report() {
  const unsigned p = npy::fpflags::pending;
  if (!p) return;
  npy::fpflags::pending = 0;
  namespace ff = npy::fpflags;
  const int f = ((p & ff::kDivide) ? FP_DIVIDE : 0) | ((p & ff::kOver) ? FP_OVER : 0) |
                ((p & ff::kUnder) ? FP_UNDER : 0) | ((p & ff::kInvalid) ? FP_INVALID : 0);
  py::object flags = py::int_(f);
  call(bridge.fp_report, {flags.ptr()});
}

const char* const kBusyMsg =
    "backward() reached a node whose backward is running in another thread at this moment: "
    "the same graph was backpropagated from two threads at once. Run backward passes of one "
    "graph one after another (see docs/threads.md).";

// Marks a node as being run by this execute() (set and cleared with the GIL held).
class NodeBusy {
 public:
  explicit NodeBusy(Node& n) : n_(n) { n_.busy = 1; }
  ~NodeBusy() { n_.busy = 0; }
  NodeBusy(const NodeBusy&) = delete;
  NodeBusy& operator=(const NodeBusy&) = delete;

 private:
  Node& n_;
};

void check_saved(const Node& node) {
  if (node.released) throw std::runtime_error(kFreedMsg);
  for (size_t i = 0; i < node.saved().size(); ++i) {
    const SavedVar& s = node.saved()[i];
    if (!s.vc) continue;
    int64_t now = read_version(s.vc.ptr());
    if (now != s.version) {
      py::object msg = call(bridge.version_error,
                            {node.name.ptr(), py::int_(i).ptr(), py::int_(now).ptr(),
                             py::int_(s.version).ptr()});
      throw std::runtime_error(msg.cast<std::string>());
    }
  }
}

py::list saved_arrays(Node& node) {
  check_saved(node);
  py::list out;
  for (const SavedVar& s : node.saved()) out.append(s.data);
  return out;
}

py::tuple saved_tensors(Node& node) {
  check_saved(node);
  py::tuple out(node.saved().size());
  for (size_t i = 0; i < node.saved().size(); ++i) {
    const SavedVar& s = node.saved()[i];
    if (s.tensor) {
      out[i] = s.tensor;
    } else if (s.output_nr >= 0) {
      out[i] = call(bridge.rebuild_output,
                    {s.data.ptr(), object_of(&node), py::int_(s.output_nr).ptr(), s.vc.ptr()});
    } else {
      out[i] = s.data;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------- execute

namespace {

constexpr uint32_t kNone = 0xffffffffu;

struct Task {
  Node* node;         // borrowed: reachable from the roots, which execute() holds
  int32_t deps = 0;   // consumers that have not delivered their gradient yet
  uint32_t kids = 0;  // first entry in Run::kid (one per edge of the node)
  uint32_t buf = 0;   // first entry in Run::bufs (one per output of the node)
  bool alive = true;  // false: pruned (not on a path to a captured edge)
  bool capture = false;
};

struct Capture {
  uint32_t task;
  uint32_t nr;
  size_t slot;
};

struct Run {
  std::vector<Task> tasks;
  std::vector<uint32_t> kid;  // per edge: the child's task, or kNone
  std::vector<py::object> bufs;
  std::vector<Capture> captures;
  size_t n_bufs = 0;

  // Node -> task number through the node's scratch field, trusted only when the task it names
  // is this node (so stale values from earlier runs are harmless). Lookups happen only before
  // any Python code runs in this execute(), so a nested execute() cannot interfere.
  uint32_t find(Node* n) const {
    const uint32_t s = n->scratch;
    return s < tasks.size() && tasks[s].node == n ? s : kNone;
  }
  std::pair<uint32_t, bool> insert(Node* n) {
    const uint32_t s = find(n);
    if (s != kNone) return {s, false};
    n->scratch = static_cast<uint32_t>(tasks.size());
    Task t;
    t.node = n;
    t.buf = static_cast<uint32_t>(n_bufs);  // here, while the node is in cache: no extra pass
    n_bufs += n->num_outputs;
    tasks.push_back(t);
    return {n->scratch, true};
  }
};

// Runs are recycled so their arrays keep their capacity between backward calls (growing them
// from scratch costs ~40 instructions per node). A pool, not a single object: execute() can
// nest (hooks, Function backwards) and interleave across threads at Python calls; the pool
// itself is only touched with the GIL held.
std::vector<std::unique_ptr<Run>> run_pool;

// Serializes writes into leaves' .grad (and retain_grad cells) across threads: the in-place add
// of a large gradient runs without the GIL (in C++ or in NumPy), so two backward passes that
// reach the same leaf at once would otherwise lose one's update. Recursive: a hook inside an
// accumulation may run a nested backward on the same thread. Waiting for it never holds the
// GIL, so a holder that needs the GIL back can always get it.
std::recursive_mutex grad_write_mutex;

class GradWriteLock {
 public:
  GradWriteLock() {
    if (!grad_write_mutex.try_lock()) {
      PyThreadState* st = PyEval_SaveThread();
      grad_write_mutex.lock();
      PyEval_RestoreThread(st);
    }
  }
  ~GradWriteLock() { grad_write_mutex.unlock(); }
  GradWriteLock(const GradWriteLock&) = delete;
  GradWriteLock& operator=(const GradWriteLock&) = delete;
};

class RunLease {
 public:
  RunLease() {
    if (run_pool.empty()) {
      run_ = std::make_unique<Run>();
    } else {
      run_ = std::move(run_pool.back());
      run_pool.pop_back();
    }
  }
  ~RunLease() {
    run_->captures.clear();
    run_->bufs.clear();  // decrefs anything left (after an exception); we hold the GIL
    run_->kid.clear();
    run_->tasks.clear();
    run_->n_bufs = 0;
    // Keep at most two, of at most ~4 MB each: never pin the memory of a huge graph.
    constexpr size_t kKeep = size_t(1) << 17;
    if (run_pool.size() < 2 && run_->tasks.capacity() <= kKeep && run_->kid.capacity() <= 2 * kKeep &&
        run_->bufs.capacity() <= 2 * kKeep)
      run_pool.push_back(std::move(run_));
  }
  RunLease(const RunLease&) = delete;
  RunLease& operator=(const RunLease&) = delete;
  Run& operator*() { return *run_; }

 private:
  std::unique_ptr<Run> run_;
};

void discover(Run& run, const std::vector<NodeRef>& roots) {
  std::vector<uint32_t> stack;
  for (const auto& r : roots) {
    auto [t, fresh] = run.insert(r.get());
    if (fresh) stack.push_back(t);
  }
  while (!stack.empty()) {
    uint32_t t = stack.back();
    stack.pop_back();
    Node* n = run.tasks[t].node;
    run.tasks[t].kids = static_cast<uint32_t>(run.kid.size());
    for (const Edge& e : n->next()) {
      if (!e.fn) {
        run.kid.push_back(kNone);
        continue;
      }
      auto [c, fresh] = run.insert(e.fn.get());
      run.kid.push_back(c);
      run.tasks[c].deps += 1;
      if (fresh) stack.push_back(c);
    }
  }
  if (run.n_bufs >= kNone) throw std::runtime_error("execute: graph too large");
  run.bufs.resize(run.n_bufs);
}

// Keep only nodes on a path to a capture target, with dependencies counted among them.
void prune(Run& run, const std::vector<uint32_t>& roots) {
  const size_t n = run.tasks.size();
  std::vector<int32_t> left(n);
  for (size_t t = 0; t < n; ++t) left[t] = run.tasks[t].deps;
  std::vector<uint32_t> order, ready;
  std::vector<char> seen(n, 0);
  for (uint32_t r : roots)
    if (left[r] == 0 && !seen[r]) {
      seen[r] = 1;
      ready.push_back(r);
    }
  while (!ready.empty()) {
    uint32_t t = ready.back();
    ready.pop_back();
    order.push_back(t);
    const Task& task = run.tasks[t];
    for (uint32_t i = 0; i < task.node->n_in; ++i) {
      uint32_t c = run.kid[task.kids + i];
      if (c != kNone && --left[c] == 0) ready.push_back(c);
    }
  }
  std::vector<char> needed(n, 0);
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const Task& task = run.tasks[*it];
    bool need = task.capture;
    for (uint32_t i = 0; i < task.node->n_in && !need; ++i) {
      uint32_t c = run.kid[task.kids + i];
      if (c != kNone && needed[c]) need = true;
    }
    needed[*it] = need ? 1 : 0;
  }
  for (size_t t = 0; t < n; ++t) {
    run.tasks[t].alive = needed[t] != 0;
    run.tasks[t].deps = 0;
  }
  for (size_t t = 0; t < n; ++t) {
    if (!needed[t]) continue;
    const Task& task = run.tasks[t];
    for (uint32_t i = 0; i < task.node->n_in; ++i) {
      uint32_t c = run.kid[task.kids + i];
      if (c != kNone && needed[c]) run.tasks[c].deps += 1;
    }
  }
}

void add_to(py::object& slot, py::object g, bool create_graph) {
  if (create_graph) {
    slot = slot ? call(bridge.tensor_add, {slot.ptr(), g.ptr()}) : std::move(g);
  } else {
    accumulate_into(slot, std::move(g));
  }
}

NodeRef node_arg(py::handle o, const char* what) {
  if (!is_node(o.ptr()))
    throw py::type_error(std::string("execute: ") + what +
                         " must be nodes of the C++ engine, got " + Py_TYPE(o.ptr())->tp_name);
  return NodeRef::borrow(node_of(o.ptr()));
}

std::pair<NodeRef, uint32_t> edge_arg(py::handle pair, const char* what) {
  if (!PyTuple_Check(pair.ptr()) || PyTuple_GET_SIZE(pair.ptr()) != 2)
    throw py::type_error(std::string("execute: ") + what + " must be (node, output_nr) pairs");
  NodeRef n = node_arg(PyTuple_GET_ITEM(pair.ptr(), 0), what);
  unsigned long nr = PyLong_AsUnsignedLong(PyTuple_GET_ITEM(pair.ptr(), 1));
  if (nr == static_cast<unsigned long>(-1) && PyErr_Occurred()) throw py::error_already_set();
  if (nr >= n->num_outputs) throw py::index_error("execute: output number out of range");
  return {std::move(n), static_cast<uint32_t>(nr)};
}

py::tuple as_tuple(const py::object* v, size_t n) {
  py::tuple t(n);
  for (size_t k = 0; k < n; ++k) t[k] = v[k] ? v[k] : py::none();
  return t;
}

}  // namespace

py::object execute(py::list roots_in, py::list grads_in, bool retain_graph, bool create_graph,
                   py::object capture_in) {
  if (roots_in.size() != grads_in.size())
    throw std::invalid_argument("execute: roots and grads differ in length");
  tensor::require();
  std::vector<NodeRef> roots;
  std::vector<uint32_t> root_nr;
  for (py::handle r : roots_in) {
    auto e = edge_arg(r, "roots");
    roots.push_back(std::move(e.first));
    root_nr.push_back(e.second);
  }
  const bool capturing = !capture_in.is_none();
  std::vector<py::object> captured;
  std::vector<std::pair<NodeRef, uint32_t>> targets;  // keeps the targets alive
  if (capturing) {
    py::list cap = capture_in.cast<py::list>();
    captured.resize(cap.size());
    for (size_t k = 0; k < cap.size(); ++k) targets.push_back(edge_arg(cap[k], "capture targets"));
  }
  if (roots.size() >= kNone / 2) throw std::invalid_argument("execute: too many roots");
  RunLease lease;
  Run& run = *lease;
  discover(run, roots);
  std::vector<uint32_t> root_task;
  for (const auto& r : roots) root_task.push_back(run.find(r.get()));
  if (capturing) {
    for (size_t k = 0; k < targets.size(); ++k) {
      uint32_t t = run.find(targets[k].first.get());
      if (t != kNone) {
        run.tasks[t].capture = true;
        run.captures.push_back(Capture{t, targets[k].second, k});
      }
    }
    prune(run, root_task);
  }

  for (size_t k = 0; k < roots.size(); ++k) {
    const Task& t = run.tasks[root_task[k]];
    if (!t.alive) continue;
    add_to(run.bufs[t.buf + root_nr[k]], py::reinterpret_borrow<py::object>(grads_in[k]),
           create_graph);
  }
  std::vector<uint32_t> ready;
  for (uint32_t t : root_task) {
    const Task& task = run.tasks[t];
    if (task.alive && task.deps == 0 && std::find(ready.begin(), ready.end(), t) == ready.end())
      ready.push_back(t);
  }

  // Anomaly mode is read once per backward call; when off, nodes pay nothing for it.
  const bool anomaly = PyList_GET_ITEM(bridge.anomaly, 0) == Py_True;
  std::vector<py::object> outs;
  while (!ready.empty()) {
    const uint32_t ti = ready.back();
    ready.pop_back();
    Node* node = run.tasks[ti].node;
    py::object* buf = run.bufs.data() + run.tasks[ti].buf;
    const size_t n_out = node->num_outputs;

    if (node->extras) {
      if (!node->extras->pre_hooks.empty()) {
        std::vector<Hook> hooks = node->extras->pre_hooks;  // a hook may remove itself
        for (auto& h : hooks)
          if (h.nr < n_out && buf[h.nr])
            buf[h.nr] = call(bridge.call_tensor_hook,
                             {h.fn.ptr(), buf[h.nr].ptr(), create_graph ? Py_True : Py_False});
      }
      auto retains = node->extras->retains;
      for (auto& r : retains)
        if (r.first < n_out && buf[r.first]) {
          GradWriteLock lock;
          call(bridge.store_retained,
               {r.second.ptr(), buf[r.first].ptr(), create_graph ? Py_True : Py_False});
        }
    }
    if (run.tasks[ti].capture)
      for (const Capture& c : run.captures)
        if (c.task == ti && buf[c.nr]) captured[c.slot] = buf[c.nr];

    if (node->kind == ACCUMULATE) {
      if (!capturing && buf[0]) {
        {
          GradWriteLock lock;
          fp_begin();
          accumulate_leaf(*node, std::move(buf[0]), create_graph);
          fp_report();
        }
        // Post hooks of a leaf's accumulator run once its .grad holds the new sum
        // (Tensor.register_post_accumulate_grad_hook), outside the .grad write lock.
        if (node->extras && !node->extras->post_hooks.empty()) {
          std::vector<Hook> hooks = node->extras->post_hooks;  // a hook may remove itself
          py::tuple none;
          for (auto& h : hooks) call(h.fn.ptr(), {none.ptr(), none.ptr()});
        }
      }
      buf[0] = py::object();
      continue;
    }

    bool any = false;
    for (size_t k = 0; k < n_out; ++k)
      if (buf[k]) any = true;
    outs.clear();
    if (any) {
      // Another thread inside this node's backward (its kernel may run without the GIL, then
      // free the saved values) would have them vanish under this one: refuse instead.
      if (node->busy) throw std::runtime_error(kBusyMsg);
      NodeBusy busy(*node);
      const bool post = node->extras && !node->extras->post_hooks.empty();
      if (node->kind == PY) {
        py::tuple bt = as_tuple(buf, n_out);
        py::object r = call(bridge.function_backward,
                            {object_of(node), bt.ptr(), create_graph ? Py_True : Py_False});
        for (py::handle h : r)
          outs.push_back(h.is_none() ? py::object() : py::reinterpret_borrow<py::object>(h));
      } else if (create_graph) {
        py::object r = call(bridge.native_graph_backward, {object_of(node), buf[0].ptr()});
        for (py::handle h : r)
          outs.push_back(h.is_none() ? py::object() : py::reinterpret_borrow<py::object>(h));
      } else {
        check_saved(*node);
        // The gradient is handed over (and may be reused in place) unless a hook wants it.
        py::object g = post ? buf[0] : std::move(buf[0]);
        // Where each input's gradient will be added (kernels may add into it directly).
        py::object* dest[2] = {nullptr, nullptr};
        if (node->kind == MUL && !post && !anomaly && node->n_in == 2) {
          for (uint32_t i = 0; i < 2; ++i) {
            const uint32_t c = run.kid[run.tasks[ti].kids + i];
            if (c == kNone || !run.tasks[c].alive) continue;
            py::object& slot = run.bufs[run.tasks[c].buf + node->next()[i].nr];
            if (slot) dest[i] = &slot;
          }
        }
        fp_begin();
        native_backward(*node, std::move(g), outs, dest);
        fp_report();
      }
      if (anomaly && !all_finite(outs)) {
        py::tuple gi = as_tuple(outs.data(), outs.size());
        call(bridge.check_anomaly, {object_of(node), gi.ptr()});
      }
      if (post) {
        py::tuple gi = as_tuple(outs.data(), outs.size());
        py::tuple go = as_tuple(buf, n_out);
        std::vector<Hook> hooks = node->extras->post_hooks;
        for (auto& h : hooks) call(h.fn.ptr(), {gi.ptr(), go.ptr()});
      }
      if (!retain_graph) node->release();
    }
    for (size_t k = 0; k < n_out; ++k) buf[k] = py::object();

    const uint32_t kids = run.tasks[ti].kids;
    for (uint32_t i = 0; i < node->n_in; ++i) {
      const uint32_t c = run.kid[kids + i];
      if (c == kNone) continue;
      Task& child = run.tasks[c];
      if (!child.alive) continue;
      if (i < outs.size() && outs[i]) {
        const Edge& e = node->next()[i];
        py::object& slot = run.bufs[child.buf + e.nr];
        if (create_graph) {
          std::vector<Py_ssize_t> shape = node->in_shape(i);
          py::tuple st(shape.size());
          for (size_t k = 0; k < shape.size(); ++k) st[k] = py::int_(shape[k]);
          py::object dt = node->in_dtype(i);
          py::object gv =
              call(bridge.conform_tensor, {outs[i].ptr(), st.ptr(), dt.ptr(), node->name.ptr(),
                                           py::int_(static_cast<size_t>(i)).ptr()});
          add_to(slot, std::move(gv), true);
        } else {
          if (!conforms(*node, i, outs[i].ptr())) outs[i] = conform(*node, i, std::move(outs[i]));
          if (!slot)
            slot = std::move(outs[i]);
          else
            accumulate_into(slot, std::move(outs[i]));
        }
      }
      if (--child.deps == 0) ready.push_back(c);
    }
  }

  if (!capturing) return py::none();
  py::list out;
  for (auto& c : captured) out.append(c ? c : py::none());
  return std::move(out);
}

}  // namespace chaingrad
