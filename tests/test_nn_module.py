"""``nn.Module``, ``Parameter`` and the containers: registration, traversal, modes, state dicts,
hooks and reprs, with torch's rules."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest

import chaingrad as cg
from chaingrad import nn


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(4, 3)
        self.act = nn.ReLU()
        self.fc2 = nn.Linear(3, 2, bias=False)
        self.scale = nn.Parameter(cg.ones(1))
        self.register_buffer("count", cg.zeros(1))
        self.register_buffer("scratch", cg.zeros(2), persistent=False)
        self.note = "plain attribute"

    def forward(self, x: cg.Tensor) -> cg.Tensor:
        return self.fc2(self.act(self.fc1(x))) * self.scale


def test_registration_and_traversal() -> None:
    net = Net()
    names = [n for n, _ in net.named_parameters()]
    assert names == ["scale", "fc1.weight", "fc1.bias", "fc2.weight"]
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in net.parameters())
    assert [n for n, _ in net.named_children()] == ["fc1", "act", "fc2"]
    assert [n for n, _ in net.named_modules()] == ["", "fc1", "act", "fc2"]
    assert [n for n, _ in net.named_buffers()] == ["count", "scratch"]
    assert list(net.parameters(recurse=False)) == [net.scale]
    assert net.note == "plain attribute" and "note" not in net._parameters
    assert net.get_submodule("fc1") is net.fc1
    assert net.get_parameter("fc1.bias") is net.fc1.bias
    with pytest.raises(AttributeError, match="no attribute 'missing'"):
        _ = net.missing


def test_shared_parameter_listed_once() -> None:
    lin = nn.Linear(2, 2)
    seq = nn.Sequential(lin, nn.ReLU(), lin)
    assert len(list(seq.parameters())) == 2
    assert len(list(seq.named_parameters(remove_duplicate=False))) == 4
    assert list(seq.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_assignment_rules() -> None:
    net = Net()
    with pytest.raises(TypeError, match="cannot assign 'Tensor' as parameter 'scale'"):
        net.scale = cg.ones(1)
    net.scale = None  # allowed: a parameter slot may hold None
    assert "scale" in net._parameters and net._parameters["scale"] is None
    with pytest.raises(TypeError, match="child module 'fc1'"):
        net.fc1 = cg.ones(1)
    with pytest.raises(TypeError, match="buffer 'count'"):
        net.count = 3
    net.count = cg.ones(1)
    assert net.count.item() == 1.0
    with pytest.raises(KeyError, match="t contain"):
        net.register_buffer("a.b", cg.ones(1))
    with pytest.raises(KeyError, match="already exists"):
        net.register_parameter("note", nn.Parameter(cg.ones(1)))
    with pytest.raises(TypeError, match="Parameter or None required"):
        net.register_parameter("w", nn.Parameter(cg.ones(1)) * 2)  # type: ignore[arg-type]

    class Early(nn.Module):
        def __init__(self) -> None:
            self.w = nn.Parameter(cg.ones(1))

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Early()


def test_parameter_shares_memory_and_repr() -> None:
    t = cg.zeros(3)
    p = nn.Parameter(t)
    assert isinstance(p, cg.Tensor) and isinstance(p, nn.Parameter) and p.requires_grad
    p.data._data[0] = 5.0
    assert t._data[0] == 5.0
    assert repr(p).startswith("Parameter containing:\ntensor([5., 0., 0.]")
    assert not nn.Parameter(cg.zeros(2), requires_grad=False).requires_grad
    y = p * 2  # ops on parameters give plain tensors
    assert type(y) is cg.Tensor


def test_train_eval_and_zero_grad() -> None:
    net = nn.Sequential(nn.Linear(3, 3), nn.Dropout(0.5), nn.Sequential(nn.Dropout(0.1)))
    assert all(m.training for m in net.modules())
    assert net.eval() is net and not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    with pytest.raises(ValueError, match="boolean"):
        net.train("yes")  # type: ignore[arg-type]
    net(cg.ones(2, 3)).sum().backward()
    w = net[0].weight
    assert w.grad is not None
    net.zero_grad(set_to_none=False)
    assert w.grad is not None and np.all(w.grad.numpy() == 0)
    net.zero_grad()
    assert w.grad is None


def test_forward_missing_and_hooks() -> None:
    with pytest.raises(NotImplementedError, match='missing the required "forward"'):
        nn.Module()(1)
    lin = nn.Linear(2, 2)
    seen = []
    h = lin.register_forward_hook(lambda m, args, out: seen.append(out.shape))
    pre = lin.register_forward_pre_hook(lambda m, args: (args[0] * 0,))
    out = lin(cg.ones(1, 2))
    assert seen == [(1, 2)]
    np.testing.assert_allclose(out.detach().numpy(), lin.bias.detach().numpy()[None], rtol=1e-6)
    h.remove()
    pre.remove()
    lin(cg.ones(1, 2))
    assert len(seen) == 1
    replaced = lin.register_forward_hook(lambda m, a, o: o * 0 + 7)
    assert np.all(lin(cg.ones(1, 2)).detach().numpy() == 7)
    replaced.remove()


def test_state_dict_contents_and_round_trip() -> None:
    cg.manual_seed(0)
    net = Net()
    sd = net.state_dict()
    assert list(sd) == ["scale", "count", "fc1.weight", "fc1.bias", "fc2.weight"]
    assert isinstance(sd, OrderedDict)
    assert not any(v.requires_grad for v in sd.values())
    # state_dict shares memory with the module (torch's behaviour)
    assert np.shares_memory(sd["fc1.weight"]._data, net.fc1.weight._data)
    other = Net()
    res = other.load_state_dict({k: v.clone() for k, v in sd.items()})
    assert res.missing_keys == [] and res.unexpected_keys == []
    assert repr(res) == "<All keys matched successfully>"
    for k in sd:
        np.testing.assert_array_equal(other.state_dict()[k].numpy(), sd[k].numpy())
    assert other.fc1.weight.requires_grad  # loading does not change requires_grad


def _snapshot(m: nn.Module) -> dict:
    return {k: v.numpy().copy() for k, v in m.state_dict().items()}


def _unchanged(m: nn.Module, snap: dict) -> None:
    for k, v in m.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), snap[k], err_msg=k)


def test_load_state_dict_strict_errors_leave_module_untouched() -> None:
    net = Net()
    snap = _snapshot(net)
    good = {k: v.clone() + 1 for k, v in net.state_dict().items()}
    missing = dict(good)
    del missing["fc1.bias"]
    with pytest.raises(RuntimeError, match='Missing key\\(s\\) in state_dict: "fc1.bias"'):
        net.load_state_dict(missing)
    _unchanged(net, snap)
    extra = dict(good, bogus=cg.ones(1))
    with pytest.raises(RuntimeError, match='Unexpected key\\(s\\) in state_dict: "bogus"'):
        net.load_state_dict(extra)
    _unchanged(net, snap)
    bad_shape = dict(good)
    bad_shape["fc1.weight"] = cg.ones(4, 3)
    with pytest.raises(RuntimeError, match=r"size mismatch for fc1\.weight: copying a param "
                       r"with shape torch\.Size\(\[4, 3\]\)"):
        net.load_state_dict(bad_shape)
    _unchanged(net, snap)
    # size mismatches raise even when not strict, and still nothing is copied
    with pytest.raises(RuntimeError, match="size mismatch"):
        net.load_state_dict(bad_shape, strict=False)
    _unchanged(net, snap)
    with pytest.raises(RuntimeError, match="expected a chaingrad Tensor"):
        net.load_state_dict(dict(good, scale="nope"))
    _unchanged(net, snap)
    with pytest.raises(TypeError, match="dict-like"):
        net.load_state_dict([1, 2])  # type: ignore[arg-type]


def test_load_state_dict_non_strict_reports_keys() -> None:
    net = Net()
    good = {k: v.clone() + 1 for k, v in net.state_dict().items()}
    del good["fc2.weight"]
    good["extra.weight"] = cg.ones(2)
    res = net.load_state_dict(good, strict=False)
    assert res.missing_keys == ["fc2.weight"]
    assert res.unexpected_keys == ["extra.weight"]
    np.testing.assert_array_equal(net.scale.numpy() if not net.scale.requires_grad
                                  else net.scale.detach().numpy(), good["scale"].numpy())


def test_load_state_dict_casts_and_accepts_arrays() -> None:
    lin = nn.Linear(2, 2)
    lin.load_state_dict({"weight": np.eye(2), "bias": cg.tensor([1, 2])})
    assert lin.weight.dtype == np.float32
    np.testing.assert_array_equal(lin.weight.detach().numpy(), np.eye(2, dtype=np.float32))
    np.testing.assert_array_equal(lin.bias.detach().numpy(), [1.0, 2.0])


def test_to_double_and_apply() -> None:
    net = Net()
    net.double()
    assert all(p.dtype == np.float64 for p in net.parameters())
    assert net.count.dtype == np.float64
    out = net(cg.ones(2, 4, dtype=cg.float64))
    assert out.dtype == np.float64
    with pytest.raises(TypeError, match="floating point"):
        net.to(cg.int64)
    visited = []
    net.apply(lambda m: visited.append(type(m).__name__))
    assert visited == ["Linear", "ReLU", "Linear", "Net"]


def test_requires_grad_toggle() -> None:
    net = Net()
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())


def test_containers() -> None:
    seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert len(seq) == 3 and isinstance(seq[-1], nn.Linear)
    assert isinstance(seq[:2], nn.Sequential) and len(seq[:2]) == 2
    seq.append(nn.Sigmoid())
    assert len(seq) == 4
    del seq[1]
    assert [n for n, _ in seq.named_children()] == ["0", "1", "2"]
    with pytest.raises(IndexError):
        seq[7]
    named = nn.Sequential(OrderedDict([("enc", nn.Linear(2, 2)), ("act", nn.Tanh())]))
    assert list(named.state_dict()) == ["enc.weight", "enc.bias"]
    assert named(cg.ones(1, 2)).shape == (1, 2)

    ml = nn.ModuleList([nn.Linear(1, 1) for _ in range(3)])
    ml.append(nn.Linear(1, 1))
    ml.insert(0, nn.ReLU())
    assert len(ml) == 5 and isinstance(ml[0], nn.ReLU)
    assert len(list(ml.parameters())) == 8
    with pytest.raises(TypeError, match="iterable"):
        ml.extend(nn.ReLU())
    with pytest.raises(NotImplementedError):
        ml(1)

    md = nn.ModuleDict({"a": nn.Linear(1, 2), "b": nn.ReLU()})
    md["c"] = nn.Linear(2, 2)
    assert list(md.keys()) == ["a", "b", "c"] and "a" in md and len(md) == 3
    assert list(md.state_dict()) == ["a.weight", "a.bias", "c.weight", "c.bias"]
    md.pop("b")
    assert list(md) == ["a", "c"]


def test_repr_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    tnn = torch.nn
    pairs = [
        (nn.Sequential(nn.Linear(64, 10), nn.ReLU(), nn.Dropout(0.2)),
         tnn.Sequential(tnn.Linear(64, 10), tnn.ReLU(), tnn.Dropout(0.2))),
        (nn.Conv2d(1, 16, 3, padding=1, bias=False), tnn.Conv2d(1, 16, 3, padding=1, bias=False)),
        (nn.Conv2d(4, 8, (3, 5), stride=2, dilation=(1, 2), groups=2),
         tnn.Conv2d(4, 8, (3, 5), stride=2, dilation=(1, 2), groups=2)),
        (nn.Conv1d(2, 4, 3, padding="same"), tnn.Conv1d(2, 4, 3, padding="same")),
        (nn.MaxPool2d(2), tnn.MaxPool2d(2)),
        (nn.AvgPool2d(3, 2, 1), tnn.AvgPool2d(3, 2, 1)),
        (nn.AdaptiveAvgPool2d((1, 1)), tnn.AdaptiveAvgPool2d((1, 1))),
        (nn.BatchNorm2d(8), tnn.BatchNorm2d(8)),
        (nn.LayerNorm(5), tnn.LayerNorm(5)),
        (nn.Embedding(10, 3, padding_idx=0), tnn.Embedding(10, 3, padding_idx=0)),
        (nn.LSTM(3, 4, 2, batch_first=True, bidirectional=True),
         tnn.LSTM(3, 4, 2, batch_first=True, bidirectional=True)),
        (nn.GRUCell(3, 4), tnn.GRUCell(3, 4)),
        (nn.LeakyReLU(0.2), tnn.LeakyReLU(0.2)),
        (nn.GELU("tanh"), tnn.GELU("tanh")),
        (nn.Softmax(dim=1), tnn.Softmax(dim=1)),
        (nn.Flatten(), tnn.Flatten()),
        (nn.CrossEntropyLoss(), tnn.CrossEntropyLoss()),
    ]
    for ours, theirs in pairs:
        assert repr(ours) == repr(theirs)


def test_state_dict_keys_match_torch() -> None:
    torch = pytest.importorskip("torch")
    tnn = torch.nn
    pairs = [
        (nn.BatchNorm1d(3), tnn.BatchNorm1d(3)),
        (nn.LSTM(3, 4, 2, bidirectional=True), tnn.LSTM(3, 4, 2, bidirectional=True)),
        (nn.GRU(3, 4, bias=False), tnn.GRU(3, 4, bias=False)),
        (nn.MultiheadAttention(8, 2), tnn.MultiheadAttention(8, 2)),
        (nn.MultiheadAttention(8, 2, kdim=3, vdim=5), tnn.MultiheadAttention(8, 2, kdim=3, vdim=5)),
        (nn.Conv2d(2, 4, 3), tnn.Conv2d(2, 4, 3)),
    ]
    for ours, theirs in pairs:
        sd, tsd = ours.state_dict(), theirs.state_dict()
        assert list(sd) == list(tsd)
        for k in sd:
            assert tuple(sd[k].shape) == tuple(tsd[k].shape), k
