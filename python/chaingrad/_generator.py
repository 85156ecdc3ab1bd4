"""torch's CPU random generator, reproduced: mt19937 (32-bit) with torch's seeding and state.

torch's ``CPUGeneratorImpl`` is a 32-bit Mersenne Twister seeded with ``init_genrand(seed &
0xffffffff)``; NumPy's ``MT19937`` seeded through ``_legacy_seeding`` produces the same raw
stream, so the engine is NumPy's and this class only adds torch's bookkeeping: the full 64-bit
initial seed, the cached second Box-Muller samples (``next_double_normal_sample`` and
``next_float_normal_sample``) and the 5056-byte state tensor layout of ``get_rng_state`` (the
legacy ``THGeneratorState`` POD followed by the float cache), so a state taken from torch can
be loaded here and the other way round.

``random()`` is one 32-bit draw, ``random64()`` two of them, first one in the high half.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

_DEFAULT_SEED = 67280421310721  # torch's default_rng_seed_val (a fresh torch.Generator())
_N = 624
_U64 = np.uint64
_MAX_U64 = (1 << 64) - 1

# torch's CPUGeneratorImplState: the legacy POD (seed, left, seeded, next, state[624] as
# uint64, normal_x/y/rho, normal_is_valid), then the float cache and its flag; 5056 bytes.
_STATE_DTYPE = np.dtype({
    "names": ["seed", "left", "seeded", "next", "state", "normal_x", "normal_y", "normal_rho",
              "normal_is_valid", "next_float", "float_valid"],
    "formats": ["<u8", "<i4", "<i4", "<u8", ("<u8", (_N,)), "<f8", "<f8", "<f8", "<i4", "<f4",
                "u1"],
    "offsets": [0, 8, 12, 16, 24, 5016, 5024, 5032, 5040, 5044, 5048],
    "itemsize": 5056,
})
STATE_SIZE = _STATE_DTYPE.itemsize


def _check_seed(seed: Any) -> int:
    """torch's seed rules: an int (or something int() accepts) in [-2**63, 2**64)."""
    if isinstance(seed, str):
        try:
            seed = int(seed)
        except ValueError:
            raise ValueError(f"invalid literal for int() with base 10: {seed!r}") from None
    if not isinstance(seed, (int, np.integer, float, np.floating)):
        raise TypeError(f"manual_seed expected an int seed, got {type(seed).__name__}")
    seed = int(seed)
    if not -(1 << 63) <= seed <= _MAX_U64:
        raise ValueError(f"Overflow when unpacking long long: seed {seed} is outside "
                         "[-2**63, 2**64)")
    return seed & _MAX_U64


class Generator:
    """A CPU random generator with torch's algorithm, seeding and state (``torch.Generator``).

    Every random function of chaingrad takes ``generator=`` (default: ``default_generator``);
    after ``manual_seed(s)`` the same calls give torch's numbers.
    """

    def __init__(self, device: Any = "cpu") -> None:
        if str(device) != "cpu":
            raise RuntimeError(f"Generator: only the 'cpu' device is supported, got {device!r}")
        self._bg = np.random.MT19937(0)
        self._seed_engine(_DEFAULT_SEED)

    # -- seeding -------------------------------------------------------------------------
    def _seed_engine(self, seed: int) -> None:
        self._seed = seed
        self._bg._legacy_seeding(seed & 0xFFFFFFFF)
        self._fresh = True  # torch keeps next=0, left=1 until the first draw
        self._next_double: float | None = None
        self._next_float: float | None = None

    def manual_seed(self, seed: Any) -> Generator:
        """Seed the generator with an int in [-2**63, 2**64) (negative ones wrap); returns
        self. ``chaingrad.manual_seed`` also takes floats and numeric strings, as torch's."""
        if isinstance(seed, (float, np.floating)):
            raise RuntimeError(f"manual_seed expected a long, but got {type(seed).__name__}")
        self._seed_engine(_check_seed(seed))
        return self

    def seed(self) -> int:
        """Seed from a non-deterministic source and return that seed."""
        s = int.from_bytes(os.urandom(8), "little")
        self._seed_engine(s)
        return s

    def initial_seed(self) -> int:
        return self._seed

    @property
    def device(self) -> str:
        return "cpu"

    # -- state ---------------------------------------------------------------------------
    def get_state(self) -> Any:
        """The state as a uint8 tensor of 5056 bytes, torch's ``get_rng_state`` layout."""
        from .tensor import Tensor

        st = self._bg.state["state"]
        pos = int(st["pos"])
        rec = np.zeros((), dtype=_STATE_DTYPE)
        rec["seed"] = self._seed
        rec["left"] = _N + 1 - pos
        rec["seeded"] = 1
        rec["next"] = 0 if self._fresh else pos
        rec["state"] = np.asarray(st["key"], dtype=np.uint64)
        if self._next_double is not None:
            rec["normal_is_valid"] = 1
            rec["normal_y"] = self._next_double
        if self._next_float is not None:
            rec["float_valid"] = 1
            rec["next_float"] = self._next_float
        return Tensor._from_array(np.frombuffer(rec.tobytes(), dtype=np.uint8).copy())

    def set_state(self, new_state: Any) -> Generator:
        """Load a state from ``get_state`` (or from torch's ``get_rng_state``)."""
        from .tensor import Tensor

        if not isinstance(new_state, Tensor):
            raise TypeError(f"set_state expected a ByteTensor, got {type(new_state).__name__}")
        arr = new_state._data
        if arr.dtype != np.uint8:
            raise TypeError(f"RNG state must be a torch.ByteTensor (uint8), got {arr.dtype}")
        if arr.size != STATE_SIZE:
            raise RuntimeError(f"Expected a CPUGeneratorImplState of size {STATE_SIZE} but "
                               f"found the input RNG state size to be {arr.size}")
        rec = np.frombuffer(np.ascontiguousarray(arr).reshape(-1).tobytes(), dtype=_STATE_DTYPE)[0]
        left, nxt, seeded = int(rec["left"]), int(rec["next"]), int(rec["seeded"])
        if not (seeded and 0 < left <= _N and nxt <= _N):
            raise RuntimeError("Invalid mt19937 state")
        key = np.asarray(rec["state"], dtype=np.uint64)
        self._bg.state = {"bit_generator": "MT19937",
                          "state": {"key": (key & _U64(0xFFFFFFFF)).astype(np.uint32),
                                    "pos": _N + 1 - left}}
        self._seed = int(rec["seed"])
        self._fresh = nxt == 0 and left == 1
        self._next_double = float(rec["normal_y"]) if int(rec["normal_is_valid"]) else None
        self._next_float = float(rec["next_float"]) if int(rec["float_valid"]) else None
        return self

    def __getstate__(self) -> dict:
        return {"state": self.get_state()._data.copy()}

    def __setstate__(self, d: dict) -> None:
        from .tensor import Tensor

        self.__init__()
        self.set_state(Tensor._from_array(d["state"]))

    def __repr__(self) -> str:
        return "<chaingrad.Generator object (cpu)>"

    # -- raw draws (the only places that advance the engine) ----------------------------
    def _random(self, n: int) -> np.ndarray:
        """``n`` 32-bit draws (torch's ``random()``), as uint64."""
        if n <= 0:
            return np.zeros(0, dtype=np.uint64)
        self._fresh = False
        return self._bg.random_raw(n).astype(np.uint64, copy=False)

    def _random64(self, n: int) -> np.ndarray:
        """``n`` 64-bit draws (torch's ``random64()``: two 32-bit draws, first one high)."""
        r = self._random(2 * n)
        return (r[0::2] << _U64(32)) | r[1::2]


def check_generator(generator: Any, fn: str) -> Generator:
    """``generator`` or the default one; anything else is a TypeError naming ``fn``."""
    if generator is None:
        return default_generator
    if not isinstance(generator, Generator):
        raise TypeError(f"{fn}(): argument 'generator' must be a chaingrad.Generator, not "
                        f"{type(generator).__name__}")
    return generator


default_generator = Generator()
default_generator.seed()
