"""Run under ``mpiexec -n 2``: DistributedDataParallel against one process on the whole batch.
Each rank prints ``rank R: ok`` at the end (tests/test_distributed.py checks for both)."""

from __future__ import annotations

import numpy as np

import chaingrad as cg
import chaingrad.distributed as dist
from chaingrad import nn
from chaingrad.nn.parallel import DistributedDataParallel as DDP


def make_model(seed: int) -> nn.Module:
    cg.manual_seed(seed)
    return nn.Sequential(nn.Linear(5, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(),
                         nn.Linear(16, 3)).double()


def flat(module: nn.Module) -> np.ndarray:
    return np.concatenate([p.detach().numpy().ravel() for p in module.parameters()])


def same_on_all_ranks(x: np.ndarray) -> bool:
    """Bitwise: gather every rank's bytes and compare."""
    mine = cg.from_numpy(np.frombuffer(np.ascontiguousarray(x).tobytes(), dtype=np.uint8).copy())
    out = [cg.zeros_like(mine) for _ in range(dist.get_world_size())]
    dist.all_gather(out, mine)
    return all(np.array_equal(o.numpy(), out[0].numpy()) for o in out)


def expect_error(fn, match: str) -> None:
    try:
        fn()
    except RuntimeError as e:
        assert match in str(e), e
    else:
        raise AssertionError("no RuntimeError")


def main() -> None:
    expect_error(lambda: DDP(make_model(0)), "has not been initialized")
    dist.init_process_group()
    r, n = dist.get_rank(), dist.get_world_size()
    rng = np.random.default_rng(0)
    X = rng.standard_normal((8, 5))
    Y = rng.standard_normal((8, 3))

    # 1) the ranks start from different weights; DDP takes rank 0's
    ref = make_model(0)
    ddp = DDP(make_model(r), bucket_cap_mb=0.0005)  # ~500 bytes: several buckets
    assert len(ddp.bucket_sizes()) > 1, ddp.bucket_sizes()
    np.testing.assert_array_equal(flat(ddp.module), flat(ref))
    opt = cg.optim.SGD(ddp.parameters(), lr=0.1, momentum=0.9)
    ref_opt = cg.optim.SGD(ref.parameters(), lr=0.1, momentum=0.9)
    for _ in range(3):
        # each rank sees half the batch; the mean of the two halves' mean losses is the mean
        # over the whole batch, so the gradients must match one process on all of it
        xs, ys = cg.from_numpy(X[r::n]), cg.from_numpy(Y[r::n])
        opt.zero_grad()
        loss = ((ddp(xs) - ys) ** 2).mean()
        loss.backward()
        ref_opt.zero_grad()
        ((ref(cg.from_numpy(X)) - cg.from_numpy(Y)) ** 2).mean().backward()
        for p, q in zip(ddp.module.parameters(), ref.parameters()):
            np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-12, atol=1e-14)
        assert same_on_all_ranks(np.concatenate([p.grad.numpy().ravel()
                                                 for p in ddp.parameters()]))
        opt.step()
        ref_opt.step()
    assert ddp._reducer.launched_in_backward > 0  # buckets started while backward ran
    assert same_on_all_ranks(flat(ddp.module))
    np.testing.assert_allclose(flat(ddp.module), flat(ref), rtol=1e-12)

    # 2) no_sync: two local accumulations, then a synced backward averages the sums
    opt.zero_grad()
    ref_opt.zero_grad()
    parts = np.array_split(np.arange(8), 6)  # 6 micro-batches: 3 per rank
    with ddp.no_sync():
        for k in (0, 1):
            idx = parts[2 * k + r]
            ((ddp(cg.from_numpy(X[idx])) - cg.from_numpy(Y[idx])) ** 2).sum().backward()
    local = np.concatenate([p.grad.numpy().ravel() for p in ddp.parameters()])
    assert not same_on_all_ranks(local)  # nothing was reduced inside no_sync
    idx = parts[4 + r]
    ((ddp(cg.from_numpy(X[idx])) - cg.from_numpy(Y[idx])) ** 2).sum().backward()
    ((ref(cg.from_numpy(X)) - cg.from_numpy(Y)) ** 2).sum().backward()
    for p, q in zip(ddp.module.parameters(), ref.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy() / n, rtol=1e-12, atol=1e-14)

    # 3) the user's loop needs no extra call: .grad is final when backward returns, and a
    #    backward through autograd.grad (no accumulation) does not touch the reducer
    x = cg.from_numpy(X[r::n]).requires_grad_()
    (gx,) = cg.autograd.grad(ddp(x).sum(), x)
    assert gx.shape == x.shape

    # 4) an unused parameter: a clear error (same on every rank), or handled on request
    class TwoHeads(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.body = nn.Linear(5, 4).double()
            self.head_a = nn.Linear(4, 1).double()
            self.head_b = nn.Linear(4, 1).double()

        def forward(self, x, use_b: bool = False):
            h = self.body(x)
            return self.head_a(h) + (self.head_b(h) if use_b else 0)

    cg.manual_seed(1)
    strict = DDP(TwoHeads())
    expect_error(lambda: strict(cg.from_numpy(X)).sum().backward(), "find_unused_parameters")
    strict(cg.from_numpy(X), use_b=True).sum().backward()  # the reducer recovers
    assert same_on_all_ranks(strict.module.head_b.weight.grad.numpy())
    loose = DDP(TwoHeads(), find_unused_parameters=True)
    # rank 1 uses head_b, rank 0 does not: rank 0 still gets the average (its share is 0)
    loose(cg.from_numpy(X[r::n]), use_b=(r == 1)).sum().backward()
    gb = loose.module.head_b.weight.grad
    assert gb is not None and same_on_all_ranks(gb.numpy())
    loose.zero_grad()
    loose(cg.from_numpy(X[r::n])).sum().backward()  # head_b unused everywhere: grad stays None
    assert loose.module.head_b.weight.grad is None
    assert loose.module.head_a.weight.grad is not None

    # 5) buffers follow rank 0: at construction and at each training forward
    cg.manual_seed(2)
    bn = DDP(nn.Sequential(nn.Linear(5, 4), nn.BatchNorm1d(4)).double())
    xb = cg.from_numpy(X[r::n] + r)
    bn(xb).sum().backward()
    bn(xb).sum().backward()  # this forward first takes rank 0's running stats
    stats = bn.module[1].running_mean.numpy().copy()
    bn.eval()
    with cg.no_grad():
        bn(xb)  # syncs once more (the last forward was a training one), updates nothing
    assert same_on_all_ranks(bn.module[1].running_mean.numpy())
    assert r != 0 or np.array_equal(stats, bn.module[1].running_mean.numpy())
    assert "module.1.running_mean" in bn.state_dict()

    # 6) argument checks
    for kwargs, what in ((dict(device_ids=[0]), "device_ids"), (dict(bucket_cap_mb=0),
                         "bucket_cap_mb"), (dict(gradient_as_bucket_view=True), "bucket_view")):
        try:
            DDP(make_model(0), **kwargs)
        except ValueError as e:
            assert what in str(e), e
        else:
            raise AssertionError(kwargs)
    frozen = nn.Linear(2, 2).requires_grad_(False)
    expect_error(lambda: DDP(frozen), "doesn't have any parameter that requires a gradient")
    try:
        DDP(nn.Linear(3 + r, 2))
    except ValueError as e:
        assert "different models" in str(e), e
    else:
        raise AssertionError("mismatched models")
    dist.destroy_process_group()
    print(f"rank {r}: ok", flush=True)


if __name__ == "__main__":
    main()
