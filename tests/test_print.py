"""print(t) and repr(t) give torch's text (issue 9), compared with torch over a grid of tensors."""

from __future__ import annotations

import numpy as np
import pytest

import chaingrad as cg

torch = pytest.importorskip("torch")


@pytest.fixture(autouse=True)
def _default_options():
    cg.set_printoptions(profile="default")
    torch.set_printoptions(profile="default")
    yield
    cg.set_printoptions(profile="default")
    torch.set_printoptions(profile="default")


def _grid() -> list[np.ndarray]:
    rng = np.random.default_rng(9)
    arrays: list[np.ndarray] = []
    shapes = [(), (1,), (5,), (7,), (30,), (2, 3), (4, 1), (3, 12), (2, 3, 4), (1, 2, 1),
              (11, 13), (3, 4, 20), (1001,), (40, 30), (12, 10, 10), (0,), (0, 3), (2, 0, 4)]
    for shape in shapes:
        for lo_exp, hi_exp in [(-8, -6), (-5, -3), (-2, 0), (0, 1), (0, 3), (2, 4), (6, 8),
                               (-8, 8), (-3, 5)]:
            mag = 10.0 ** rng.uniform(lo_exp, hi_exp, size=shape)
            sign = rng.choice([-1.0, 1.0], size=shape)
            arrays.append(mag * sign)
        arrays.append(rng.integers(-50, 50, size=shape).astype(np.float64))
        arrays.append(rng.integers(-10**9, 10**9, size=shape).astype(np.float64))
        arrays.append(rng.integers(-1000, 1000, size=shape))
        arrays.append(rng.integers(0, 5, size=shape).astype(np.int32))
        arrays.append(rng.integers(0, 2, size=shape).astype(bool))
        special = rng.standard_normal(shape)
        if special.size:
            flat = special.reshape(-1)
            flat[rng.integers(0, flat.size, size=max(1, flat.size // 3))] = rng.choice(
                [np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -2.0], size=max(1, flat.size // 3))
        arrays.append(special)
    arrays += [np.array([0.0, np.nan]), np.array([np.inf, -np.inf]), np.array(-0.0),
               np.array([-0.0, 0.0]), np.array([1e-30, 1.0]), np.array(np.nan),
               np.array([1e200, -1e-200]), np.array([123456789.0]), np.array([0.5, 100.0])]
    return [np.asarray(a) for a in arrays]


GRID = _grid()


def _cases() -> list:
    out = []
    for i, arr in enumerate(GRID):
        dtypes = [np.float32, np.float64] if arr.dtype.kind == "f" else [arr.dtype]
        for dt in dtypes:
            with np.errstate(over="ignore"):
                cast = arr.astype(dt)
            out.append(pytest.param(cast, id=f"{i}-{np.dtype(dt).name}-{arr.shape}"))
    return out


CASES = _cases()


def test_grid_is_large():
    assert len(CASES) > 400


@pytest.mark.parametrize("arr", CASES)
def test_str_matches_torch(arr):
    c = cg.tensor(arr.copy())
    t = torch.tensor(arr.copy())
    assert str(c) == str(t)
    assert repr(c) == repr(t)


@pytest.mark.parametrize("arr", [a for a in GRID[::7] if a.dtype.kind == "f" and a.size < 500])
def test_autograd_suffixes_match_torch(arr):
    c = cg.tensor(arr.copy(), requires_grad=True)
    t = torch.tensor(arr.copy(), requires_grad=True)
    assert repr(c) == repr(t)
    assert repr(c * 2) == repr(t * 2)
    assert repr(c + 1) == repr(t + 1)


def test_float64_default_dtype_drops_suffix():
    cg.set_default_dtype(cg.float64)
    torch.set_default_dtype(torch.float64)
    try:
        for arr in [np.array([1.5, 2.0]), np.array([1.5], dtype=np.float32), np.zeros((0, 2))]:
            assert repr(cg.tensor(arr)) == repr(torch.tensor(arr))
        assert repr(cg.tensor([], dtype=cg.int64)) == repr(torch.tensor([], dtype=torch.int64))
    finally:
        cg.set_default_dtype(cg.float32)
        torch.set_default_dtype(torch.float32)


@pytest.mark.parametrize("opts", [
    dict(precision=2), dict(precision=8), dict(threshold=5), dict(edgeitems=1, threshold=10),
    dict(linewidth=40), dict(sci_mode=True), dict(sci_mode=False), dict(profile="short"),
    dict(profile="full"), dict(profile="short", precision=6), dict(edgeitems=0, threshold=3),
])
def test_set_printoptions_matches_torch(opts):
    cg.set_printoptions(**opts)
    torch.set_printoptions(**opts)
    for arr in GRID[::5]:
        assert str(cg.tensor(arr.copy())) == str(torch.tensor(arr.copy())), arr


def test_printoptions_round_trip_and_errors():
    cg.set_printoptions(precision=3)
    assert cg._format.get_printoptions()["precision"] == 3
    cg.set_printoptions(profile="default")
    assert str(cg.tensor([1.23456])) == "tensor([1.2346])"
    with pytest.raises(ValueError, match="profile"):
        cg.set_printoptions(profile="long")
    with pytest.raises(TypeError, match="precision"):
        cg.set_printoptions(precision=-1)
    with pytest.raises(TypeError, match="sci_mode"):
        cg.set_printoptions(sci_mode="yes")


def test_parameter_and_linewidth_suffix_wrap():
    w = cg.nn.Parameter(cg.tensor([[1.0, 2.0], [3.0, 4.0]]))
    tw = torch.nn.Parameter(torch.tensor([[1.0, 2.0], [3.0, 4.0]]))
    assert repr(w) == repr(tw)
    arr = np.linspace(-3, 3, 9)
    c = cg.tensor(arr, requires_grad=True) * 3
    t = torch.tensor(arr, requires_grad=True) * 3
    assert repr(c) == repr(t)
