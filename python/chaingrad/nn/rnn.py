"""Recurrent layers: ``RNNCell``/``LSTMCell``/``GRUCell`` and multi-step ``RNN``/``LSTM``/``GRU``.

The cells follow torch's equations (gate order i, f, g, o for LSTM and r, z, n for GRU): GRU's
as Tensor-op expressions, LSTM's pointwise part as one fused node (``_rnn_fused.py``), so
backpropagation through time is ordinary autograd. The multi-step layers
compute the input projection of the whole sequence with one matmul and only the recurrent
part step by step; parameter names and shapes match torch's (``weight_ih_l0``, ...
``bias_hh_l1_reverse``), so state dicts are interchangeable.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..dtypes import get_default_dtype
from ..tensor import Tensor
from . import functional as F
from . import init
from ._checks import check_device, check_input
from ._rnn_fused import LSTMCellFunction, TimeSteps
from .functional._utils import stack
from .module import Module
from .parameter import Parameter

__all__ = ["RNNCell", "LSTMCell", "GRUCell", "RNN", "LSTM", "GRU"]

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _param(*shape: int, dtype: Any) -> Parameter:
    return Parameter(Tensor._from_array(np.empty(shape, dtype=dtype or get_default_dtype())))


def _split(t: Tensor, n: int) -> list[Tensor]:
    h = t.shape[-1] // n
    return [t[..., k * h:(k + 1) * h] for k in range(n)]


def _rnn_step(mode: str, gi: Tensor, h: Tensor, c: Tensor | None, w_hh_t: Tensor,
              b_hh: Tensor | None) -> tuple[Tensor, Tensor | None]:
    """One time step given the input projection ``gi`` = x W_ih^T + b_ih."""
    gh = h @ w_hh_t
    if b_hh is not None:
        gh = gh + b_hh
    if mode == "LSTM":
        return LSTMCellFunction.apply(gi + gh, c)
    if mode == "GRU":
        ir, iz, in_ = _split(gi, 3)
        hr, hz, hn = _split(gh, 3)
        r = (ir + hr).sigmoid()
        z = (iz + hz).sigmoid()
        n = (in_ + r * hn).tanh()
        return n + z * (h - n), None  # == (1 - z) * n + z * h
    pre = gi + gh
    return (pre.tanh() if mode == "RNN_TANH" else pre.relu()), None


# ---------------------------------------------------------------------------- cells
class _CellBase(Module):
    _mode = "RNN_TANH"

    def __init__(self, input_size: int, hidden_size: int, bias: bool, dtype: Any) -> None:
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        g = _GATES[self._mode]
        self.weight_ih = _param(g * hidden_size, input_size, dtype=dtype)
        self.weight_hh = _param(g * hidden_size, hidden_size, dtype=dtype)
        if bias:
            self.bias_ih = _param(g * hidden_size, dtype=dtype)
            self.bias_hh = _param(g * hidden_size, dtype=dtype)
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        # torch: every weight and bias ~ U(-1/sqrt(hidden), 1/sqrt(hidden)).
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for p in self.parameters():
            init.uniform_(p, -stdv, stdv)

    def _prep(self, input: Tensor, hx: Tensor | None) -> tuple[Tensor, Tensor, bool]:
        check_input(self, input, self.weight_ih.dtype)
        if input.ndim not in (1, 2) or input.shape[-1] != self.input_size:
            raise RuntimeError(f"{self._layer()}: expected input of shape (N, "
                               f"{self.input_size}) or ({self.input_size},), got "
                               f"{tuple(input.shape)}")
        unbatched = input.ndim == 1
        x = input.unsqueeze(0) if unbatched else input
        h = self._hidden(hx, x.shape[0], unbatched, "hx")
        return x, h, unbatched

    def _hidden(self, hx: Tensor | None, n: int, unbatched: bool, name: str) -> Tensor:
        if hx is None:
            return Tensor._from_array(np.zeros((n, self.hidden_size),
                                               dtype=self.weight_ih.dtype))
        want = (self.hidden_size,) if unbatched else (n, self.hidden_size)
        if not isinstance(hx, Tensor) or tuple(hx.shape) != want:
            got = tuple(hx.shape) if isinstance(hx, Tensor) else type(hx).__name__
            raise RuntimeError(f"{self._layer()}: expected {name} of shape {want}, got {got}")
        return hx.unsqueeze(0) if unbatched else hx

    def _proj(self, x: Tensor) -> Tensor:
        return F.linear(x, self.weight_ih, self.bias_ih)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            s += ", bias=False"
        return s


class RNNCell(_CellBase):
    """h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu)."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device: Any = None, dtype: Any = None) -> None:
        check_device(device)
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity: {nonlinearity}")
        self.nonlinearity = nonlinearity
        self._mode = "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"
        super().__init__(input_size, hidden_size, bias, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        x, h, unbatched = self._prep(input, hx)
        h2, _ = _rnn_step(self._mode, self._proj(x), h, None, self.weight_hh.T, self.bias_hh)
        return h2.squeeze(0) if unbatched else h2


class LSTMCell(_CellBase):
    """(h', c') from gates i, f, g, o: c' = f c + i g, h' = o tanh(c')."""

    _mode = "LSTM"

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        check_device(device)
        super().__init__(input_size, hidden_size, bias, dtype)

    def forward(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None
                ) -> tuple[Tensor, Tensor]:
        x, h, unbatched = self._prep(input, None if hx is None else hx[0])
        c = self._hidden(None if hx is None else hx[1], x.shape[0], unbatched, "cx")
        h2, c2 = _rnn_step("LSTM", self._proj(x), h, c, self.weight_hh.T, self.bias_hh)
        assert c2 is not None
        if unbatched:
            return h2.squeeze(0), c2.squeeze(0)
        return h2, c2


class GRUCell(_CellBase):
    """h' = (1 - z) n + z h with reset gate r, update gate z and candidate n."""

    _mode = "GRU"

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        check_device(device)
        super().__init__(input_size, hidden_size, bias, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        x, h, unbatched = self._prep(input, hx)
        h2, _ = _rnn_step("GRU", self._proj(x), h, None, self.weight_hh.T, self.bias_hh)
        return h2.squeeze(0) if unbatched else h2


# ---------------------------------------------------------------------------- layers
class _RNNBase(Module):
    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, dtype: Any = None) -> None:
        super().__init__()
        if not 0 <= dropout <= 1 or isinstance(dropout, bool):
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if not isinstance(hidden_size, int) or hidden_size <= 0:
            raise ValueError("hidden_size must be a positive integer")
        if not isinstance(num_layers, int) or num_layers <= 0:
            raise ValueError("num_layers must be a positive integer")
        if proj_size:
            raise NotImplementedError("LSTM proj_size is not supported by chaingrad")
        self.mode = mode
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first = bias, batch_first
        self.dropout, self.bidirectional, self.proj_size = float(dropout), bidirectional, 0
        g = _GATES[mode]
        dirs = 2 if bidirectional else 1
        self._flat_weights_names: list[str] = []
        for layer in range(num_layers):
            in_size = input_size if layer == 0 else hidden_size * dirs
            for d in range(dirs):
                sfx = f"_l{layer}" + ("_reverse" if d else "")
                names = [f"weight_ih{sfx}", f"weight_hh{sfx}"]
                setattr(self, names[0], _param(g * hidden_size, in_size, dtype=dtype))
                setattr(self, names[1], _param(g * hidden_size, hidden_size, dtype=dtype))
                if bias:
                    names += [f"bias_ih{sfx}", f"bias_hh{sfx}"]
                    setattr(self, names[2], _param(g * hidden_size, dtype=dtype))
                    setattr(self, names[3], _param(g * hidden_size, dtype=dtype))
                self._flat_weights_names += names
        self.reset_parameters()

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for p in self.parameters():
            init.uniform_(p, -stdv, stdv)

    def _weights(self, layer: int, d: int) -> tuple:
        sfx = f"_l{layer}" + ("_reverse" if d else "")
        get = self._parameters.get
        return (get(f"weight_ih{sfx}"), get(f"weight_hh{sfx}"), get(f"bias_ih{sfx}"),
                get(f"bias_hh{sfx}"))

    def _check_hidden(self, h: Any, shape: tuple, name: str) -> Tensor:
        if not isinstance(h, Tensor) or tuple(h.shape) != shape:
            got = list(h.shape) if isinstance(h, Tensor) else type(h).__name__
            raise RuntimeError(f"{self._layer()}: Expected {name} size {shape}, got {got}")
        if h.dtype != self.weight_ih_l0.dtype:
            raise RuntimeError(f"{self._layer()}: {name} dtype {h.dtype} does not match the "
                               f"layer's parameters ({self.weight_ih_l0.dtype})")
        return h

    def _run(self, input: Tensor, h0: Tensor | None, c0: Tensor | None
             ) -> tuple[Tensor, Tensor, Tensor | None]:
        check_input(self, input, self.weight_ih_l0.dtype)
        if input.ndim not in (2, 3) or input.shape[-1] != self.input_size:
            lay = "(N, L, H_in)" if self.batch_first else "(L, N, H_in)"
            raise RuntimeError(f"{self._layer()}: expected input of shape {lay} or (L, H_in) "
                               f"with H_in={self.input_size}, got {tuple(input.shape)}")
        unbatched = input.ndim == 2
        x = input.unsqueeze(1) if unbatched else (
            input.transpose(0, 1) if self.batch_first else input)
        seq, n = x.shape[0], x.shape[1]
        dirs = 2 if self.bidirectional else 1
        hshape = (self.num_layers * dirs, n, self.hidden_size)
        hshape_user = hshape[::2] if unbatched else hshape
        zeros = Tensor._from_array(np.zeros(hshape, dtype=x.dtype))
        if h0 is None:
            h0 = zeros
        else:
            h0 = self._check_hidden(h0, hshape_user, "hidden")
            h0 = h0.unsqueeze(1) if unbatched else h0
        if self.mode == "LSTM":
            if c0 is None:
                c0 = zeros
            else:
                c0 = self._check_hidden(c0, hshape_user, "cell")
                c0 = c0.unsqueeze(1) if unbatched else c0
        hn: list[Tensor] = []
        cn: list[Tensor] = []
        layer_in = x
        for layer in range(self.num_layers):
            outs = []
            for d in range(dirs):
                w_ih, w_hh, b_ih, b_hh = self._weights(layer, d)
                k = layer * dirs + d
                # All time steps' input projections in one (L*N, in) @ (in, G*H) product.
                gi_all = F.linear(layer_in, w_ih, b_ih)
                gis = TimeSteps.apply(gi_all) if seq > 1 else (gi_all[0],)
                # A contiguous copy, once per sequence: OpenBLAS multiplies by a transposed
                # view about 2x slower at these sizes ((16, 64) @ (64, 256): 13 vs 6 µs).
                w_hh_t = w_hh.T.contiguous()
                h = h0[k]
                c = c0[k] if c0 is not None else None
                steps: list[Tensor] = [None] * seq  # type: ignore[list-item]
                order = range(seq - 1, -1, -1) if d else range(seq)
                for t in order:
                    h, c = _rnn_step(self.mode, gis[t], h, c, w_hh_t, b_hh)
                    steps[t] = h
                outs.append(stack(steps, 0))
                hn.append(h)
                if c is not None:
                    cn.append(c)
            layer_in = outs[0] if dirs == 1 else _cat_last(outs)
            if self.dropout and self.training and layer < self.num_layers - 1:
                layer_in = F.dropout(layer_in, self.dropout, True)
        out = layer_in
        h_n = stack(hn, 0)
        c_n = stack(cn, 0) if cn else None
        if unbatched:
            out = out.squeeze(1)
            h_n = h_n.squeeze(1)
            c_n = c_n.squeeze(1) if c_n is not None else None
        elif self.batch_first:
            out = out.transpose(0, 1)
        return out, h_n, c_n

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if not self.bias:
            s += ", bias=False"
        if self.batch_first:
            s += ", batch_first=True"
        if self.dropout:
            s += f", dropout={self.dropout}"
        if self.bidirectional:
            s += ", bidirectional=True"
        return s


def _cat_last(ts: list[Tensor]) -> Tensor:
    from .functional._utils import cat

    return cat(ts, ts[0].ndim - 1)


class RNN(_RNNBase):
    """Elman RNN over a sequence: output (L, N, D*H) (or (N, L, D*H) with batch_first) and the
    final hidden state h_n (num_layers*D, N, H)."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False,
                 device: Any = None, dtype: Any = None) -> None:
        check_device(device)
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or "
                             "'relu'.")
        self.nonlinearity = nonlinearity
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size,
                         hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         dtype=dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> tuple[Tensor, Tensor]:
        out, h_n, _ = self._run(input, hx, None)
        return out, h_n


class LSTM(_RNNBase):
    """LSTM over a sequence: returns ``output, (h_n, c_n)``."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0,
                 device: Any = None, dtype: Any = None) -> None:
        check_device(device)
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, proj_size, dtype)

    def forward(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None
                ) -> tuple[Tensor, tuple[Tensor, Tensor]]:
        if hx is not None and (not isinstance(hx, (tuple, list)) or len(hx) != 2):
            raise TypeError(f"{self._layer()}: hx must be a tuple (h_0, c_0), got "
                            f"{type(hx).__name__}")
        h0, c0 = (None, None) if hx is None else hx
        out, h_n, c_n = self._run(input, h0, c0)
        assert c_n is not None
        return out, (h_n, c_n)


class GRU(_RNNBase):
    """GRU over a sequence: returns ``output, h_n``."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, device: Any = None, dtype: Any = None) -> None:
        check_device(device)
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, dtype=dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> tuple[Tensor, Tensor]:
        out, h_n, _ = self._run(input, hx, None)
        return out, h_n
