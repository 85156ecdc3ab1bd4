"""chaingrad.utils.data against torch.utils.data: the same script run on both libraries gives
the same batch indices (shuffling, samplers, random_split, with and without a generator, over
several seeds and epochs, and the same default-generator state afterwards), default_collate and
default_convert give the same types/dtypes/shapes/values, bad arguments raise torch's
exception types, and the batches train like any chaingrad tensor."""

from __future__ import annotations

import collections
import subprocess
import sys
import warnings
from typing import Any, Callable

import numpy as np
import pytest

import chaingrad as cg
from chaingrad import nn
from chaingrad.utils import data as cdata

SEEDS = [0, 1, 1234]


def _torch() -> Any:
    return pytest.importorskip("torch")


def _data(lib: Any) -> Any:
    return cdata if lib is cg else lib.utils.data


def _gen(lib: Any, seed: int) -> Any:
    g = lib.Generator()
    g.manual_seed(seed)
    return g


def _batches(loader: Any) -> list:
    """Each batch as nested lists (tensors by ``tolist``)."""
    return [_plain(b) for b in loader]


def _plain(x: Any) -> Any:
    if hasattr(x, "tolist") and not isinstance(x, (list, np.generic)):
        return x.tolist()
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    return x


def _draw(lib: Any) -> int:
    """One int64 draw from the default generator: equal on both sides only if both consumed
    the same number of draws before."""
    return int(lib.empty((), dtype=lib.int64).random_().item())


class _Range:
    """A map-style dataset of ints (a plain Dataset path: no TensorDataset fast path)."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> int:
        if not 0 <= i < self.n:
            raise IndexError(i)
        return i


# ----------------------------------------------------------------------------- scenarios
# Each takes (lib, seed) and returns plain data; the test compares chaingrad's with torch's.

def _loader_default_rng(lib: Any, seed: int) -> Any:
    d = _data(lib)
    ds = d.TensorDataset(lib.arange(23), lib.arange(23) * 10)
    lib.manual_seed(seed)
    out = []
    for shuffle, drop_last, bs in [(False, False, 5), (True, False, 5), (True, True, 4),
                                   (False, True, 6), (True, False, 23), (True, False, 40)]:
        dl = d.DataLoader(ds, batch_size=bs, shuffle=shuffle, drop_last=drop_last)
        out.append([len(dl), _batches(dl), _batches(dl)])  # two epochs
    out.append(_draw(lib))
    return out


def _loader_generator(lib: Any, seed: int) -> Any:
    d = _data(lib)
    lib.manual_seed(seed + 7)
    g = _gen(lib, seed)
    dl = d.DataLoader(d.TensorDataset(lib.arange(17)), batch_size=3, shuffle=True, generator=g)
    out = [_batches(dl), _batches(dl)]
    dl2 = d.DataLoader(_Range(11), batch_size=4, shuffle=True, drop_last=True, generator=g)
    out += [_batches(dl2), _batches(dl2), _draw(lib)]
    return out


def _loader_plain_dataset(lib: Any, seed: int) -> Any:
    d = _data(lib)
    lib.manual_seed(seed)
    ds = _Range(13)
    out = [_batches(d.DataLoader(ds, batch_size=4, shuffle=True)),
           _batches(d.DataLoader(ds, batch_size=None, shuffle=True)),
           _batches(d.DataLoader(ds, batch_size=5))]
    sub = d.Subset(d.TensorDataset(lib.arange(30)), list(range(0, 30, 3)))
    out.append(_batches(d.DataLoader(sub, batch_size=4, shuffle=True)))
    out.append(_draw(lib))
    return out


def _random_split(lib: Any, seed: int) -> Any:
    d = _data(lib)
    ds = _Range(10)
    lib.manual_seed(seed)
    out = []
    for lengths in ([3, 7], [0.5, 0.3, 0.2], [0.34, 0.33, 0.33], [10], [5, 0, 5]):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parts = d.random_split(ds, lengths)
        out.append([list(p.indices) for p in parts])
    parts = d.random_split(ds, [0.7, 0.3], generator=_gen(lib, seed))
    out.append([[p[i] for i in range(len(p))] for p in parts])
    out.append(_draw(lib))
    return out


def _random_sampler(lib: Any, seed: int) -> Any:
    d = _data(lib)
    lib.manual_seed(seed)
    ds = _Range(10)
    out = []
    for kw in (dict(), dict(replacement=True), dict(replacement=True, num_samples=70),
               dict(num_samples=25), dict(num_samples=4)):
        s = d.RandomSampler(ds, **kw)
        out.append([len(s), list(s), list(s)])
        s = d.RandomSampler(ds, generator=_gen(lib, seed), **kw)
        out.append([list(s), list(s)])
    out.append(_draw(lib))
    return out


def _other_samplers(lib: Any, seed: int) -> Any:
    d = _data(lib)
    lib.manual_seed(seed)
    out = []
    s = d.SubsetRandomSampler([4, 8, 15, 16, 23, 42])
    out += [list(s), list(s)]
    s = d.SubsetRandomSampler(range(5, 12), generator=_gen(lib, seed))
    out += [list(s), list(s)]
    w = [0.1, 0.9, 0.4, 0.7, 3.0, 0.6]
    for repl in (True, False):
        s = d.WeightedRandomSampler(w, 5, replacement=repl)
        out += [list(s), list(s)]
        s = d.WeightedRandomSampler(w, 6, replacement=repl, generator=_gen(lib, seed))
        out.append(list(s))
    s = d.WeightedRandomSampler([1.0] * 10, 40, replacement=True)
    out.append(list(s))
    bs = d.BatchSampler(d.RandomSampler(_Range(9)), 4, False)
    out += [len(bs), list(bs)]
    dl = d.DataLoader(d.TensorDataset(lib.arange(9) * 2), batch_sampler=bs)
    out += [len(dl), _batches(dl)]
    dl = d.DataLoader(_Range(8), sampler=d.SubsetRandomSampler([1, 3, 5, 7]), batch_size=3)
    out += [_batches(dl)]
    out.append(_draw(lib))
    return out


def _interleaved_draws(lib: Any, seed: int) -> Any:
    """Draws from the sampler's own generator between batches see the same stream: the
    permutations are drawn at torch's moments (when a batch first needs one of its indices)."""
    d = _data(lib)
    lib.manual_seed(seed)
    g = _gen(lib, seed)
    out = []
    for bs, drop_last, num in [(4, False, None), (5, False, None), (3, True, 25), (5, True, 20),
                               (7, False, 20)]:
        sampler = d.RandomSampler(_Range(10), num_samples=num, generator=g)
        for batch in d.BatchSampler(sampler, bs, drop_last):
            out.append((batch, int(lib.empty((), dtype=lib.int64).random_(0, 100,
                                                                           generator=g).item())))
        seq = d.DataLoader(_Range(6), batch_size=bs, drop_last=drop_last)
        out.append([(b.tolist(), _draw(lib)) for b in seq])
    out.append(_draw(lib))
    return out


SCENARIOS: dict[str, Callable[[Any, int], Any]] = {
    "interleaved_draws": _interleaved_draws,
    "loader_default_rng": _loader_default_rng,
    "loader_generator": _loader_generator,
    "loader_plain_dataset": _loader_plain_dataset,
    "random_split": _random_split,
    "random_sampler": _random_sampler,
    "other_samplers": _other_samplers,
}


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_same_indices_as_torch(name: str, seed: int) -> None:
    torch = _torch()
    expected = SCENARIOS[name](torch, seed)
    got = SCENARIOS[name](cg, seed)
    assert got == expected


def test_sequential_batches_and_len() -> None:
    d = cdata
    ds = d.TensorDataset(cg.arange(10), cg.arange(10) * 2.0)
    dl = d.DataLoader(ds, batch_size=4)
    assert len(dl) == 3
    first = _batches(dl)
    assert first == [[[0, 1, 2, 3], [0.0, 2.0, 4.0, 6.0]], [[4, 5, 6, 7], [8.0, 10.0, 12.0, 14.0]],
                     [[8, 9], [16.0, 18.0]]]
    assert _batches(dl) == first  # a second pass starts over
    dl = d.DataLoader(ds, batch_size=4, drop_last=True)
    assert len(dl) == 2 and [b[0].tolist() for b in dl] == [[0, 1, 2, 3], [4, 5, 6, 7]]
    dl = d.DataLoader(ds, batch_size=None)
    assert len(dl) == 10
    items = list(dl)
    assert isinstance(items[3], list) and items[3][0].shape == () and items[3][1].item() == 6.0
    assert len(iter(dl)) == 10


def test_shuffle_is_a_permutation_each_epoch() -> None:
    cg.manual_seed(3)
    dl = cdata.DataLoader(cdata.TensorDataset(cg.arange(50)), batch_size=7, shuffle=True)
    epochs = [sum((b[0].tolist() for b in dl), []) for _ in range(3)]
    for e in epochs:
        assert sorted(e) == list(range(50))
    assert epochs[0] != epochs[1] != epochs[2]
    cg.manual_seed(3)
    assert sum((b[0].tolist() for b in dl), []) == epochs[0]


# ----------------------------------------------------------------------------- collate

Point = collections.namedtuple("Point", ["x", "y"])


def _describe(x: Any, lib: Any) -> Any:
    """A library-neutral picture of a collated value: tensors as (dtype, shape, values)."""
    if isinstance(x, lib.Tensor):
        return ("tensor", str(x.dtype).replace("torch.", ""), tuple(x.shape), x.tolist())
    if isinstance(x, Point):
        return ("Point", [_describe(v, lib) for v in x])
    if isinstance(x, dict):
        return (type(x).__name__, {k: _describe(v, lib) for k, v in x.items()})
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, [_describe(v, lib) for v in x])
    if isinstance(x, np.ndarray):
        return ("ndarray", str(x.dtype), x.shape, x.tolist())
    return (type(x).__name__, x)


def _collate_inputs(lib: Any) -> dict[str, list]:
    f32 = np.arange(6, dtype=np.float32).reshape(2, 3)
    return {
        "tensors_f32": [lib.tensor(f32[0]), lib.tensor(f32[1])],
        "tensors_i64": [lib.tensor([1, 2]), lib.tensor([3, 4]), lib.tensor([5, 6])],
        "tensors_0d": [lib.tensor(1.5), lib.tensor(2.5)],
        "tensors_f64_2d": [lib.tensor(f32.astype(np.float64)) for _ in range(3)],
        "tensors_bool": [lib.tensor([True, False]), lib.tensor([False, False])],
        "tuples": [(lib.tensor([1.0, 2.0]), 3), (lib.tensor([4.0, 5.0]), 6)],
        "lists": [[1, 2.5, "a"], [3, 4.5, "b"]],
        "dicts": [{"img": lib.tensor(f32), "label": 1, "name": "a"},
                  {"img": lib.tensor(f32 + 1), "label": 0, "name": "b"}],
        "nested": [{"pair": (np.float32(1.0), [np.int64(2), 3.0]), "t": lib.tensor([1])},
                   {"pair": (np.float32(4.0), [np.int64(5), 6.0]), "t": lib.tensor([2])}],
        "numpy_f32": [f32, f32 * 2],
        "numpy_i32": [np.array([1, 2], dtype=np.int32), np.array([3, 4], dtype=np.int32)],
        "numpy_f64_0d": [np.array(1.0), np.array(2.0)],
        "numpy_u8": [np.array([[1, 2]], dtype=np.uint8)] * 3,
        "numpy_scalars_f32": [np.float32(1.5), np.float32(2.5)],
        "numpy_scalars_i32": [np.int32(1), np.int32(2)],
        "numpy_scalars_f64": [np.float64(1.5), np.float64(2.5)],
        "numpy_scalars_bool": [np.bool_(True), np.bool_(False)],
        "floats": [1.5, 2.0, -3.25],
        "ints": [1, 2, 3],
        "bools": [True, False],
        "strings": ["a", "bc"],
        "bytes": [b"a", b"bc"],
        "namedtuples": [Point(lib.tensor([1.0]), 2), Point(lib.tensor([3.0]), 4)],
    }


COLLATE_CASES = sorted(_collate_inputs(cg))


@pytest.mark.parametrize("case", COLLATE_CASES)
def test_default_collate_matches_torch(case: str) -> None:
    torch = _torch()
    expected = _describe(torch.utils.data.default_collate(_collate_inputs(torch)[case]), torch)
    got = _describe(cdata.default_collate(_collate_inputs(cg)[case]), cg)
    assert got == expected


@pytest.mark.parametrize("case", COLLATE_CASES)
def test_default_convert_matches_torch(case: str) -> None:
    torch = _torch()
    for i in range(2):
        expected = _describe(torch.utils.data.default_convert(_collate_inputs(torch)[case][i]),
                             torch)
        got = _describe(cdata.default_convert(_collate_inputs(cg)[case][i]), cg)
        assert got == expected


def test_default_convert_whole_batch_and_arrays() -> None:
    a = np.arange(4, dtype=np.float32)
    t = cdata.default_convert(a)
    assert isinstance(t, cg.Tensor) and t.dtype == np.float32
    a[0] = 9.0
    assert t[0].item() == 9.0  # shares memory, like torch.as_tensor
    s = np.array(["x", "y"])
    assert cdata.default_convert(s) is s
    assert cdata.default_convert("abc") == "abc"
    out = cdata.default_convert((np.int32(3), [a, "k"]))
    assert isinstance(out, list) and out[0].dtype == np.int32 and out[1][1] == "k"


def test_collate_tensor_promotion_and_grad() -> None:
    torch = _torch()
    for lib in (torch, cg):
        mixed = lib.utils.data.default_collate([lib.tensor([1, 2]), lib.tensor([0.5, 1.5])])
        assert str(mixed.dtype).endswith("float32") and mixed.tolist() == [[1.0, 2.0],
                                                                           [0.5, 1.5]]
    w = cg.tensor([1.0, 2.0], requires_grad=True)
    b = cdata.default_collate([w * 2, w * 3])
    assert b.requires_grad and b.grad_fn is not None
    b.sum().backward()
    assert w.grad.tolist() == [5.0, 5.0]
    with cg.no_grad():
        assert not cdata.default_collate([w * 2, w * 3]).requires_grad


def test_collate_fn_map_extension() -> None:
    from chaingrad.utils.data._utils.collate import collate, default_collate_fn_map

    class Box:
        def __init__(self, v: int) -> None:
            self.v = v

    fmap = {Box: lambda batch, *, collate_fn_map: sum(b.v for b in batch)}
    fmap.update(default_collate_fn_map)
    assert collate([(Box(1), 2.0), (Box(5), 3.0)], collate_fn_map=fmap)[0] == 6


def test_collate_errors_match_torch() -> None:
    torch = _torch()
    for lib in (torch, cg):
        dc = lib.utils.data.default_collate
        with pytest.raises(TypeError, match="batch must contain tensors"):
            dc([None, None])
        with pytest.raises(TypeError, match="batch must contain tensors"):
            dc([np.array(["a"]), np.array(["b"])])
        with pytest.raises(RuntimeError, match="each element in list of batch should be of "
                                               "equal size"):
            dc([[1, 2], [3]])
        with pytest.raises(RuntimeError, match="stack expects each tensor to be equal size"
                           if lib is torch else "stack"):
            dc([lib.zeros(2), lib.zeros(3)])
        with pytest.raises(IndexError):
            dc([])
    with pytest.raises(TypeError, match="not supported"):
        cdata.default_collate([np.zeros(2, dtype=np.complex64)] * 2)


# ----------------------------------------------------------------------------- errors

def _error_cases(lib: Any) -> list[tuple[type, str, Callable[[], Any]]]:
    d = _data(lib)
    ds = d.TensorDataset(lib.arange(10))

    class It(d.IterableDataset):
        def __iter__(self) -> Any:
            return iter(range(3))

    def set_after_init() -> None:
        d.DataLoader(ds).batch_size = 3

    return [
        (ValueError, "batch_size should be a positive integer",
         lambda: d.DataLoader(ds, batch_size=0)),
        (ValueError, "batch_size should be a positive integer",
         lambda: d.DataLoader(ds, batch_size=-2)),
        (ValueError, "batch_size should be a positive integer",
         lambda: d.BatchSampler(range(3), 2.0, False)),
        (ValueError, "drop_last should be a boolean", lambda: d.BatchSampler(range(3), 2, 1)),
        (ValueError, "sampler option is mutually exclusive with shuffle",
         lambda: d.DataLoader(ds, sampler=d.SequentialSampler(ds), shuffle=True)),
        (ValueError, "batch_sampler option is mutually exclusive",
         lambda: d.DataLoader(ds, batch_sampler=[[0, 1]], batch_size=2)),
        (ValueError, "batch_sampler option is mutually exclusive",
         lambda: d.DataLoader(ds, batch_sampler=[[0, 1]], drop_last=True)),
        (ValueError, "mutually exclusive with drop_last",
         lambda: d.DataLoader(ds, batch_size=None, drop_last=True)),
        (ValueError, "num_workers option should be non-negative",
         lambda: d.DataLoader(ds, num_workers=-1)),
        (ValueError, "persistent_workers option needs num_workers > 0",
         lambda: d.DataLoader(ds, persistent_workers=True)),
        (ValueError, "prefetch_factor option could only be specified",
         lambda: d.DataLoader(ds, prefetch_factor=2)),
        (ValueError, "timeout option should be non-negative",
         lambda: d.DataLoader(ds, timeout=-1)),
        (ValueError, "expected unspecified shuffle option",
         lambda: d.DataLoader(It(), shuffle=True)),
        (ValueError, "expected unspecified sampler option",
         lambda: d.DataLoader(It(), sampler=[0])),
        (ValueError, "batch_size attribute should not be set", set_after_init),
        (ValueError, "Sum of input lengths does not equal",
         lambda: d.random_split(ds, [3, 4])),
        (ValueError, "Sum of input lengths does not equal",
         lambda: d.random_split(ds, [0.5, 0.2])),
        (ValueError, "Fraction at index 0 is not between 0 and 1",
         lambda: d.random_split(ds, [1.5, -0.5])),
        (AssertionError, "Size mismatch between tensors",
         lambda: d.TensorDataset(lib.arange(10), lib.arange(9))),
        (IndexError, "out of", lambda: ds[10]),
        (IndexError, "out of",
         lambda: list(d.DataLoader(ds, sampler=[8, 9, 10], batch_size=2))),
        (ValueError, "num_samples should be a positive integer",
         lambda: d.RandomSampler(ds, num_samples=0)),
        (TypeError, "replacement should be a boolean", lambda: d.RandomSampler(ds, replacement=1)),
        (ValueError, "num_samples should be a positive integer",
         lambda: d.WeightedRandomSampler([1.0, 2.0], 0)),
        (ValueError, "weights should be a 1d sequence",
         lambda: d.WeightedRandomSampler([[1.0, 2.0]], 2)),
        (AssertionError, "datasets should not be an empty iterable",
         lambda: d.ConcatDataset([])),
        (AssertionError, "ConcatDataset does not support IterableDataset",
         lambda: d.ConcatDataset([It()])),
        (ValueError, "absolute value of index should not exceed dataset length",
         lambda: d.ConcatDataset([ds, ds])[-21]),
        (ValueError, "Size mismatch between datasets", lambda: d.StackDataset(ds, _Range(3))),
        (NotImplementedError, "Subclasses of Dataset should implement __getitem__",
         lambda: d.Dataset()[0]),
    ]


@pytest.mark.parametrize("case", range(len(_error_cases(cg))))
def test_errors_match_torch(case: int) -> None:
    torch = _torch()
    for lib in (torch, cg):
        exc, msg, fn = _error_cases(lib)[case]
        with pytest.raises(exc, match=msg):
            fn()


# ----------------------------------------------------------------------------- datasets

def test_datasets() -> None:
    a, b = cdata.TensorDataset(cg.arange(4)), cdata.TensorDataset(cg.arange(10, 13))
    cat = a + b
    assert isinstance(cat, cdata.ConcatDataset) and len(cat) == 7
    assert [cat[i][0].item() for i in range(7)] == [0, 1, 2, 3, 10, 11, 12]
    assert cat[-1][0].item() == 12 and cat.cumulative_sizes == [4, 7]
    sub = cdata.Subset(cat, [6, 0, 4])
    assert len(sub) == 3 and [x[0].item() for x in sub.__getitems__([0, 2])] == [12, 10]
    st = cdata.StackDataset(x=a, y=_Range(4))
    assert st[2]["y"] == 2 and st.__getitems__([1, 3])[1]["x"][0].item() == 3
    st = cdata.StackDataset(a, _Range(4))
    assert st[1][1] == 1 and len(st) == 4

    class It(cdata.IterableDataset):
        def __init__(self, n: int) -> None:
            self.n = n

        def __iter__(self) -> Any:
            return iter(range(self.n))

        def __len__(self) -> int:
            return self.n

    chain = It(3) + It(2)
    assert isinstance(chain, cdata.ChainDataset) and list(chain) == [0, 1, 2, 0, 1]
    assert len(chain) == 5


def test_iterable_dataset_loader() -> None:
    class It(cdata.IterableDataset):
        def __iter__(self) -> Any:
            return iter(np.arange(7, dtype=np.float32))

        def __len__(self) -> int:
            return 7

    dl = cdata.DataLoader(It(), batch_size=3)
    assert len(dl) == 3
    out = list(dl)
    assert [b.tolist() for b in out] == [[0, 1, 2], [3, 4, 5], [6]]
    assert out[0].dtype == np.float32
    assert [b.tolist() for b in cdata.DataLoader(It(), batch_size=3, drop_last=True)] == \
        [[0, 1, 2], [3, 4, 5]]
    single = list(cdata.DataLoader(It(), batch_size=None))
    assert len(single) == 7 and isinstance(single[2], cg.Tensor) and single[2].shape == ()

    class Long(It):
        def __len__(self) -> int:
            return 2

    dl = cdata.DataLoader(Long(), batch_size=None)
    assert len(dl) == 2
    with pytest.warns(UserWarning, match="Length of IterableDataset"):
        list(dl)


def test_subset_subclass_must_override_getitems() -> None:
    class Bad(cdata.Subset):
        def __getitem__(self, i: int) -> int:
            return 0

    with pytest.raises(NotImplementedError, match="overrides __getitem__ but not __getitems__"):
        Bad(_Range(3), [0])


def test_random_split_fraction_sizes() -> None:
    cg.manual_seed(0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        parts = cdata.random_split(_Range(3), [0.9, 0.05, 0.05])
    assert [str(w.message)[:26] for w in caught] == ["Length of split at index 1",
                                                     "Length of split at index 2"]
    assert [len(p) for p in parts] == [3, 0, 0]
    parts = cdata.random_split(_Range(11), [0.5, 0.5])
    assert [len(p) for p in parts] == [6, 5]
    assert sorted(parts[0].indices + parts[1].indices) == list(range(11))


# ----------------------------------------------------------------------------- loader options

def test_workers_and_ignored_options_give_same_batches() -> None:
    ds = cdata.TensorDataset(cg.arange(20))
    runs = []
    for kw in (dict(), dict(num_workers=2), dict(num_workers=3, persistent_workers=True,
                                                  prefetch_factor=4, pin_memory=True,
                                                  timeout=5, worker_init_fn=lambda i: 1 / 0)):
        cg.manual_seed(5)
        runs.append(_batches(cdata.DataLoader(ds, batch_size=6, shuffle=True, **kw)))
    assert runs[0] == runs[1] == runs[2]
    assert cdata.get_worker_info() is None


def test_custom_collate_and_batch_sampler() -> None:
    ds = _Range(7)
    dl = cdata.DataLoader(ds, batch_size=3, collate_fn=lambda b: tuple(reversed(b)))
    assert list(dl) == [(2, 1, 0), (5, 4, 3), (6,)]
    dl = cdata.DataLoader(ds, batch_sampler=[[6, 0], [3]])
    assert [b.tolist() for b in dl] == [[6, 0], [3]]
    assert dl.batch_size is None and not dl.drop_last


def test_fast_path_matches_general_path() -> None:
    class Plain(cdata.TensorDataset):  # overriding __getitem__ turns the fast path off
        def __getitem__(self, i: Any) -> tuple:
            return super().__getitem__(i)

    x = cg.tensor(np.random.default_rng(0).standard_normal((40, 3, 2)).astype(np.float32))
    y = cg.arange(40)
    for make in (cdata.TensorDataset, Plain):
        ds = make(x, y)
        sub = cdata.Subset(cdata.Subset(ds, list(range(39, -1, -1))), list(range(0, 40, 2)))
        for d in (ds, sub):
            out = list(cdata.DataLoader(d, batch_size=6,
                                        sampler=[3, 1, 4, 1, 5, 9, 2, 6, 5, 3, -1, 7, 0]))
            assert all(type(b) is list and len(b) == 2 for b in out)
            assert out[0][0].dtype == np.float32 and out[0][1].dtype == np.int64
            assert [b[0].shape for b in out] == [(6, 3, 2), (6, 3, 2), (1, 3, 2)]
            rows = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, -1, 7, 0]
            if d is sub:
                outer, inner = list(range(0, 40, 2)), list(range(39, -1, -1))
                rows = [inner[outer[r]] for r in rows]
            base = np.asarray(x)
            got = np.concatenate([np.asarray(b[0]) for b in out])
            np.testing.assert_array_equal(got, base[rows])


def test_fast_path_keeps_autograd() -> None:
    x = cg.randn(8, 3, requires_grad=True)
    dl = cdata.DataLoader(cdata.TensorDataset(x), batch_size=4)
    batches = list(dl)
    assert batches[0][0].requires_grad
    (batches[0][0].sum() + 2 * batches[1][0].sum()).backward()
    assert x.grad.tolist() == [[1.0] * 3] * 4 + [[2.0] * 3] * 4


def test_batches_train_a_model() -> None:
    rng = np.random.default_rng(0)
    xs = rng.standard_normal((64, 4)).astype(np.float32)
    ys = (xs @ np.array([1.0, -2.0, 0.5, 3.0], dtype=np.float32)).astype(np.float32)
    cg.manual_seed(0)
    model = nn.Linear(4, 1)
    opt = cg.optim.SGD(model.parameters(), lr=0.05)
    dl = cdata.DataLoader(cdata.TensorDataset(cg.from_numpy(xs), cg.from_numpy(ys)),
                          batch_size=16, shuffle=True)
    losses = []
    for _ in range(30):
        for xb, yb in dl:
            assert type(xb) is cg.Tensor and xb.dtype == np.float32 and not xb.requires_grad
            loss = nn.functional.mse_loss(model(xb).squeeze(1), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
    assert losses[-1] < 1e-3 * losses[0]


def test_import_paths() -> None:
    code = ("import chaingrad\n"
            "assert chaingrad.utils.data.DataLoader.__name__ == 'DataLoader'\n"
            "import chaingrad.utils.data as d\n"
            "from chaingrad.utils.data import DataLoader, TensorDataset, default_collate\n"
            "assert d.DataLoader is DataLoader\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def _train_script(lib: Any) -> list:
    """A small torch training script, written once: seed, model init, random_split, shuffled
    DataLoader with dropout in the model (so the loader's draws and the model's share the
    default generator), three epochs of SGD."""
    d = _data(lib)
    lib.manual_seed(0)
    xs = lib.randn(60, 5)
    ys = lib.randint(0, 3, (60,))
    train, _ = d.random_split(d.TensorDataset(xs, ys), [0.75, 0.25])
    model = lib.nn.Sequential(lib.nn.Linear(5, 8), lib.nn.Tanh(), lib.nn.Dropout(0.25),
                              lib.nn.Linear(8, 3))
    opt = lib.optim.SGD(model.parameters(), lr=0.1)
    losses = []
    for _ in range(3):
        for xb, yb in d.DataLoader(train, batch_size=8, shuffle=True):
            loss = lib.nn.functional.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
    return losses + [p.detach().numpy().copy() for p in model.parameters()]


def test_training_script_matches_torch() -> None:
    torch = _torch()
    expected = _train_script(torch)
    got = _train_script(cg)
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-6)
