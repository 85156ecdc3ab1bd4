"""Random numbers: after ``manual_seed(s)`` chaingrad draws torch's numbers (bitwise, every dtype),
leaves the generator in torch's state, and nn layers start with torch's parameters."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import chaingrad as cg
from chaingrad import nn

torch = pytest.importorskip("torch")

SEEDS = (0, 1, 12345, 2**40 + 7)
SIZES = ((), (1,), (2,), (3,), (7,), (15,), (16,), (17,), (31,), (1000,), (4, 5))
DTYPES = ("float32", "float64")


def _same(a: cg.Tensor, b: torch.Tensor) -> None:
    x, y = a.detach().numpy(), b.detach().numpy()
    assert x.dtype == y.dtype and x.shape == y.shape
    assert np.array_equal(x, y, equal_nan=True), np.flatnonzero(x != y)[:10]


def _same_state() -> None:
    assert np.array_equal(cg.get_rng_state().numpy(), torch.get_rng_state().numpy())


def _both(fn, seed: int) -> tuple:
    torch.manual_seed(seed)
    cg.manual_seed(seed)
    return fn(cg), fn(torch)


FLOAT_CALLS = {
    "rand": lambda m, s, d: m.rand(*(s or ((),)), dtype=getattr(m, d)),  # varargs or ()
    "randn": lambda m, s, d: m.randn(s, dtype=getattr(m, d)),
    "uniform_": lambda m, s, d: m.empty(s, dtype=getattr(m, d)).uniform_(-1.25, 3.5),
    "normal_": lambda m, s, d: m.empty(s, dtype=getattr(m, d)).normal_(0.75, 1.3),
    "normal": lambda m, s, d: m.normal(-0.5, 2.5, s, dtype=getattr(m, d)),
    "bernoulli_": lambda m, s, d: m.empty(s, dtype=getattr(m, d)).bernoulli_(0.3),
    "bernoulli": lambda m, s, d: m.bernoulli(m.rand(s, dtype=getattr(m, d))),
    "exponential_": lambda m, s, d: m.empty(s, dtype=getattr(m, d)).exponential_(1.7),
    "cauchy_": lambda m, s, d: m.empty(s, dtype=getattr(m, d)).cauchy_(0.5, 2.0),
    "log_normal_": lambda m, s, d: m.empty(s, dtype=getattr(m, d)).log_normal_(0.2, 0.6),
    "geometric_": lambda m, s, d: m.empty(s, dtype=getattr(m, d)).geometric_(0.3),
    "random_": lambda m, s, d: m.empty(s, dtype=getattr(m, d)).random_(),
    "random_to": lambda m, s, d: m.empty(s, dtype=getattr(m, d)).random_(-3, 9),
    "rand_like": lambda m, s, d: m.rand_like(m.zeros(s, dtype=getattr(m, d))),
    "randn_like": lambda m, s, d: m.randn_like(m.zeros(s, dtype=getattr(m, d))),
}


@pytest.mark.parametrize("name", sorted(FLOAT_CALLS))
@pytest.mark.parametrize("dtype", DTYPES)
def test_float_draws_are_torchs(name: str, dtype: str) -> None:
    fn = FLOAT_CALLS[name]
    for seed in SEEDS:
        for size in SIZES:
            a, b = _both(lambda m, size=size: fn(m, size, dtype), seed)
            _same(a, b)
            _same_state()


INT_CALLS = {
    "randint": lambda m, s: m.randint(0, 10, s),
    "randint_high": lambda m, s: m.randint(7, size=s),
    "randint_neg": lambda m, s: m.randint(-(2**20), 5, s),
    "randint_2**28": lambda m, s: m.randint(0, 2**28, s),  # 64-bit draws from here on
    "randint_2**40": lambda m, s: m.randint(-5, 2**40, s),
    "randint_i32": lambda m, s: m.randint(3, 300, s, dtype=m.int32),
    "randint_like": lambda m, s: m.randint_like(m.zeros(s, dtype=m.int64), 2, 9),
    "random_i64": lambda m, s: m.empty(s, dtype=m.int64).random_(),
    "random_i32": lambda m, s: m.empty(s, dtype=m.int32).random_(),
    "random_u8": lambda m, s: m.empty(s, dtype=m.uint8).random_(),
    "random_bool": lambda m, s: m.empty(s, dtype=m.bool).random_(),
    "random_to": lambda m, s: m.empty(s, dtype=m.int64).random_(1000),
    "random_from": lambda m, s: m.empty(s, dtype=m.int16).random_(-7, None),
    "random_full": lambda m, s: m.empty(s, dtype=m.int64).random_(-(2**63), None),
}


@pytest.mark.parametrize("name", sorted(INT_CALLS))
def test_integer_draws_are_torchs(name: str) -> None:
    for seed in SEEDS:
        for size in SIZES:
            a, b = _both(lambda m, size=size: INT_CALLS[name](m, size), seed)
            _same(a, b)
            _same_state()


@pytest.mark.parametrize("n", [0, 1, 2, 3, 10, 100, 1000, 70000])
def test_randperm_is_torchs(n: int) -> None:
    for seed in SEEDS[:2]:
        a, b = _both(lambda m: m.randperm(n), seed)
        _same(a, b)
        _same_state()
    a, b = _both(lambda m: m.randperm(n, dtype=m.float32), 3)
    _same(a, b)


def test_interleaved_calls_keep_torchs_state() -> None:
    """The normal-sample cache and the draw counts carry from one call to the next."""
    def prog(m):
        out = [m.randn(3, dtype=m.float64), m.rand(2), m.randn(1), m.randn(17),
               m.randint(0, 5, (4,)), m.randn(5, dtype=m.float64),
               m.empty(3, 4, dtype=m.float64).t().normal_(), m.randperm(9),
               m.empty(2).log_normal_(), m.randn(()), m.multinomial(m.rand(6), 4)]
        return out
    for seed in SEEDS:
        ours, theirs = _both(prog, seed)
        for a, b in zip(ours, theirs):
            _same(a, b)
        _same_state()


@pytest.mark.parametrize("dtype", DTYPES)
def test_strided_tensors_fill_in_memory_order(dtype: str) -> None:
    def prog(m):
        dt = getattr(m, dtype)
        a = m.zeros(6, 5, dtype=dt).t().normal_(1.0, 2.0)  # transposed: the element-wise path
        b = m.zeros(4, 8, dtype=dt)[:, ::2].uniform_()
        c = m.zeros(5, 6, dtype=dt).t().bernoulli_(m.rand(6, 5, dtype=dt))
        return a, b, c
    for seed in SEEDS[:2]:
        ours, theirs = _both(prog, seed)
        for a, b in zip(ours, theirs):
            _same(a, b)
        _same_state()


@pytest.mark.parametrize("dtype", DTYPES)
def test_normal_overloads(dtype: str) -> None:
    def prog(m):
        dt = getattr(m, dtype)
        mean = m.arange(20, dtype=dt) / 3
        std = m.ones(20, dtype=dt) * 1.7
        return (m.normal(mean, std), m.normal(mean, 0.5), m.normal(0.25, std),
                m.normal(mean[:5], 2.0), m.normal(m.zeros(2, 1, dtype=dt), m.ones(3, dtype=dt)))
    for seed in SEEDS[:2]:
        ours, theirs = _both(prog, seed)
        for a, b in zip(ours, theirs):
            _same(a, b)
        _same_state()


def test_normal_gradient_is_zero_like_torchs() -> None:
    mean = cg.zeros(3, requires_grad=True)
    std = cg.ones(3, requires_grad=True)
    y = cg.normal(mean, std)
    assert y.requires_grad
    y.sum().backward()
    assert np.array_equal(mean.grad.numpy(), np.zeros(3))
    assert np.array_equal(std.grad.numpy(), np.zeros(3))


@pytest.mark.parametrize("dtype", DTYPES)
def test_multinomial_is_torchs(dtype: str) -> None:
    def prog(m):
        dt = getattr(m, dtype)
        p = m.rand(4, 12, dtype=dt)
        return (m.multinomial(p, 1), m.multinomial(p, 5), m.multinomial(p, 12),
                m.multinomial(p, 30, replacement=True), m.multinomial(p[0], 3),
                m.multinomial(p[1], 1, True), m.multinomial(m.tensor([0.0, 1.0, 0.0], dtype=dt), 1))
    for seed in SEEDS:
        ours, theirs = _both(prog, seed)
        for a, b in zip(ours, theirs):
            _same(a, b)
        _same_state()


def test_dropout_masks_are_torchs() -> None:
    def prog(m):
        x = m.ones(4, 3, 5, 5)
        F = m.nn.functional
        return (F.dropout(x, 0.3), F.dropout(x, 0.0), F.dropout(x, 1.0), F.dropout2d(x, 0.5),
                F.dropout1d(x[0], 0.25), m.nn.Dropout(0.1)(x[1]),
                F.dropout(x.double(), 0.4))
    for seed in SEEDS[:2]:
        ours, theirs = _both(prog, seed)
        for a, b in zip(ours, theirs):
            _same(a, b)
        _same_state()


# ----------------------------------------------------------------------------- generators
def test_generator_objects_are_independent() -> None:
    cg.manual_seed(5)
    before = cg.get_rng_state().numpy()
    g = cg.Generator().manual_seed(7)
    tg = torch.Generator().manual_seed(7)
    for f in (lambda m, gen: m.randn(20, generator=gen), lambda m, gen: m.rand(3, generator=gen),
              lambda m, gen: m.randint(0, 9, (5,), generator=gen),
              lambda m, gen: m.randperm(6, generator=gen),
              lambda m, gen: m.empty((), dtype=m.int64).random_(generator=gen),
              lambda m, gen: m.empty(4).normal_(generator=gen),
              lambda m, gen: m.bernoulli(m.full((3,), 0.5), generator=gen),
              lambda m, gen: m.multinomial(m.ones(5), 2, generator=gen),
              lambda m, gen: m.normal(0.0, 1.0, (3,), generator=gen)):
        _same(f(cg, g), f(torch, tg))
    assert np.array_equal(g.get_state().numpy(), tg.get_state().numpy())
    assert np.array_equal(cg.get_rng_state().numpy(), before)  # the default one did not move


def test_generator_seed_and_state_api() -> None:
    g = cg.Generator()
    tg = torch.Generator()
    assert g.initial_seed() == tg.initial_seed() == 67280421310721
    assert g.device == "cpu"
    _same(g.get_state(), tg.get_state())
    for s in (0, -1, 2**64 - 1, 2**63, 42):
        assert g.manual_seed(s) is g
        tg.manual_seed(s)
        assert g.initial_seed() == tg.initial_seed()
        _same(g.get_state(), tg.get_state())
    with pytest.raises(RuntimeError, match="expected a long"):
        g.manual_seed(1.5)
    torch.manual_seed(1.5)
    assert cg.manual_seed(1.5) is cg.default_generator and cg.initial_seed() == 1
    _same_state()
    assert cg.manual_seed(3) is cg.default_generator and cg.initial_seed() == 3
    s = cg.seed()
    assert cg.initial_seed() == s and cg.random.initial_seed() == s
    assert isinstance(cg.random.default_generator, cg.Generator)


def test_state_round_trips_and_loads_torchs_state() -> None:
    g = cg.Generator().manual_seed(11)
    cg.randn(5, generator=g, dtype=cg.float64)  # leaves a cached normal sample
    state = g.get_state()
    assert state.dtype == cg.uint8 and tuple(state.shape) == (5056,)
    first = cg.randn(30, generator=g)
    g.set_state(state)
    assert np.array_equal(cg.randn(30, generator=g).numpy(), first.numpy())
    # torch's state loads here and ours loads in torch
    tg = torch.Generator().manual_seed(11)
    torch.randn(5, generator=tg, dtype=torch.float64)
    _same(state, tg.get_state())
    g2 = cg.Generator().set_state(cg.tensor(tg.get_state().numpy()))
    _same(cg.randn(3, dtype=cg.float64, generator=g2), torch.randn(3, dtype=torch.float64,
                                                                  generator=tg))
    torch.manual_seed(0)
    cg.manual_seed(99)
    cg.set_rng_state(cg.tensor(torch.get_rng_state().numpy()))
    _same(cg.rand(4), torch.rand(4))
    # 624 draws end exactly at the twister's block boundary: still torch's bytes
    a, b = _both(lambda m: m.randint(0, 5, (624,)), 2)
    _same(a, b)
    _same_state()
    # fork_rng restores, deepcopy copies
    with cg.random.fork_rng():
        cg.rand(10)
    _same(cg.rand(3), torch.rand(3))
    g3 = copy.deepcopy(g)
    assert np.array_equal(cg.rand(4, generator=g3).numpy(), cg.rand(4, generator=g).numpy())


def test_bad_arguments_raise_torchs_exception_types() -> None:
    cases = [
        (lambda m: m.rand(-1), RuntimeError, "negative dimension"),
        (lambda m: m.randn(2, -3), RuntimeError, "negative dimension"),
        (lambda m: m.randint(5, 5, (2,)), RuntimeError, "from=5 >= to=5"),
        (lambda m: m.randint(0, 5, (-1,)), RuntimeError, "negative dimension"),
        (lambda m: m.randperm(-1), RuntimeError, "negative dimension"),
        (lambda m: m.empty(3).random_(5, 2), RuntimeError, "from=5 >= to=2"),
        (lambda m: m.multinomial(m.tensor([0.0, 0.0]), 1), RuntimeError, "sum of probabilities"),
        (lambda m: m.multinomial(m.tensor([-1.0, 1.0]), 1), RuntimeError, "element < 0"),
        (lambda m: m.multinomial(m.tensor([1.0, 1.0]), 3), RuntimeError, "without replacement"),
        (lambda m: m.multinomial(m.tensor([1.0, 1.0]), 0), RuntimeError, "n_sample <= 0"),
        (lambda m: m.multinomial(m.ones(2, 2, 2), 1), RuntimeError, "1 or 2 dim"),
        (lambda m: m.normal(0.0, -1.0, (2,)), RuntimeError, "std >= 0.0"),
        (lambda m: m.bernoulli(m.tensor([1.5])), RuntimeError, "p_in >= 0"),
        (lambda m: m.empty(2).exponential_(-1.0), RuntimeError, "lambda > 0"),
        (lambda m: m.rand(3, generator=np.random.default_rng()), TypeError, "generator"),
        (lambda m: m.randint(0, 5, (2,), generator=1), TypeError, "generator"),
        (lambda m: m.manual_seed(2**64), ValueError, "Overflow"),
        (lambda m: m.set_default_dtype(m.int64), TypeError, "floating-point"),
    ]
    for fn, exc, msg in cases:
        with pytest.raises(exc):
            fn(torch)
        with pytest.raises(exc, match=msg):
            fn(cg)
    with pytest.raises(RuntimeError, match="size"):
        cg.set_rng_state(cg.zeros(10, dtype=cg.uint8))
    with pytest.raises(TypeError, match="uint8"):
        cg.set_rng_state(cg.zeros(5056))
    with pytest.raises(RuntimeError, match="leaf Variable"):
        cg.zeros(3, requires_grad=True).normal_()


def test_random_fill_of_a_graph_tensor_cuts_its_history() -> None:
    x = cg.ones(4, requires_grad=True)
    y = x * 2
    y.uniform_()
    y.sum().backward()
    assert np.array_equal(x.grad.numpy(), np.zeros(4))


# ----------------------------------------------------------------------------- nn layers
LAYERS = {
    "Linear": lambda m: m.nn.Linear(3, 4),
    "Linear_big": lambda m: m.nn.Linear(40, 30, bias=False),
    "Bilinear": lambda m: m.nn.Bilinear(3, 4, 2),
    "Embedding": lambda m: m.nn.Embedding(10, 3),
    "Embedding_pad": lambda m: m.nn.Embedding(12, 5, padding_idx=2),
    "Conv1d": lambda m: m.nn.Conv1d(2, 4, 3),
    "Conv2d": lambda m: m.nn.Conv2d(3, 4, 3),
    "Conv2d_groups": lambda m: m.nn.Conv2d(4, 8, (3, 2), groups=2),
    "LayerNorm": lambda m: m.nn.LayerNorm(5),
    "BatchNorm1d": lambda m: m.nn.BatchNorm1d(5),
    "PReLU": lambda m: m.nn.PReLU(),
    "MultiheadAttention": lambda m: m.nn.MultiheadAttention(8, 2),
    "MultiheadAttention_kv": lambda m: m.nn.MultiheadAttention(8, 2, kdim=4, vdim=6),
    "RNN": lambda m: m.nn.RNN(3, 5, num_layers=2),
    "LSTM": lambda m: m.nn.LSTM(3, 5, num_layers=2, bidirectional=True),
    "GRU": lambda m: m.nn.GRU(3, 5, batch_first=True),
    "Sequential": lambda m: m.nn.Sequential(m.nn.Linear(4, 8), m.nn.ReLU(), m.nn.Linear(8, 2)),
}


@pytest.fixture
def default_dtype(request: pytest.FixtureRequest):
    name = request.param
    torch.set_default_dtype(getattr(torch, name))
    cg.set_default_dtype(getattr(cg, name))
    try:
        yield name
    finally:
        torch.set_default_dtype(torch.float32)
        cg.set_default_dtype(cg.float32)


@pytest.mark.parametrize("default_dtype", DTYPES, indirect=True)
@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layers_start_with_torchs_parameters(name: str, default_dtype: str) -> None:
    for seed in SEEDS[:2]:
        ours, theirs = _both(LAYERS[name], seed)
        tp, cp = dict(theirs.named_parameters()), dict(ours.named_parameters())
        assert list(cp) == list(tp)
        for k in tp:
            _same(cp[k], tp[k])
        _same_state()


@pytest.mark.parametrize("default_dtype", DTYPES, indirect=True)
def test_init_functions_are_torchs(default_dtype: str) -> None:
    inits = [
        lambda m, t: m.nn.init.uniform_(t, -2.0, 0.5),
        lambda m, t: m.nn.init.normal_(t, 0.1, 0.3),
        lambda m, t: m.nn.init.xavier_uniform_(t, gain=1.5),
        lambda m, t: m.nn.init.xavier_normal_(t),
        lambda m, t: m.nn.init.kaiming_uniform_(t, mode="fan_out", nonlinearity="relu"),
        lambda m, t: m.nn.init.kaiming_normal_(t, a=0.1),
    ]
    for f in inits:
        ours, theirs = _both(lambda m, f=f: f(m, m.empty(6, 5, 3)), 0)
        _same(ours, theirs)
        _same_state()
    # trunc_normal_ by rejection: redraws whole normal_ tensors (wide [a, b]) or uniform
    # proposals (narrow [a, b], decided by log(u), which is torch's SIMD log, not ours: equal
    # draws except in a rare tie)
    for args in ((0.0, 1.0, -2.0, 2.0), (0.2, 1.0, -1.0, 1.5), (0.0, 1.0, 0.5, 0.9),
                 (1.0, 0.5, -0.2, 0.1)):
        for shape in ((6, 5), (3,), (40, 7)):
            ours, theirs = _both(lambda m, a=args, s=shape: m.nn.init.trunc_normal_(
                m.empty(s), *a), 4)
            _same(ours, theirs)
            _same_state()
    # orthogonal_ goes through QR: same draws, values to rounding (LAPACK builds differ)
    for f in (lambda m, t: m.nn.init.orthogonal_(t, gain=2.0),
              lambda m, t: m.nn.init.orthogonal_(t.t())):
        ours, theirs = _both(lambda m, f=f: f(m, m.empty(6, 5)), 4)
        tol = 1e-5 if default_dtype == "float32" else 1e-12
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=tol, atol=tol)
        _same_state()


def test_default_dtype_is_honoured() -> None:
    assert cg.get_default_dtype() == cg.float32
    cg.set_default_dtype(cg.float64)
    try:
        assert cg.get_default_dtype() == cg.float64
        assert cg.rand(2).dtype == cg.float64 and cg.randn(2).dtype == cg.float64
        assert cg.zeros(2).dtype == cg.float64 and cg.tensor([1.5]).dtype == cg.float64
        assert cg.full((2,), 0.5).dtype == cg.float64 and cg.arange(0.0, 1.0).dtype == cg.float64
        assert cg.tensor([1]).dtype == cg.int64 and cg.randint(3, (2,)).dtype == cg.int64
        assert nn.Linear(2, 3).weight.dtype == cg.float64
        assert nn.LayerNorm(3).weight.dtype == cg.float64
    finally:
        cg.set_default_dtype(cg.float32)
    assert cg.rand(2).dtype == cg.float32 and nn.Linear(2, 3).weight.dtype == cg.float32
