"""What chaingrad says about the torch names it does not have.

``_torch_names.json`` (written by ``tools/snapshot_torch_names.py``) lists the public names of
torch's namespaces. A name chaingrad lacks raises, when touched, a ``NotCoveredError`` (a
``NotImplementedError``) whose message names the torch feature, why it is missing and what to use
instead: modules get a PEP 562 ``__getattr__`` (``module_getattr``), ``Tensor`` gets one
raising descriptor per missing name (``install_tensor_placeholders``; a ``Tensor.__getattr__``
would slow every attribute access on tensors, see the note there). Names that torch does not
have raise a plain ``AttributeError``, as in torch.

Each missing name has a *status*: ``"not implemented"`` (it makes sense for dense CPU float
tensors; chaingrad just does not have it yet) or ``"out of scope"`` (devices, sparse, quantized,
complex, compilation, distributed, ...). ``explain`` gives (status, reason, instead) from, in
order: the exact entries in ``_EXACT``, the patterns in ``_RULES``, an automatic hint when
chaingrad has the same thing under another namespace (``torch.softmax`` ->
``chaingrad.nn.functional.softmax``, ``Tensor.floor_`` -> ``t.floor()``), and a per-namespace
default. ``tools/gen_coverage.py`` renders the same data as ``docs/coverage.md``.
"""

from __future__ import annotations

import importlib
import json
import pathlib
import re
import sys
from typing import Any, Callable

NOT_IMPLEMENTED = "not implemented"
OUT_OF_SCOPE = "out of scope"

_NAMES_FILE = pathlib.Path(__file__).with_name("_torch_names.json")


class NotCoveredError(NotImplementedError):
    """A torch feature chaingrad does not provide; the message says what to use instead."""


class NotCoveredAttributeError(NotCoveredError, AttributeError):
    """What attribute access raises: also an ``AttributeError``, so ``hasattr(chaingrad,
    "cuda")`` is False and ``getattr(chaingrad, name, default)`` returns the default, as probing
    library code expects."""


# ----------------------------------------------------------------------------- the snapshot
_snapshot: dict[str, Any] | None = None


def snapshot() -> dict[str, Any]:
    """The parsed ``_torch_names.json``: {"torch_version", "namespaces": {ns: {kind: [names]}}}."""
    global _snapshot
    if _snapshot is None:
        _snapshot = json.loads(_NAMES_FILE.read_text())
    return _snapshot


def torch_version() -> str:
    return snapshot()["torch_version"]


def namespaces() -> list[str]:
    return list(snapshot()["namespaces"])


def names(namespace: str) -> dict[str, str]:
    """{name: kind} of one torch namespace, sorted by name."""
    by_kind = snapshot()["namespaces"][namespace]
    out = {n: kind for kind, ns in by_kind.items() for n in ns}
    return dict(sorted(out.items()))


def kind_of(qualname: str) -> str | None:
    """The kind of ``torch.<...>.name`` in the snapshot, or None when torch has no such name."""
    namespace, _, name = qualname.rpartition(".")
    spaces = snapshot()["namespaces"]
    if namespace not in spaces:
        return None
    for kind, ns in spaces[namespace].items():
        if name in ns:
            return kind
    return None


# ----------------------------------------------------------------------------- the reasons
_CPU = ("chaingrad is CPU-only: tensors are NumPy arrays in host memory",
        "drop the device code; every tensor is already on the CPU (chaingrad.cuda.is_available() "
        "is False, t.cpu() and t.to('cpu') return t)")
_SPARSE = ("sparse tensors and layouts are out of scope (dense NumPy arrays only)",
           "use dense tensors")
_QUANT = ("quantization is out of scope", "train and run in float32 or float64")
_COMPLEX = ("complex dtypes are out of scope",
            "keep real and imaginary parts as two real tensors")
_NAMED = ("named tensors are out of scope", "refer to dimensions by position")
_NESTED = ("nested (ragged) tensors are out of scope",
           "pad to a common length (chaingrad.nn.functional.pad) and use a mask")
_DIST = ("shared-memory multiprocessing and torch's futures are out of scope",
         "chaingrad.distributed (MPI processes under mpiexec) for data-parallel training")
_COMPILE = ("graph capture, compilation and export are out of scope: chaingrad runs eagerly",
            "call the model directly")
_STORAGE = ("storages, raw memory and legacy typed tensor classes are out of scope",
            "use chaingrad.tensor(data, dtype=...) and t.numpy() (a view of the same memory)")
_INTERNAL = ("a torch internal or implementation module (dispatcher, TorchScript types, "
             "backend-specific kernels, data pipes), not API for dense CPU tensors",
             "nothing: user code does not need it")
_AMP = ("mixed precision (autocast, GradScaler) is out of scope", "train in float32")
_PROFILE = ("torch's profilers are out of scope",
            "time with time.perf_counter or cProfile (python -m bench has chaingrad's benchmarks)")
_DTYPE = ("chaingrad computes in float32/float64 (and integer/bool tensors for indices and "
          "masks); this dtype is not supported",
          "use chaingrad.float32 or chaingrad.float64")
_THREADS = ("chaingrad's kernels are NumPy's; it has no thread pool of its own",
            "set OMP_NUM_THREADS / OPENBLAS_NUM_THREADS in the environment for BLAS threads")
_TORCHFN = ("the __torch_function__ override protocol is out of scope",
            "subclass chaingrad.Tensor or wrap its functions")
_NUMPY_ONLY = "compute it with NumPy on t.detach().numpy() (no gradient)"
_COMPOSE = ("compose it from chaingrad ops (docs/ops.md lists them), or "
            + _NUMPY_ONLY)
_DISTRIB = ("probability distributions are not implemented",
            "sample with chaingrad.rand/randn/randint and write the log-density with chaingrad "
            "ops (e.g. Normal: -((x - mu) / s) ** 2 / 2 - s.log() - math.log(2 * math.pi) / 2)")

# Pattern rules over the qualified name ("torch.cuda", "torch.Tensor.to_sparse", ...): the first
# match decides. (regex, status, reason, instead)
_RULES: list[tuple[str, str, str, str]] = [
    # devices and accelerators
    (r"^torch\.(cuda|mps|xpu|mtia|accelerator|backends|cpu)\.[\w.]+$", OUT_OF_SCOPE, *_CPU),
    (r"^torch\.(cuda|mps|xpu|mtia|accelerator|cpu|backends|Stream|Event|AcceleratorError|"
     r"OutOfMemoryError|get_default_device|set_default_device|get_device|get_device_module|"
     r"is_vulkan_available|cudnn_\w+|miopen_\w+|mkldnn_\w+|fbgemm_\w+)$", OUT_OF_SCOPE, *_CPU),
    (r"^torch\.Tensor\.(cuda|xpu|ipu|mtia|is_cpu|is_ipu|is_maia|is_mkldnn|is_mps|is_mtia|"
     r"is_vulkan|is_xla|is_xpu|is_meta|get_device|pin_memory|is_pinned|record_stream|"
     r"to_mkldnn)$", OUT_OF_SCOPE, *_CPU),
    # sparse
    (r"^torch\.(sparse\w*|Tensor\.(to_sparse\w*|to_dense|is_sparse\w*|coalesce|is_coalesced|"
     r"indices|values|crow_indices|col_indices|ccol_indices|row_indices|sparse_\w+|dense_dim|"
     r"smm|sspaddmm)|\w*_indices_copy|values_copy|smm|dsmm|hsmm|saddmm|spmm|hspmm|sspaddmm|"
     r"resize_as_sparse_|strided|jagged|layout)$", OUT_OF_SCOPE, *_SPARSE),
    (r"^torch\.Tensor\.(resize_as_sparse_|layout)$", OUT_OF_SCOPE, *_SPARSE),
    # quantization
    (r"^torch\.(Tensor\.)?(q\w*_\w+|qscheme|quantiz\w*|dequantize|int_repr|fake_quantize\w*|"
     r"choose_qparams\w*|fused_moving_avg_obs_fake_quant|empty_quantized|per_\w+|ao|"
     r"quantized_\w+)$", OUT_OF_SCOPE, *_QUANT),
    (r"^torch\.nn\.(intrinsic|qat|quantizable|quantized)$", OUT_OF_SCOPE, *_QUANT),
    # complex
    (r"^torch\.(Tensor\.)?(complex\w*|view_as_complex\w*|view_as_real\w*|polar|angle|real|imag|"
     r"conj\w*|resolve_conj|is_conj|is_complex|cfloat|cdouble|chalf|isreal|sgn|sgn_|"
     r"ComplexType)$", OUT_OF_SCOPE, *_COMPLEX),
    (r"^torch\.(Tensor\.)?(resolve_neg|is_neg)$", OUT_OF_SCOPE,
     "lazy negation bits belong to torch's complex-conjugate views, out of scope",
     "nothing: chaingrad tensors hold their values"),
    # named / nested
    (r"^torch\.Tensor\.(name|names|refine_names|align_to|align_as|rename_?)$", OUT_OF_SCOPE,
     *_NAMED),
    (r"^torch\.(nested|Tensor\.is_nested|Tensor\.to_padded_tensor)$", OUT_OF_SCOPE, *_NESTED),
    # distributed / processes
    (r"^torch\.nn\.DataParallel$", OUT_OF_SCOPE,
     "single-process multi-device parallelism is out of scope (chaingrad is CPU-only)",
     "chaingrad.nn.parallel.DistributedDataParallel (one process per rank under mpiexec)"),
    (r"^torch\.(multiprocessing|futures|Future|fork|wait|is_distributed|"
     r"prepare_multiprocessing_environment|Tensor\.is_distributed|Tensor\.share_memory_|"
     r"Tensor\.is_shared|autograd\.DeviceType)$",
     OUT_OF_SCOPE, *_DIST),
    # compilation, tracing, TorchScript
    (r"^torch\.(jit|compile|compiler|export|fx|package|library|classes|cpp|ops|"
     r"while_loop|cond|vmap|func|Script\w*|LiteScriptModule|CompilationUnit|"
     r"ConcreteModuleType\w*|Graph|GraphExecutorState|Block|Node|Value|Use|Code|"
     r"ExecutionPlan|Gradient|TracingState|StaticModule|FileCheck|ErrorReport|JITException|"
     r"import_ir_module\w*|parse_ir|parse_schema|parse_type_comment|merge_type_from_type_comment|"
     r"unify_type_list|sym_\w+|Sym\w+|PRIVATE_OPS|Tag|FunctionSchema|Argument|AliasDb|"
     r"OperatorInfo|DeepCopyMemoTable|IODescriptor|CallStack|Capsule|"
     r"BroadcastingList\d|boolean_dispatch|assert_int_or_pair|segment_reduce|"
     r"nn\.functional\.(BroadcastingList\d|boolean_dispatch|assert_int_or_pair))$",
     OUT_OF_SCOPE, *_COMPILE),
    (r"^torch\.Tensor\.(\w+_copy|unsafe_\w+|slice_inverse|nonzero_static)$", OUT_OF_SCOPE,
     *_INTERNAL),
    (r"^torch\.(ModuleDict|ParameterDict|BufferDict|\w*ArgumentSpec|Tensor\.index|"
     r"\w*Type|Type|NoneType|DispatchKey\w*|ExcludeDispatchKeyGuard|"
     r"DisableTorchFunction\w*|ThroughputBenchmark|Benchmark\w+|LoggerBase|LockingLogger|"
     r"NoopLogger|AggregationType|AVG|SUM|FatalError|InferredType|classproperty|"
     r"USE_GLOBAL_DEPS|USE_RTLD_GLOBAL_WITH_LIBTORCH|has_lapack|has_mkl|has_openmp|"
     r"has_spectral|compiled_with_cxx11_abi|get_file_path|"
     r"profiler_allow_cudagraph_cupti_lazy_reinit_cuda12|batch_norm_\w+|native_\w+|"
     r"\w+_copy|conv_tbc|constant_pad_nd|affine_grid_generator|grid_sampler\w*|"
     r"embedding_renorm_|norm_except_dim|frobenius_norm|nuclear_norm|rnn_relu\w*|rnn_tanh\w*|"
     r"lstm|lstm_cell|gru|gru_cell|unsafe_\w+|slice_inverse|convolution|"
     r"types|torch_version|version|functional|storage|return_types|monitor|"
     r"nn\.(common_types|modules|parameter|grad|factory_kwargs|Container)|"
     r"nn\.functional\.(grad|reproducibility_notes|sparse_support_notes|tf32_notes|"
     r"native_channel_shuffle|conv_tbc|ScalingType|SwizzleType)|"
     r"linalg\.common_notes|"
     r"autograd\.(profiler_util|profiler_legacy|handle_torch_function|has_torch_function|"
     r"is_tensor_like|enforce_grad_layout_policy|SavedTensor|NestedIOFunction|"
     r"is_view_replay_enabled|is_multithreading_enabled|set_multithreading_enabled|"
     r"grad_mode|anomaly_mode|function|variable)|"
     r"utils\.data\.(datapipes|graph|graph_settings|\w*DataPipe|DataChunk|functional_datapipe|"
     r"guaranteed_datapipes_determinism|non_deterministic|runtime_validation\w*|"
     r"argument_validation|dataloader|dataset|sampler))$",
     OUT_OF_SCOPE, *_INTERNAL),
    (r"^torch\.(nn\.functional\.)?(handle_torch_function|has_torch_function\w*)$", OUT_OF_SCOPE,
     *_TORCHFN),
    (r"^torch\.Tensor\.(as_subclass)$", OUT_OF_SCOPE, *_TORCHFN),
    # storages and raw memory
    (r"^torch\.(overrides)$", OUT_OF_SCOPE, *_TORCHFN),
    (r"^torch\.(Storage|\w+Storage|StorageBase|TypedStorage|UntypedStorage|\w+Tensor|is_storage|"
     r"from_file|frombuffer|from_dlpack|to_dlpack|set_default_tensor_type|"
     r"PyTorchFile\w+|\w*StorageContext|ScriptModuleSerializer|"
     r"Tensor\.(storage|untyped_storage|storage_type|storage_offset|data_ptr|const_data_ptr|"
     r"set_|is_set_to|resize_?|resize_as_?|new|type|dim_order|module_load|map_|map2_|apply_|"
     r"reinforce|volatile|output_nr|grad_dtype|hash_tensor)|hash_tensor|resize_as_|"
     r"as_strided\w*|Tensor\.as_strided\w*|empty_strided|empty_permuted|"
     r"Tensor\.new_empty_strided|Tensor\.stride|Tensor\.is_contiguous|"
     r"\w*contiguous_format|channels_last\w*|preserve_format|memory_format)$",
     OUT_OF_SCOPE, *_STORAGE),
    (r"^torch\.(autocast\w*|amp|GradScaler|\w*autocast\w*)$", OUT_OF_SCOPE, *_AMP),
    (r"^torch\.(profiler|autograd\.(profiler|kineto_available|Profiler\w+))$", OUT_OF_SCOPE,
     *_PROFILE),
    (r"^torch\.(bfloat16|bit|bits\w+|c?float\d*_\w+|float4\w+|float8\w+|int[1-7]|uint(1|2|3|4|5|"
     r"6|7|16|32|64)|Tensor\.bfloat16)$", OUT_OF_SCOPE, *_DTYPE),
    (r"^torch\.(set_num_threads|get_num_threads|set_num_interop_threads|"
     r"get_num_interop_threads|init_num_threads|set_flush_denormal|"
     r"get_float32_matmul_precision|set_float32_matmul_precision)$", OUT_OF_SCOPE, *_THREADS),
    (r"^torch\.optim\.(swa_utils|swap_in_optimizer_params_and_state|SparseAdam)$", OUT_OF_SCOPE,
     "stochastic weight averaging, sparse gradients and optimizer parameter swapping are out of "
     "scope", "keep a running average of the parameters with torch-like in-place ops "
     "(p_avg.mul_(k).add_(p, alpha=1 - k)) under chaingrad.no_grad()"),
    (r"^torch\.nn\.(Lazy\w+|Uninitialized\w+)$", OUT_OF_SCOPE,
     "lazy modules (shapes inferred at the first call) are out of scope",
     "give the input size when constructing the layer"),
]
_rules_compiled: list | None = None  # compiled on the first explain(): import stays cheap


def _compiled_rules() -> list:
    global _rules_compiled
    if _rules_compiled is None:
        _rules_compiled = [(re.compile(p), s, r, i) for p, s, r, i in _RULES]
    return _rules_compiled

# Exact entries: qualified name -> (status, reason, instead). Reason "" means the default for
# the status ("no chaingrad op does this yet").
_EXACT: dict[str, tuple[str, str, str]] = {}


def _ni(instead: str, *qualnames: str, reason: str = "") -> None:
    for q in qualnames:
        _EXACT[q] = (NOT_IMPLEMENTED, reason, instead)


def _oos(reason: str, instead: str, *qualnames: str) -> None:
    for q in qualnames:
        _EXACT[q] = (OUT_OF_SCOPE, reason, instead)


def _both(instead: str, *names: str, reason: str = "") -> None:
    """A torch function and the Tensor method of the same name."""
    for n in names:
        _ni(instead, f"torch.{n}", f"torch.Tensor.{n}", reason=reason)


_ni("use numpy.fft on t.detach().numpy() and wrap the result with chaingrad.from_numpy "
    "(no gradient)", "torch.fft", "torch.stft", "torch.istft", "torch.Tensor.stft",
    "torch.Tensor.istft", reason="Fourier transforms are not implemented")
_ni("compose the function from chaingrad ops (e.g. expit: chaingrad.sigmoid, logsumexp: "
    "chaingrad.logsumexp, xlogy: x * y.log()); for values without gradient use scipy.special",
    "torch.special", reason="torch.special is not implemented")
_ni("use a boolean mask with chaingrad.where / masked_fill", "torch.masked",
    reason="masked tensors are not implemented")
_ni(_DISTRIB[1], "torch.distributions", reason=_DISTRIB[0])
_ni("draw quasi-random points with scipy.stats.qmc and wrap them with chaingrad.from_numpy",
    "torch.quasirandom", reason="quasi-random (Sobol) sequences are not implemented")
_oos(*_CPU, "torch.device")
_oos("storages, raw memory and layouts are out of scope",
     "nothing: every chaingrad tensor is a dense strided NumPy array", "torch.layout")
_ni("numpy.dtype: chaingrad.float32 and friends are numpy.dtype objects", "torch.dtype",
    reason="chaingrad's dtypes are NumPy dtypes")
_ni("pass an explicit seed to chaingrad.manual_seed", "torch.Generator", "torch.seed",
    "torch.initial_seed", "torch.get_rng_state", "torch.set_rng_state",
    "torch.default_generator", "torch.thread_safe_generator",
    reason="explicit generators and RNG state are not implemented")
_ni("chaingrad creates float32 by default; pass dtype=chaingrad.float64 where you need it",
    "torch.get_default_dtype", "torch.set_default_dtype")
_ni("chaingrad has no anomaly mode; check chaingrad.isfinite(x).all() where a NaN may appear",
    "torch.autograd.detect_anomaly", "torch.autograd.set_detect_anomaly",
    "torch.is_anomaly_enabled", "torch.is_anomaly_check_nan_enabled", "torch.set_anomaly_enabled",
    "torch.autograd.anomaly_mode")
_ni("chaingrad.autograd.functional.jvp (the double-backward trick) or a custom Function",
    "torch.autograd.forward_ad", reason="forward-mode AD is not implemented")
_ni("a custom chaingrad.autograd.Function, or register_hook on the tensors",
    "torch.autograd.graph")
_oos("function transforms (vmap, jacrev, functional_call) are out of scope",
     "chaingrad.autograd.grad and Tensor.backward(create_graph=True) give the same derivatives "
     "without a transform; loop over the batch instead of vmap", "torch.func", "torch.vmap")
_ni("math.e, math.pi, math.inf, math.nan", "torch.e", "torch.pi", "torch.inf", "torch.nan",
    "torch.optim.lr_scheduler.inf")
_ni("None (x[:, None])", "torch.newaxis")
_ni("chaingrad.Tensor", "torch.nn.functional.Tensor", "torch.optim.lr_scheduler.Tensor")
_oos("an internal message string of torch's schedulers", "nothing",
     "torch.optim.lr_scheduler.EPOCH_DEPRECATION_WARNING")
_ni("validate the mode strings yourself: 'bilinear'/'nearest'/'bicubic' and "
    "'zeros'/'border'/'reflection'", "torch.nn.functional.GRID_SAMPLE_INTERPOLATION_MODES",
    "torch.nn.functional.GRID_SAMPLE_PADDING_MODES", reason="grid_sample is not implemented")
# math with a composition
_both("chaingrad.log(x) / math.log(2)", "log2")
_both("chaingrad.log(x) / math.log(10)", "log10")
_both("chaingrad.exp(x * math.log(2))", "exp2")
_both("(chaingrad.exp(x) - chaingrad.exp(-x)) / 2", "sinh")
_both("(chaingrad.exp(x) + chaingrad.exp(-x)) / 2", "cosh")
_both("chaingrad.log(x + chaingrad.sqrt(x * x + 1))", "asinh", "arcsinh")
_both("chaingrad.log(x + chaingrad.sqrt(x * x - 1))", "acosh", "arccosh")
_both("0.5 * chaingrad.log((1 + x) / (1 - x))", "atanh", "arctanh")
_both("chaingrad.sqrt(a * a + b * b)", "hypot")
_both("chaingrad.log(p / (1 - p))", "logit")
_both("x * chaingrad.log(y) (and chaingrad.where(x == 0, 0, ...) for x = 0)", "xlogy")
_both("chaingrad.logsumexp(chaingrad.stack([a, b]), 0)", "logaddexp")
_both("chaingrad.logsumexp(chaingrad.stack([a, b]), 0) / math.log(2) after scaling by "
      "math.log(2)", "logaddexp2")
_both("chaingrad.exp(chaingrad.cumsum(chaingrad.log(x), dim)) for positive x", "cumprod")
_both("x * math.pi / 180", "deg2rad")
_both("x * 180 / math.pi", "rad2deg")
_both("chaingrad.where(x == 0, 1.0, chaingrad.sin(math.pi * x) / (math.pi * x))", "sinc")
_both("chaingrad.where(chaingrad.isnan(x), 0.0, x) (and clamp for the infinities)",
      "nan_to_num")
_both("chaingrad.where(chaingrad.isnan(x), 0.0, x).sum(dim)", "nansum")
_both("s = chaingrad.where(chaingrad.isnan(x), 0.0, x).sum(dim); s / (~chaingrad.isnan(x))"
      ".sum(dim)", "nanmean")
_both("chaingrad.maximum / chaingrad.minimum (they propagate NaN)", "fmax", "fmin")
_both("a.pow(b) in float64 (x.double().pow(y))", "float_power")
_both("chaingrad.sign(x), or x > 0 for a mask", "sgn", "signbit")
_both("(x != 0).sum(dim)", "count_nonzero")
_both("(x ** 2).sum(-1) etc. with chaingrad.norm / chaingrad.linalg.vector_norm", "renorm")
_both("(a - b).norm(p)", "dist")
_both("chaingrad.einsum('ij,jk->ik', ...) or chaingrad.matmul with reshapes", "tensordot")
_both("chaingrad.einsum('...i,...i->...', a, b)", "inner", "vdot")
_both("chaingrad.einsum('ij,kl->ikjl', a, b).reshape(a.shape[0] * b.shape[0], -1)", "kron")
_both("chaingrad.einsum('ii->', x)", "trace")
_both("chaingrad.einsum('ii->i', x) for a square 2-D x", "diagonal")
_both("x[..., None] * chaingrad.eye(n) (diag of a vector) or chaingrad.einsum('ii->i', x)",
      "diag", "diag_embed", "diagflat")
_both("x * mask, with mask = chaingrad.from_numpy(numpy.tril(numpy.ones(x.shape[-2:]))).to("
      "x.dtype) (numpy.triu for triu)", "tril", "triu")
_both("a * beta + (b @ c) * alpha (the @ of chaingrad.matmul)", "addmm", "addmv", "addbmm",
      "baddbmm", "addr")
_both("chaingrad.einsum over the stacked vectors (cross product components)", "cross")
_both("idx = chaingrad.from_numpy(numpy.argsort(x.detach().numpy(), axis=dim)); "
      "x.gather(dim, idx) (the gradient flows through gather)", "sort", "msort", "argsort",
      "topk", "kthvalue", "median", "nanmedian", "quantile", "nanquantile", "mode")
_both("numpy.unique on t.numpy() (no gradient)", "unique", "unique_consecutive")
_both("the forward difference x[1:] - x[:-1] (slices along dim)", "diff")
_both("x.min(dim) and x.max(dim)", "aminmax")
_both("chaingrad.from_numpy(numpy.floor(x.numpy())) — a piecewise-constant op has a zero "
      "gradient; for a straight-through estimator use x + (rounded - x).detach()",
      "floor", "ceil", "round", "trunc", "fix", "frac")
_both("a - b * chaingrad.from_numpy(numpy.floor(...)); for values without gradient use "
      "numpy.remainder / numpy.fmod", "remainder", "fmod", "floor_divide")
_both("x.index_select(dim, chaingrad.from_numpy(numpy.repeat(numpy.arange(n), k)))",
      "repeat_interleave")
_both("x.reshape(-1) or x.flatten()", "ravel")
_both("x.permute(...) with the dims reordered", "movedim", "moveaxis")
_both("x.flip(-1) / x.flip(0)", "fliplr", "flipud")
_both("x.flip(d0).transpose(d0, d1) (one quarter turn)", "rot90")
_both("chaingrad.split / chunk along the dim", "tensor_split", "hsplit", "vsplit", "dsplit",
      "split_with_sizes")
_both("x.gather(dim, index)", "take_along_dim")
_both("x.flatten()[index]", "take", "put")
_both("chaingrad.scatter_add / scatter / index assignment x[idx] = v", "index_add",
      "index_copy", "index_fill", "index_put", "index_reduce", "scatter_reduce",
      "masked_scatter", "put_", "index_put_")
_both("x[x != 0] or chaingrad.nonzero(x)", "argwhere")
_both("numpy.bincount / numpy.histogram on t.numpy() (no gradient)", "bincount", "histc",
      "histogram")
_both("x.reshape(...) + x (same shape) or chaingrad.broadcast_to", "sum_to_size")
_both("chaingrad.nn.functional.softmax", "softmax")
_both("chaingrad.nn.functional.log_softmax", "log_softmax")
_both("chaingrad.nn.functional.prelu", "prelu")
_both("the a @ b.T of two centered tensors divided by n - 1", "cov", "corrcoef")
_both("chaingrad.linalg (inv, solve, solve_triangular, cholesky, eigh, svd, pinv, det, ...) "
      "with gradients; numpy.linalg on t.detach().numpy() for the rest (no gradient)",
      "cholesky_inverse", "cholesky_solve", "qr", "svd", "lu", "lu_solve", "lstsq", "solve",
      "eig", "symeig", "triangular_solve", "geqrf", "orgqr", "ormqr",
      reason="these linear-algebra factorizations are not implemented")
_ni("numpy.linalg on t.detach().numpy() for values without gradient", "torch.matrix_rank",
    "torch.lu_unpack", "torch.pca_lowrank", "torch.svd_lowrank", "torch.lobpcg",
    "torch.chain_matmul", reason="linear-algebra factorizations are not implemented")
_ni("chaingrad.linalg.multi_dot", "torch.chain_matmul")
_both("chaingrad.special is not available; erf is not implemented: use "
      "chaingrad.nn.functional.gelu for GELU, or scipy.special on t.numpy() (no gradient)",
      "erf", "erfc", "erfinv", "lgamma", "digamma", "polygamma", "mvlgamma", "i0", "igamma",
      "igammac")
_both("isinstance(x, chaingrad.Tensor)", "is_tensor")
_both("x.dtype in (chaingrad.float32, chaingrad.float64, chaingrad.float16)",
      "is_floating_point")
_both("bool(x) on a one-element tensor", "is_nonzero")
_both("chaingrad.is_inference_mode_enabled() (chaingrad does not mark tensors made in "
      "inference_mode)", "is_inference")
_ni("x.numel()", "torch.numel")
_ni("chaingrad.broadcast_to(t, shape) for each tensor", "torch.broadcast_tensors")
_ni("numpy.broadcast_shapes", "torch.broadcast_shapes")
_ni("chaingrad.cat with reshapes", "torch.hstack", "torch.vstack", "torch.dstack",
    "torch.column_stack", "torch.row_stack", "torch.block_diag")
_ni("x.reshape(...) adding leading dims", "torch.atleast_1d", "torch.atleast_2d",
    "torch.atleast_3d")
_ni("chaingrad.from_numpy(numpy.meshgrid(...)) or broadcasting with x[:, None] and y[None, :]",
    "torch.meshgrid", "torch.cartesian_prod", "torch.combinations")
_ni("chaingrad.from_numpy(numpy.tril_indices(...))", "torch.tril_indices", "torch.triu_indices")
_ni("chaingrad.from_numpy(numpy.searchsorted(...)) / numpy.digitize", "torch.searchsorted",
    "torch.bucketize")
_ni("chaingrad.from_numpy(numpy.isin(...))", "torch.isin")
_ni("chaingrad.from_numpy(numpy.unravel_index(...))", "torch.unravel_index")
_ni("mean + std * chaingrad.randn(shape)", "torch.normal", "torch.Tensor.normal_",
    "torch.Tensor.log_normal_")
_ni("(chaingrad.rand_like(p) < p).float()", "torch.bernoulli", "torch.Tensor.bernoulli",
    "torch.Tensor.bernoulli_", "torch.binomial")
_ni("chaingrad.from_numpy(numpy.random.default_rng(seed).permutation(n))", "torch.randperm")
_ni("chaingrad.randint(low, high, x.shape)", "torch.randint_like", "torch.Tensor.random_")
_ni("numpy.random.default_rng(seed).choice / .poisson on t.numpy()", "torch.multinomial",
    "torch.Tensor.multinomial", "torch.poisson", "torch.Tensor.cauchy_",
    "torch.Tensor.exponential_", "torch.Tensor.geometric_")
_ni("x.copy_(chaingrad.rand(x.shape) * (high - low) + low)", "torch.Tensor.uniform_")
_ni("x (chaingrad tensors are always on the CPU)", "torch.Tensor.cpu")
_ni("chaingrad.zeros(shape, dtype=x.dtype) (likewise ones/full/empty/tensor)",
    "torch.Tensor.new_zeros", "torch.Tensor.new_ones", "torch.Tensor.new_full",
    "torch.Tensor.new_empty", "torch.Tensor.new_tensor")
_ni("x.numel()", "torch.Tensor.nelement")
_ni("x.mT (the same for real tensors)", "torch.Tensor.H", "torch.Tensor.mH",
    "torch.Tensor.adjoint", "torch.adjoint")
_ni("x.masked_fill(mask, v) on the whole tensor, or index assignment",
    "torch.Tensor.fill_diagonal_")
_ni("x.clamp_(...) / x.relu_() etc.: the Tensor methods", "torch.clamp_", "torch.clamp_min_",
    "torch.clamp_max_", "torch.clip_")
_ni("chaingrad.nn.functional.conv1d/conv2d; for transposed and 3-D convolutions compose from "
    "chaingrad.nn.functional.pad and unfold-style slicing", "torch.conv3d",
    "torch.conv_transpose1d", "torch.conv_transpose2d", "torch.conv_transpose3d")
_ni("chaingrad.nn.RNN / LSTM / GRU modules", "torch.rnn_relu", "torch.rnn_tanh")
_ni("x[..., :n] with a mask of the valid indices", "torch.nonzero_static")
_ni("numpy.trapezoid on t.numpy(), or ((y[1:] + y[:-1]) / 2 * dx).sum()", "torch.trapezoid",
    "torch.trapz", "torch.cumulative_trapezoid")
_ni("y[2:] - y[:-2] divided by 2 * spacing (central differences)", "torch.gradient")
_ni("chaingrad.nn.functional.pdist", "torch.pdist")
_ni("chaingrad.nn.functional.cosine_similarity", "torch.cosine_similarity")
_ni("chaingrad.nn.functional.pairwise_distance", "torch.pairwise_distance")
_ni("chaingrad.where(x > 0, 1.0, chaingrad.where(x == 0, v, 0.0))", "torch.heaviside",
    "torch.Tensor.heaviside", "torch.Tensor.heaviside_")
_ni("x.bitwise_and(y) etc. out of place: x = x.bitwise_and(y)", "torch.Tensor.bitwise_and_",
    "torch.Tensor.bitwise_or_", "torch.Tensor.bitwise_xor_", "torch.Tensor.bitwise_not_")
_ni("x * 2 ** k / x // 2 ** k on integer tensors", "torch.bitwise_left_shift",
    "torch.bitwise_right_shift", "torch.Tensor.bitwise_left_shift",
    "torch.Tensor.bitwise_right_shift", "torch.Tensor.bitwise_left_shift_",
    "torch.Tensor.bitwise_right_shift_")
_ni("mean and var separately: x.var(dim), x.mean(dim) (x.std for std)", "torch.var_mean",
    "torch.std_mean")
_ni("chaingrad.nn.functional.rms_norm", "torch.rms_norm")
_ni("chaingrad.nn.functional.threshold / threshold_", "torch.threshold", "torch.threshold_")
_ni("chaingrad.nn.functional.channel_shuffle / pixel_shuffle / pixel_unshuffle",
    "torch.channel_shuffle", "torch.pixel_shuffle", "torch.pixel_unshuffle")
# nn
_ni("self.register_buffer(name, tensor) in the Module's __init__", "torch.nn.Buffer")
_ni("chaingrad.nn.functional.group_norm", "torch.group_norm")
_ni("chaingrad.nn.functional.instance_norm", "torch.instance_norm")
_ni("chaingrad.nn.functional.hardshrink(t, lambd)", "torch.hardshrink",
    "torch.Tensor.hardshrink")
_ni("chaingrad.nn.functional.rrelu / rrelu_", "torch.rrelu", "torch.rrelu_")
_ni("chaingrad.nn.Dropout (alpha dropout keeps SELU's statistics; plain dropout does not)",
    "torch.nn.AlphaDropout", "torch.nn.FeatureAlphaDropout", "torch.nn.functional.alpha_dropout",
    "torch.nn.functional.feature_alpha_dropout", "torch.alpha_dropout", "torch.alpha_dropout_",
    "torch.feature_alpha_dropout", "torch.feature_alpha_dropout_")
_ni("chaingrad.nn.Dropout2d on x.flatten(2, 3)-style reshapes", "torch.nn.Dropout3d",
    "torch.nn.functional.dropout3d")
_ni("chaingrad.nn.Embedding followed by .sum(1) / .mean(1) over the bag",
    "torch.nn.EmbeddingBag", "torch.nn.functional.embedding_bag", "torch.embedding_bag")
_ni("chaingrad.nn.RNN / LSTM / GRU and the *Cell modules", "torch.nn.RNNBase",
    "torch.nn.RNNCellBase")
_ni("the chaingrad.nn.functional loss of the same name", "torch.margin_ranking_loss",
    "torch.hinge_embedding_loss", "torch.cosine_embedding_loss", "torch.triplet_margin_loss",
    "torch.poisson_nll_loss")
_ni("a loss written with chaingrad ops, e.g. triplet with a custom distance: "
    "(d(a, p) - d(a, n) + margin).clamp_min(0).mean()", "torch.nn.TripletMarginWithDistanceLoss",
    "torch.nn.functional.triplet_margin_with_distance_loss", "torch.nn.MultiLabelMarginLoss",
    "torch.nn.functional.multilabel_margin_loss")
_ni("chaingrad.nn.NLLLoss (it takes (N, C, d1, ...) inputs)", "torch.nn.NLLLoss2d")
_ni("chaingrad.nn.functional.cross_entropy(chaingrad.nn.functional.linear(x, w), y)",
    "torch.nn.functional.linear_cross_entropy", "torch.nn.LinearCrossEntropyLoss",
    "torch.nn.LinearCrossEntropyOptions")
_ni("chaingrad.nn.functional.softmax((logits - chaingrad.log(-chaingrad.log(u))) / tau) with "
    "u = chaingrad.rand_like(logits)", "torch.nn.functional.gumbel_softmax")
_ni("chaingrad.nn.functional.max_pool1d/max_pool2d (indices are not returned)",
    "torch.nn.functional.max_pool1d_with_indices", "torch.nn.functional.max_pool2d_with_indices",
    "torch.max_pool1d_with_indices", "torch.nn.MaxUnpool1d", "torch.nn.MaxUnpool2d",
    "torch.nn.MaxUnpool3d", "torch.nn.functional.max_unpool1d",
    "torch.nn.functional.max_unpool2d", "torch.nn.functional.max_unpool3d")
_ni("a Python loop of matmuls over the groups", "torch.nn.functional.grouped_mm",
    "torch.nn.functional.scaled_grouped_mm", "torch.nn.functional.scaled_mm")
_ni("the chaingrad.nn.functional form", *[f"torch.{n}" for n in (
    "adaptive_avg_pool1d", "avg_pool1d", "max_pool1d", "max_pool2d", "batch_norm", "layer_norm",
    "bilinear", "binary_cross_entropy_with_logits", "conv1d", "conv2d", "dropout", "embedding",
    "kl_div", "celu", "selu", "pdist", "hardshrink", "prelu")])
_ni("a Module whose forward does x = layer(x) for each", "torch.nn.Container")
_ni("chaingrad.nn.AdaptiveMaxPool1d/2d (no 3-D form yet)", "torch.nn.AdaptiveMaxPool3d",
    "torch.nn.functional.adaptive_max_pool3d",
    "torch.nn.functional.adaptive_max_pool3d_with_indices")
_ni("chaingrad.nn.functional.adaptive_max_pool1d(x, size, return_indices=True)",
    "torch.adaptive_max_pool1d")
_ni("(x.abs() ** p) pooled with chaingrad.nn.functional.avg_pool1d/2d, times the window size, "
    "** (1 / p)", "torch.nn.LPPool1d", "torch.nn.LPPool2d", "torch.nn.LPPool3d",
    "torch.nn.functional.lp_pool1d", "torch.nn.functional.lp_pool2d",
    "torch.nn.functional.lp_pool3d")
# optim
_ni("chaingrad.optim.Adam, AdamW, NAdam, RAdam, Adamax, SGD, RMSprop, Adagrad or Adadelta",
    "torch.optim.Adafactor", "torch.optim.Muon")
# torch.nn.functional 3-D variants
_ni("the 1-D/2-D forms in chaingrad.nn.functional (3-D variants are not implemented)",
    "torch.nn.Conv3d", "torch.nn.MaxPool3d", "torch.nn.AvgPool3d", "torch.nn.AdaptiveAvgPool3d",
    "torch.nn.BatchNorm3d", "torch.nn.functional.conv3d", "torch.nn.functional.max_pool3d",
    "torch.nn.functional.max_pool3d_with_indices", "torch.nn.functional.avg_pool3d",
    "torch.nn.functional.adaptive_avg_pool3d", "torch.max_pool3d")
_ni("chaingrad.nn.functional.conv1d/conv2d applied to a zero-stuffed input (transposed "
    "convolution is the gradient of conv)", "torch.nn.ConvTranspose3d",
    "torch.nn.functional.conv_transpose3d")
_ni("chaingrad ops on coordinate grids from chaingrad.linspace (bilinear weights)",
    "torch.nn.functional.grid_sample", "torch.nn.functional.affine_grid")
_ni("chaingrad.nn.functional.log_softmax over all classes", "torch.nn.AdaptiveLogSoftmaxWithLoss")
_ni("x / (k + alpha * (x ** 2 averaged over neighbouring channels)) ** beta",
    "torch.nn.LocalResponseNorm", "torch.nn.CrossMapLRN2d",
    "torch.nn.functional.local_response_norm")
_ni("chaingrad.nn.functional.max_pool2d (fractional max pooling is random-sized)",
    "torch.nn.FractionalMaxPool2d", "torch.nn.FractionalMaxPool3d",
    "torch.nn.functional.fractional_max_pool2d", "torch.nn.functional.fractional_max_pool3d",
    "torch.nn.functional.fractional_max_pool2d_with_indices",
    "torch.nn.functional.fractional_max_pool3d_with_indices")
_ni("a CTC forward algorithm written with chaingrad.logsumexp over the alignment lattice",
    "torch.nn.CTCLoss", "torch.nn.functional.ctc_loss", "torch.ctc_loss")

_ni("chaingrad.manual_seed(seed) (chaingrad's random functions share one NumPy generator)",
    "torch.random", reason="torch.random's generator state functions are not implemented")
_ni("numpy.testing.assert_allclose(actual.numpy(), expected.numpy(), rtol, atol) or "
    "chaingrad.allclose", "torch.testing", reason="torch.testing is not implemented")
_oos("downloading models and code from the network is out of scope",
     "build the model with chaingrad.nn and load weights with chaingrad.load", "torch.hub")
_ni("numpy's windows (numpy.hanning, numpy.hamming, ...) and chaingrad.from_numpy",
    "torch.signal", "torch.windows", reason="torch.signal's windows are not implemented")
_ni("chaingrad.linalg.matrix_norm(x, 'fro') / (x, 'nuc')", "torch.frobenius_norm",
    "torch.nuclear_norm")
_ni("x.numpy().flags['C_CONTIGUOUS'] (x.contiguous() returns a C-contiguous tensor)",
    "torch.Tensor.is_contiguous", reason="memory layout queries are not implemented")
_ni("x.numpy().strides (in bytes; divide by x.numpy().itemsize)", "torch.Tensor.stride",
    reason="memory layout queries are not implemented")
_ni("numpy.maximum.accumulate / numpy.minimum.accumulate on t.numpy() (no gradient)",
    "torch.cummax", "torch.cummin", "torch.Tensor.cummax", "torch.Tensor.cummin")
_ni("chaingrad.log(chaingrad.cumsum(chaingrad.exp(x - m), dim)) + m with m = x.max()",
    "torch.logcumsumexp", "torch.Tensor.logcumsumexp")
_ni("numpy.histogramdd on t.numpy() (no gradient)", "torch.histogramdd")
_ni("chaingrad.nn.functional.dropout1d/dropout2d", "torch.feature_dropout",
    "torch.feature_dropout_")
_both("numpy.arcsin/arccos/arctan/arctan2 on t.numpy() (no gradient); with a gradient, atan2 "
      "as 2 * atan(...) is not available either", "asin", "acos", "atan", "arcsin", "arccos",
      "arctan", "atan2", "arctan2", reason="inverse trigonometric functions are not implemented")

# torch's aliases: name -> the chaingrad name it aliases
_ALIASES = {
    "greater": "gt", "greater_equal": "ge", "less": "lt", "less_equal": "le",
    "not_equal": "ne", "multiply": "mul", "subtract": "sub", "divide": "div",
    "true_divide": "div", "negative": "neg", "absolute": "abs", "positive": "clone",
    "swapaxes": "transpose", "swapdims": "transpose", "ger": "outer", "arctan": "atan",
}

_DEFAULT_REASON = {
    NOT_IMPLEMENTED: "no chaingrad equivalent yet",
    OUT_OF_SCOPE: "out of scope for a dense CPU float library",
}


def _namespace_default(namespace: str, kind: str) -> tuple[str, str, str]:
    if namespace == "torch.nn" and kind == "class":
        return (NOT_IMPLEMENTED, "this layer is not implemented",
                "write it as a chaingrad.nn.Module from chaingrad ops (docs/nn.md lists the "
                "layers chaingrad has)")
    if namespace == "torch.nn" and kind == "module":
        return (NOT_IMPLEMENTED, "this submodule is not implemented",
                "chaingrad.nn, chaingrad.nn.functional, chaingrad.nn.init and chaingrad.nn.utils")
    if namespace == "torch.optim.lr_scheduler":
        return (NOT_IMPLEMENTED, "this scheduler is not implemented",
                "chaingrad.optim.lr_scheduler.LambdaLR with the schedule as a function")
    if namespace == "torch.optim":
        return (NOT_IMPLEMENTED, "this optimizer is not implemented",
                "chaingrad.optim.SGD, Adam, AdamW, RMSprop, Adagrad or Adadelta")
    if namespace == "torch.utils.data":
        return (NOT_IMPLEMENTED, "this part of torch.utils.data is not implemented",
                "chaingrad.utils.data's datasets, samplers and DataLoader (docs/data.md)")
    if namespace == "torch.linalg":
        return (NOT_IMPLEMENTED, "this linear-algebra function is not implemented",
                "numpy.linalg on t.detach().numpy() for values without gradient; "
                "chaingrad.linalg has inv, solve, cholesky, eigh, svd, pinv, det and the norms "
                "with gradients")
    if namespace == "torch.autograd":
        return (NOT_IMPLEMENTED, "this autograd feature is not implemented",
                "chaingrad.autograd has backward, grad, Function, gradcheck and gradgradcheck")
    if kind == "module":
        return (NOT_IMPLEMENTED, "this torch submodule is not implemented", _COMPOSE)
    if kind == "dtype":
        return (OUT_OF_SCOPE, *_DTYPE)
    if namespace == "torch.Tensor" and kind == "attribute":
        return (NOT_IMPLEMENTED, "this tensor attribute is not implemented",
                "x.numpy() exposes the array's NumPy attributes")
    return (NOT_IMPLEMENTED, _DEFAULT_REASON[NOT_IMPLEMENTED], _COMPOSE)


def _chaingrad_has(path: str) -> bool:
    """Whether ``chaingrad.<path>`` exists for real (not as a placeholder)."""
    return resolve(path) is not None


def resolve(path: str) -> Any:
    """The chaingrad object at ``path`` (a torch-style name with ``torch.`` replaced), or None
    when chaingrad lacks it. Never raises, never counts placeholders."""
    parts = path.split(".")
    if parts[0] != "torch":
        return None
    obj: Any = importlib.import_module("chaingrad")
    for part in parts[1:]:
        if isinstance(obj, type):
            raw = None
            for klass in obj.__mro__:
                if part in klass.__dict__:
                    raw = klass.__dict__[part]
                    break
            if raw is None or isinstance(raw, _Placeholder):
                return None
            obj = raw
            continue
        d = getattr(obj, "__dict__", None)
        if d is None or part not in d:
            if not hasattr(obj, "__path__"):
                return None
            try:  # an unimported subpackage (chaingrad.utils.data)
                obj = importlib.import_module(f"{obj.__name__}.{part}")
            except ImportError:
                return None
            continue
        obj = d[part]
    return obj


def _auto_hint(namespace: str, name: str) -> str | None:
    """Where chaingrad has the same thing under another name or namespace."""
    base = name[:-1] if name.endswith("_") else name
    alias = _ALIASES.get(base)
    if alias is not None and namespace in ("torch", "torch.Tensor"):
        target = alias + name[len(base):]
        if _chaingrad_has(f"torch.Tensor.{target}"):
            return f"x.{target}(...), the same op under torch's other name"
        if _chaingrad_has(f"torch.{target}"):
            return f"chaingrad.{target}, the same op under torch's other name"
    if namespace == "torch.Tensor":
        if name.endswith("_") and _chaingrad_has(f"torch.Tensor.{name[:-1]}"):
            return (f"the out-of-place x.{name[:-1]}(...), assigning the result "
                    f"(x = x.{name[:-1]}(...)), or x.copy_(x.{name[:-1]}(...))")
        if _chaingrad_has(f"torch.{name}"):
            return f"chaingrad.{name}(x, ...)"
        return None
    if namespace == "torch":
        if name.endswith("_") and _chaingrad_has(f"torch.Tensor.{name}"):
            return f"the Tensor method x.{name}(...)"
        if name.endswith("_") and _chaingrad_has(f"torch.{name[:-1]}"):
            return f"chaingrad.{name[:-1]} out of place, assigning the result"
        if _chaingrad_has(f"torch.nn.functional.{name}"):
            return f"chaingrad.nn.functional.{name}"
        if name.endswith("_") and _chaingrad_has(f"torch.nn.functional.{name[:-1]}"):
            return f"chaingrad.nn.functional.{name[:-1]} out of place, assigning the result"
        if _chaingrad_has(f"torch.Tensor.{name}"):
            return f"the Tensor method x.{name}(...)"
        return None
    if namespace == "torch.nn.functional" and _chaingrad_has(f"torch.{name}"):
        return f"chaingrad.{name}"
    return None


def explain(qualname: str) -> tuple[str, str, str]:
    """(status, reason, instead) for a torch name chaingrad lacks."""
    namespace, _, name = qualname.rpartition(".")
    kind = kind_of(qualname) or "function"
    status = reason = instead = ""
    if qualname in _EXACT:
        status, reason, instead = _EXACT[qualname]
    else:
        for rx, s, r, i in _compiled_rules():
            if rx.match(qualname):
                status, reason, instead = s, r, i
                break
    if not status and name.endswith("_") and kind_of(f"{namespace}.{name[:-1]}") is not None \
            and resolve(f"{namespace}.{name[:-1]}") is None:
        bs, br, bi = explain(f"{namespace}.{name[:-1]}")
        if bs == NOT_IMPLEMENTED and _auto_hint(namespace, name) is None:
            return (bs, f"{qualname[:-1]} is not implemented either ({br})",
                    f"{bi}, assigning the result")
    if not instead:
        hint = _auto_hint(namespace, name)
        if hint is not None:
            return (status or NOT_IMPLEMENTED, reason or "not under this name or namespace",
                    hint)
        ds, dr, di = _namespace_default(namespace, kind)
        status, reason, instead = status or ds, reason or dr, instead or di
    return status, reason or _DEFAULT_REASON[status], instead


def message(qualname: str) -> str:
    """``torch.X is not implemented in chaingrad: <reason>. Instead: <what to use>.``"""
    status, reason, instead = explain(qualname)
    head = "is out of scope for chaingrad" if status == OUT_OF_SCOPE else \
        "is not implemented in chaingrad"
    return f"{qualname} {head}: {reason}. Instead: {instead}."


def error(qualname: str, attribute: bool = True) -> NotCoveredError:
    cls = NotCoveredAttributeError if attribute else NotCoveredError
    err = cls(message(qualname))
    if attribute:
        err.name = qualname.rpartition(".")[2]
    return err


# ----------------------------------------------------------------------------- installing
_IMPORT_FROM = None


def _called_from_import(frame: Any) -> bool:
    """Whether the attribute lookup comes from ``from module import name``: then the error must
    not be an AttributeError, or Python replaces it with a bare "cannot import name"."""
    global _IMPORT_FROM
    if frame is None:
        return False
    if frame.f_code.co_name == "_handle_fromlist":
        return True
    if _IMPORT_FROM is None:
        import dis

        _IMPORT_FROM = dis.opmap["IMPORT_FROM"]
    code = frame.f_code.co_code
    i = frame.f_lasti
    return 0 <= i < len(code) and code[i] == _IMPORT_FROM


def module_getattr(namespace: str, module_name: str) -> Callable[[str], Any]:
    """A PEP 562 ``__getattr__`` for the chaingrad module standing for torch's ``namespace``:

        __getattr__ = _missing.module_getattr("torch.nn", __name__)

    A name torch has raises ``NotCoveredAttributeError`` (``NotCoveredError`` inside
    ``from ... import``); any other name the usual ``AttributeError``."""

    def __getattr__(name: str) -> Any:
        qualname = f"{namespace}.{name}"
        kind = None if name.startswith("_") else kind_of(qualname)
        if kind is None:
            raise AttributeError(f"module {module_name!r} has no attribute {name!r}")
        if kind == "module":  # a subpackage chaingrad has but has not imported yet
            try:
                return importlib.import_module(f"{module_name}.{name}")
            except ModuleNotFoundError as err:
                if err.name != f"{module_name}.{name}":
                    raise
        raise error(qualname, attribute=not _called_from_import(sys._getframe(1)))

    __getattr__.__qualname__ = __getattr__.__name__ = "__getattr__"
    return __getattr__


class _Placeholder:
    """A class attribute standing for a torch ``Tensor`` name chaingrad lacks: reading it (from
    the class or an instance) raises ``NotCoveredAttributeError``.

    A ``Tensor.__getattr__`` would do the same with one function, but defining ``__getattr__``
    on a class makes CPython route *every* attribute lookup on its instances through a slower
    path (3.11: a slot read 9 ns -> 28 ns, a property 47 -> 70 ns, a method call 28 -> 65 ns),
    and tensors are read thousands of times per training step. These descriptors cost nothing
    on existing attributes."""

    __slots__ = ("qualname",)

    def __init__(self, qualname: str) -> None:
        self.qualname = qualname

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        raise error(self.qualname)

    def __repr__(self) -> str:
        return f"<not in chaingrad: {self.qualname}>"


def is_placeholder(obj: Any) -> bool:
    return isinstance(obj, _Placeholder)


def install_tensor_placeholders(tensor_cls: type) -> None:
    """Give ``Tensor`` a raising placeholder for every torch.Tensor name it lacks. Run after
    every method is bound (``_ops_install``); a method bound later replaces its placeholder."""
    for name in names("torch.Tensor"):
        if not any(name in klass.__dict__ for klass in tensor_cls.__mro__):
            setattr(tensor_cls, name, _Placeholder(f"torch.Tensor.{name}"))
