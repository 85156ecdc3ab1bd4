"""ParameterList and ParameterDict: registration, state_dict keys like torch's, indexing,
dict methods, optimisation through them, repr, and errors."""

from __future__ import annotations

import numpy as np
import pytest

import chaingrad as cg
from chaingrad import nn


def test_parameter_list() -> None:
    pl = nn.ParameterList([cg.randn(2, 3), nn.Parameter(cg.zeros(4))])
    assert all(isinstance(p, nn.Parameter) for p in pl)
    assert len(pl) == 2 and list(pl.state_dict()) == ["0", "1"]
    pl.append(cg.ones(1))
    pl.extend([cg.ones(2)])
    pl += [cg.ones(5)]
    assert len(pl) == 5 and len(list(pl.parameters())) == 5
    assert tuple(pl[-1].shape) == (5,) and tuple(pl[2].shape) == (1,)
    sub = pl[1:3]
    assert isinstance(sub, nn.ParameterList) and len(sub) == 2 and sub[0] is pl[1]
    pl[0] = cg.full((2,), 3.0)
    assert isinstance(pl[0], nn.Parameter) and float(pl[0].sum()) == 6.0
    with pytest.raises(IndexError, match="out of range"):
        pl[5]
    with pytest.raises(TypeError, match="Tensor or Parameter"):
        pl.append("x")
    with pytest.raises(TypeError, match="iterable"):
        pl.extend(cg.ones(2))
    with pytest.raises(RuntimeError, match="should not be called"):
        pl(cg.ones(1))
    one = nn.ParameterList([cg.zeros(2, 3)])
    assert repr(one) == "ParameterList(  (0): Parameter containing: [chaingrad.float32 of size " \
                        "2x3])"


def test_parameter_dict() -> None:
    pd = nn.ParameterDict({"a": cg.randn(2)})
    pd["b"] = cg.ones(3)
    pd.update([("c", cg.zeros(1))])
    assert list(pd) == ["a", "b", "c"] and list(pd.keys()) == ["a", "b", "c"]
    assert "b" in pd and len(pd) == 3 and list(pd.state_dict()) == ["a", "b", "c"]
    assert all(isinstance(v, nn.Parameter) for v in pd.values())
    assert pd.get("zz") is None and pd.setdefault("d", cg.ones(2)) is pd["d"]
    b = pd.pop("b")
    assert tuple(b.shape) == (3,) and "b" not in pd
    k, _ = pd.popitem()
    assert k == "d"
    copy = pd.copy()
    assert list(copy) == list(pd) and copy["a"] is pd["a"]
    assert list(pd.fromkeys(["x", "y"], cg.ones(1))) == ["x", "y"]
    del pd["a"]
    pd.clear()
    assert len(pd) == 0
    with pytest.raises(ValueError, match="length 2"):
        pd.update([("a", cg.ones(1), 3)])
    with pytest.raises(TypeError, match="key/value pairs"):
        pd.update(3)
    with pytest.raises(KeyError):
        pd["missing"]


def test_training_through_containers_and_torch_state_dict() -> None:
    torch = pytest.importorskip("torch")

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.ws = nn.ParameterList([cg.ones(3, dtype=cg.float64) for _ in range(2)])
            self.named = nn.ParameterDict({"scale": cg.full((3,), 2.0, dtype=cg.float64)})

        def forward(self, x: cg.Tensor) -> cg.Tensor:
            return (x * self.ws[0] * self.ws[1] * self.named["scale"]).sum()

    net = Net()
    assert list(net.state_dict()) == ["ws.0", "ws.1", "named.scale"]
    tnet = torch.nn.Module()
    tnet.ws = torch.nn.ParameterList([torch.randn(3, dtype=torch.float64) for _ in range(2)])
    tnet.named = torch.nn.ParameterDict({"scale": torch.randn(3, dtype=torch.float64)})
    assert list(tnet.state_dict()) == list(net.state_dict())
    net.load_state_dict({k: cg.tensor(v.numpy()) for k, v in tnet.state_dict().items()})
    np.testing.assert_array_equal(net.ws[1].detach().numpy(), tnet.ws[1].detach().numpy())
    opt = cg.optim.SGD(net.parameters(), lr=0.1)
    net(cg.ones(3, dtype=cg.float64)).backward()
    opt.step()
    assert net.ws[0].grad is not None and net.named["scale"].grad is not None
