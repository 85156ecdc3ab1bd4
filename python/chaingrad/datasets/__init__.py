"""Small datasets bundled with chaingrad (no download needed).

``load_digits`` returns the UCI optical handwritten digits test set (8x8
images, 1,797 samples) as redistributed by scikit-learn. See
``DIGITS_LICENSE.txt`` next to this file for source and licence.
"""

from __future__ import annotations

import functools
import math
import numbers
import zipfile
from importlib import resources

import numpy as np

__all__ = ["load_digits"]

_DIGITS_FILE = "digits.npz"
_N_SAMPLES = 1797
_N_CLASSES = 10
_MAX_PIXEL = 16


@functools.lru_cache(maxsize=1)
def _load_raw_digits() -> tuple[np.ndarray, np.ndarray]:
    """Read and check the bundled npz; return read-only (images, labels)."""
    ref = resources.files(__name__).joinpath(_DIGITS_FILE)
    if not ref.is_file():
        raise FileNotFoundError(
            f"chaingrad digits data file is missing: {_DIGITS_FILE!r} "
            f"in package {__name__!r} (looked at {ref})"
        )
    try:
        with resources.as_file(ref) as path, np.load(path, allow_pickle=False) as npz:
            images = np.asarray(npz["images"])
            labels = np.asarray(npz["labels"])
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        raise RuntimeError(
            f"chaingrad digits data file {_DIGITS_FILE!r} ({ref}) is corrupt or unreadable: {exc}"
        ) from exc

    ok = (
        images.dtype == np.uint8
        and images.shape == (_N_SAMPLES, 8, 8)
        and labels.dtype == np.uint8
        and labels.shape == (_N_SAMPLES,)
        and int(images.max()) <= _MAX_PIXEL
        and int(labels.max()) < _N_CLASSES
    )
    if not ok:
        raise RuntimeError(
            f"chaingrad digits data file {_DIGITS_FILE!r} ({ref}) has unexpected "
            f"contents: images {images.dtype}{images.shape}, "
            f"labels {labels.dtype}{labels.shape}"
        )
    images.setflags(write=False)
    labels.setflags(write=False)
    return images, labels


def _stratified_split(
    y: np.ndarray, seed: int, test_fraction: float
) -> tuple[np.ndarray, np.ndarray]:
    """Return (train_idx, test_idx); every class lands in both parts."""
    rng = np.random.default_rng(seed)
    train_parts: list[np.ndarray] = []
    test_parts: list[np.ndarray] = []
    for cls in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == cls))
        n_test = min(max(round(len(idx) * test_fraction), 1), len(idx) - 1)
        test_parts.append(idx[:n_test])
        train_parts.append(idx[n_test:])
    train_idx = rng.permutation(np.concatenate(train_parts))
    test_idx = rng.permutation(np.concatenate(test_parts))
    return train_idx, test_idx


def load_digits(
    return_split: bool = False, seed: int = 0, test_fraction: float = 0.2
) -> tuple[np.ndarray, np.ndarray] | tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Load the bundled 8x8 handwritten digits dataset.

    Returns ``(X, y)``: ``X`` float32 of shape (1797, 64) with pixels scaled
    to [0, 1] (raw 0..16 divided by 16), ``y`` int64 labels 0..9.

    With ``return_split=True`` returns ``(X_train, y_train, X_test, y_test)``,
    a stratified split (per class, ``round(n_class * test_fraction)`` samples,
    clamped so every class is in both parts) that is deterministic for a
    given ``seed`` (uses ``np.random.default_rng(seed)``).
    """
    if not isinstance(return_split, (bool, np.bool_)):
        raise TypeError(f"return_split must be a bool, got {return_split!r}")
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an int, got {seed!r}")
    if isinstance(test_fraction, (bool, np.bool_)) or not isinstance(test_fraction, numbers.Real):
        raise TypeError(f"test_fraction must be a float, got {test_fraction!r}")
    if not (math.isfinite(test_fraction) and 0.0 < test_fraction < 1.0):
        raise ValueError(
            f"test_fraction must be in the open interval (0, 1), got {test_fraction!r}"
        )

    images, labels = _load_raw_digits()
    X = images.reshape(_N_SAMPLES, 64).astype(np.float32) / np.float32(_MAX_PIXEL)
    y = labels.astype(np.int64)
    if not return_split:
        return X, y

    train_idx, test_idx = _stratified_split(y, int(seed), float(test_fraction))
    return X[train_idx], y[train_idx], X[test_idx], y[test_idx]
