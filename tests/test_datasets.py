"""Tests for chaingrad.datasets (bundled UCI digits)."""

from __future__ import annotations

import numpy as np
import pytest

import chaingrad.datasets as ds
from chaingrad.datasets import load_digits

N = 1797


def test_full_shapes_dtypes_range() -> None:
    X, y = load_digits()
    assert X.shape == (N, 64)
    assert X.dtype == np.float32
    assert y.shape == (N,)
    assert y.dtype == np.int64
    assert X.min() == 0.0
    assert X.max() == 1.0
    # values are k/16 exactly
    assert np.array_equal(X * 16, np.round(X * 16))


def test_label_counts() -> None:
    _, y = load_digits()
    counts = np.bincount(y, minlength=10)
    assert len(counts) == 10
    assert np.all(counts > 0)
    assert counts.sum() == N
    # class counts of the UCI optdigits test set
    assert counts.tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


def test_returns_fresh_arrays() -> None:
    X1, y1 = load_digits()
    X1[:] = -1.0
    y1[:] = -1
    X2, y2 = load_digits()
    assert X2.min() == 0.0
    assert y2.min() == 0


@pytest.mark.parametrize("test_fraction", [0.2, 0.5, 0.01, 0.99])
def test_split_sizes_and_stratification(test_fraction: float) -> None:
    X, y = load_digits()
    X_tr, y_tr, X_te, y_te = load_digits(return_split=True, seed=0, test_fraction=test_fraction)
    assert X_tr.dtype == X_te.dtype == np.float32
    assert y_tr.dtype == y_te.dtype == np.int64
    assert X_tr.shape[1] == X_te.shape[1] == 64
    assert len(X_tr) == len(y_tr) and len(X_te) == len(y_te)
    assert len(y_tr) + len(y_te) == N
    full = np.bincount(y, minlength=10)
    n_te = np.bincount(y_te, minlength=10)
    n_tr = np.bincount(y_tr, minlength=10)
    # each class in both splits, per-class proportions preserved
    assert np.all(n_te >= 1) and np.all(n_tr >= 1)
    assert np.array_equal(n_te + n_tr, full)
    expected = np.clip(np.round(full * test_fraction), 1, full - 1)
    assert np.all(np.abs(n_te - expected) <= 1)


def test_split_partitions_the_data() -> None:
    X, _ = load_digits()
    X_tr, _, X_te, _ = load_digits(return_split=True)
    rows = np.concatenate([X_tr, X_te])
    # same multiset of rows as the full data (a partition, no duplicates)
    key = lambda a: np.sort(a.view(np.dtype((np.void, a.dtype.itemsize * 64))).ravel())  # noqa: E731
    assert np.array_equal(key(rows), key(X))


def test_split_default_size() -> None:
    _, y_tr, _, y_te = load_digits(return_split=True)
    assert abs(len(y_te) - 0.2 * N) <= 10
    assert len(y_tr) + len(y_te) == N


def test_split_deterministic() -> None:
    a = load_digits(return_split=True, seed=123)
    b = load_digits(return_split=True, seed=123)
    for u, v in zip(a, b):
        assert np.array_equal(u, v)
    c = load_digits(return_split=True, seed=124)
    assert not np.array_equal(a[1], c[1])


@pytest.mark.parametrize("bad", [0.0, 1.0, -0.1, 1.5, float("nan"), float("inf")])
def test_bad_test_fraction(bad: float) -> None:
    with pytest.raises(ValueError, match="test_fraction") as info:
        load_digits(return_split=True, test_fraction=bad)
    assert repr(bad) in str(info.value)


def test_bad_types() -> None:
    with pytest.raises(TypeError, match="seed"):
        load_digits(return_split=True, seed=1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="test_fraction"):
        load_digits(test_fraction="0.2")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="return_split"):
        load_digits(return_split="yes")  # type: ignore[arg-type]


def test_missing_file_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ds, "_DIGITS_FILE", "no_such_file.npz")
    ds._load_raw_digits.cache_clear()
    try:
        with pytest.raises(OSError, match="no_such_file.npz"):
            load_digits()
    finally:
        ds._load_raw_digits.cache_clear()
