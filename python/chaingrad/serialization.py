"""``chaingrad.save`` / ``chaingrad.load``: checkpoints without pickle.

A checkpoint is one ``.npz`` (zip) file: every tensor/array is an ``.npy`` member (``t0``,
``t1``, ...) and the member ``__chaingrad__`` holds UTF-8 JSON describing the object tree
(dicts, lists, tuples, numbers, strings, bools, None) with references to those members. Loading
uses ``np.load(allow_pickle=False)`` and ``json``, so a checkpoint can never run code. Files are
written to a temporary file in the target directory, fsync'ed and renamed over the target, so a
crash leaves either the old file or the new one. The format is specified in
docs/checkpoints.md.
"""

from __future__ import annotations

import io
import json
import math
import os
import tempfile
import zipfile
from typing import Any, BinaryIO, Union

import numpy as np

from .tensor import Tensor

__all__ = ["save", "load", "CheckpointError", "FORMAT", "VERSION"]

FORMAT = "chaingrad.checkpoint"
VERSION = 1
_META = "__chaingrad__"

PathLike = Union[str, "os.PathLike[str]"]


class CheckpointError(RuntimeError):
    """A file is not a readable chaingrad checkpoint (corrupt, truncated or foreign)."""


# ---------------------------------------------------------------------------- encode
class _Encoder:
    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}
        self._seen: dict[int, str] = {}  # id(tensor) -> member: shared tensors stored once
        self._keep: list[Any] = []  # keeps ids stable while encoding

    def _store(self, obj: Any, arr: np.ndarray, where: str) -> str:
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"chaingrad.save: array of dtype {arr.dtype} at {where} is not "
                            "supported (numeric and bool only)")
        key = self._seen.get(id(obj))
        if key is None:
            key = f"t{len(self.arrays)}"
            self.arrays[key] = arr
            self._seen[id(obj)] = key
            self._keep.append(obj)
        return key

    def encode(self, obj: Any, where: str) -> Any:
        if obj is None:
            return {"type": "none"}
        if isinstance(obj, (bool, np.bool_)):
            return {"type": "bool", "value": bool(obj)}
        if isinstance(obj, (int, np.integer)):
            return {"type": "int", "value": int(obj)}
        if isinstance(obj, (float, np.floating)):
            v = float(obj)
            return {"type": "float", "value": v if math.isfinite(v) else repr(v)}
        if isinstance(obj, str):
            return {"type": "str", "value": obj}
        if isinstance(obj, Tensor):
            from .nn.parameter import Parameter

            arr = obj._data
            return {"type": "tensor", "key": self._store(obj, arr, where),
                    "dtype": arr.dtype.str, "shape": list(arr.shape),
                    "requires_grad": bool(obj.requires_grad),
                    "parameter": isinstance(obj, Parameter)}
        if isinstance(obj, np.ndarray):
            return {"type": "ndarray", "key": self._store(obj, obj, where),
                    "dtype": obj.dtype.str, "shape": list(obj.shape)}
        if isinstance(obj, dict):
            items = []
            for k, v in obj.items():
                if isinstance(k, (Tensor, np.ndarray, dict, list)):
                    raise TypeError(f"chaingrad.save: dict key of type {type(k).__name__} at "
                                    f"{where} is not supported")
                items.append([self.encode(k, where + "{key}"),
                              self.encode(v, f"{where}[{k!r}]")])
            return {"type": "dict", "items": items}
        if isinstance(obj, (list, tuple)):
            return {"type": "tuple" if isinstance(obj, tuple) else "list",
                    "items": [self.encode(v, f"{where}[{i}]") for i, v in enumerate(obj)]}
        raise TypeError(f"chaingrad.save: cannot store an object of type {type(obj).__name__} "
                        f"at {where}; checkpoints hold tensors, arrays, numbers, strings, bools, "
                        "None and dicts/lists/tuples of them")


def save(obj: Any, f: PathLike | BinaryIO) -> None:
    """Write ``obj`` (e.g. ``{'model': model.state_dict(), 'optimizer': opt.state_dict(),
    'epoch': 3}``) to ``f``, atomically when ``f`` is a path.

    Raises ``TypeError`` (before touching the file) if ``obj`` contains an unsupported type.
    """
    enc = _Encoder()
    root = enc.encode(obj, "obj")
    meta = {"format": FORMAT, "version": VERSION, "root": root}
    blob = np.frombuffer(json.dumps(meta, allow_nan=False).encode("utf-8"), dtype=np.uint8)
    members = {_META: blob, **enc.arrays}
    if hasattr(f, "write"):
        np.savez(f, **members)  # type: ignore[arg-type]
        return
    path = os.fspath(f)  # type: ignore[arg-type]
    if os.path.isdir(path):
        raise IsADirectoryError(f"chaingrad.save: {path!r} is a directory")
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp",
                               dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **members)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp makes the file private (0600); give it the permissions open() would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    _fsync_dir(directory)


def _fsync_dir(directory: str) -> None:
    """Persist the rename itself (POSIX); not possible everywhere, and not fatal."""
    try:
        dfd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)


# ---------------------------------------------------------------------------- decode
class _Decoder:
    def __init__(self, npz: Any, name: str) -> None:
        self.npz = npz
        self.name = name
        self._loaded: dict[str, Any] = {}

    def fail(self, why: str) -> CheckpointError:
        return CheckpointError(f"chaingrad.load: {self.name} is not a valid chaingrad "
                               f"checkpoint: {why}")

    def _array(self, node: dict) -> np.ndarray:
        key = node.get("key")
        if not isinstance(key, str) or key == _META or key not in self.npz.files:
            raise self.fail(f"array member {key!r} is missing")
        self._check_header(key)
        arr = self.npz[key]
        if arr.dtype.str != node.get("dtype") or list(arr.shape) != node.get("shape"):
            raise self.fail(f"array member {key!r} has dtype {arr.dtype.str} and shape "
                            f"{list(arr.shape)}, but the metadata says {node.get('dtype')} and "
                            f"{node.get('shape')}")
        return arr

    def _check_header(self, key: str) -> None:
        """Read the member's .npy header before its data: refuse object arrays and shapes
        larger than the bytes the member holds (a forged header must not allocate terabytes)."""
        z = self.npz.zip
        try:
            info = z.getinfo(key + ".npy")
        except KeyError:
            return  # np.load's own lookup reports it
        with z.open(info) as fh:
            version = np.lib.format.read_magic(fh)
            if version == (1, 0):
                shape, _, dtype = np.lib.format.read_array_header_1_0(fh)
            else:
                shape, _, dtype = np.lib.format.read_array_header_2_0(fh)
            offset = fh.tell()
        if dtype.hasobject:
            raise self.fail(f"array member {key!r} is an object array; chaingrad never "
                            "unpickles, so object arrays are refused")
        need = math.prod(shape) * dtype.itemsize
        have = info.file_size - offset
        if need > have:
            raise self.fail(f"array member {key!r} claims shape {list(shape)} of {dtype} "
                            f"({need} bytes) but holds {have} bytes")

    def decode(self, node: Any) -> Any:
        if not isinstance(node, dict) or "type" not in node:
            raise self.fail(f"malformed metadata node {str(node)[:80]!r}")
        t = node["type"]
        if t == "none":
            return None
        if t in ("bool", "int", "str"):
            v = node.get("value")
            want = {"bool": bool, "int": int, "str": str}[t]
            if type(v) is not want:
                raise self.fail(f"a {t} node holds {type(v).__name__}")
            return v
        if t == "float":
            v = node.get("value")
            if isinstance(v, str) and v in ("nan", "inf", "-inf"):
                return float(v)
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                return float(v)
            raise self.fail(f"bad float value {v!r}")
        if t in ("tensor", "ndarray"):
            key = node.get("key")
            if not isinstance(key, str):
                raise self.fail(f"a {t} node has member key {key!r}, not a string")
            if key in self._loaded:
                return self._loaded[key]
            arr = self._array(node)
            if t == "ndarray":
                out: Any = arr
            elif node.get("parameter"):
                from .nn.parameter import Parameter

                out = Parameter(Tensor._from_array(arr), bool(node.get("requires_grad")))
            else:
                out = Tensor._from_array(arr)
                if node.get("requires_grad"):
                    if arr.dtype.kind != "f":
                        raise self.fail(f"member {key!r} requires grad but has dtype "
                                        f"{arr.dtype}")
                    out.requires_grad = True
            self._loaded[key] = out
            return out
        if t in ("list", "tuple"):
            items = node.get("items")
            if not isinstance(items, list):
                raise self.fail(f"a {t} node has no item list")
            vals = [self.decode(v) for v in items]
            return vals if t == "list" else tuple(vals)
        if t == "dict":
            items = node.get("items")
            if not isinstance(items, list):
                raise self.fail("a dict node has no item list")
            out_d: dict = {}
            for pair in items:
                if not isinstance(pair, list) or len(pair) != 2:
                    raise self.fail("a dict item is not a [key, value] pair")
                k = self.decode(pair[0])
                try:
                    hash(k)
                except TypeError:
                    raise self.fail(f"a dict key of type {type(k).__name__} is not "
                                    "hashable") from None
                out_d[k] = self.decode(pair[1])
            return out_d
        raise self.fail(f"unknown node type {t!r}")


_ZIP_MAGIC = b"PK\x03\x04"


def _check_magic(f: PathLike | BinaryIO, name: str) -> None:
    """Name what the file is when it is not a zip archive (a checkpoint is always one)."""
    try:
        if hasattr(f, "read"):
            pos = f.tell()  # type: ignore[union-attr]
            head = f.read(4)  # type: ignore[union-attr]
            f.seek(pos)  # type: ignore[union-attr]
        else:
            with open(os.fspath(f), "rb") as fh:  # type: ignore[arg-type]
                head = fh.read(4)
    except (OSError, AttributeError, io.UnsupportedOperation):
        return  # np.load reports what it can
    if head == _ZIP_MAGIC:
        return
    if head[:1] == b"\x80" or head[:1] in (b"(", b"}", b"]"):
        what = "a pickle (e.g. written by torch.save or pickle.dump); chaingrad never unpickles"
    elif head.startswith(b"\x93NUM"):
        what = "a single .npy array"
    elif not head:
        what = "empty"
    else:
        what = "not a zip archive"
    raise CheckpointError(f"chaingrad.load: {name} is not a chaingrad checkpoint: it is {what}")


def load(f: PathLike | BinaryIO, map_location: Any = None, *, weights_only: bool = True) -> Any:
    """Read an object written by ``save``. Never unpickles (``weights_only`` and
    ``map_location`` are accepted for torch compatibility and have no effect).

    A file that is not a chaingrad checkpoint, or is truncated or corrupt, raises
    ``CheckpointError`` (a ``RuntimeError``) naming the file; a missing file raises
    ``FileNotFoundError``.
    """
    name = repr(os.fspath(f)) if not hasattr(f, "read") else repr(getattr(f, "name", f))
    if not hasattr(f, "read") and not os.path.exists(os.fspath(f)):  # type: ignore[arg-type]
        raise FileNotFoundError(f"chaingrad.load: no such file: {name}")
    _check_magic(f, name)
    try:
        npz = np.load(f, allow_pickle=False)  # type: ignore[arg-type]
        if not isinstance(npz, np.lib.npyio.NpzFile):
            raise CheckpointError(f"chaingrad.load: {name} is a single .npy array, not a "
                                  "chaingrad checkpoint")
        with npz:
            if _META not in npz.files:
                raise CheckpointError(f"chaingrad.load: {name} is an .npz file without chaingrad "
                                      "metadata (not written by chaingrad.save)")
            dec = _Decoder(npz, name)
            dec._check_header(_META)
            raw = npz[_META]
            if raw.dtype != np.uint8 or raw.ndim != 1:
                raise CheckpointError(f"chaingrad.load: {name} has malformed metadata")
            try:
                meta = json.loads(raw.tobytes().decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as e:
                raise CheckpointError(f"chaingrad.load: {name} has unreadable metadata: {e}"
                                      ) from None
            if not isinstance(meta, dict) or meta.get("format") != FORMAT:
                raise CheckpointError(f"chaingrad.load: {name} is not a chaingrad checkpoint")
            if meta.get("version") != VERSION:
                raise CheckpointError(f"chaingrad.load: {name} has format version "
                                      f"{meta.get('version')!r}; this chaingrad reads version "
                                      f"{VERSION}")
            return dec.decode(meta.get("root"))
    except CheckpointError:
        raise
    except RecursionError:
        raise CheckpointError(f"chaingrad.load: {name} has metadata nested too deeply to "
                              "read") from None
    except (zipfile.BadZipFile, EOFError, ValueError, KeyError, OSError, io.UnsupportedOperation,
            UnicodeDecodeError) as e:
        if isinstance(e, FileNotFoundError):
            raise
        raise CheckpointError(f"chaingrad.load: {name} is corrupt or truncated "
                              f"({type(e).__name__}: {e})") from e
