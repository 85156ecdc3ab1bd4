"""Run under ``mpiexec -n 2``: SyncBatchNorm on each rank's half of a batch behaves as
BatchNorm on the whole batch in one process (outputs, input gradients, parameter gradients
after DDP's averaging, running statistics). Each rank prints ``rank R: ok``."""

from __future__ import annotations

import numpy as np

import chaingrad as cg
import chaingrad.distributed as dist
from chaingrad import nn
from chaingrad.nn.parallel import DistributedDataParallel as DDP


def model(bn: type) -> nn.Module:
    cg.manual_seed(0)
    return nn.Sequential(nn.Conv2d(2, 3, 3, padding=1), bn(3), nn.ReLU(), nn.Flatten(),
                         nn.Linear(3 * 16, 4), nn.BatchNorm1d(4)).double()


def main() -> None:
    dist.init_process_group()
    r, n = dist.get_rank(), dist.get_world_size()
    rng = np.random.default_rng(3)
    X = rng.standard_normal((6, 2, 4, 4)) * 2 + 1
    W = rng.standard_normal((6, 4))

    ref = model(nn.BatchNorm2d)
    sync = DDP(nn.SyncBatchNorm.convert_sync_batchnorm(model(nn.BatchNorm2d)))
    assert isinstance(sync.module[1], nn.SyncBatchNorm)
    assert isinstance(sync.module[5], nn.SyncBatchNorm)
    for step in range(2):
        x_all = cg.from_numpy(X + step).requires_grad_()
        x = cg.from_numpy(X[r::n] + step).requires_grad_()
        out_ref = ref(x_all)
        out = sync(x)
        np.testing.assert_allclose(out.detach().numpy(), out_ref.detach().numpy()[r::n],
                                   rtol=1e-9, atol=1e-10)
        # the global loss is the mean over ranks of the local ones (equal shares)
        (out_ref * cg.from_numpy(W)).sum().div(n).backward()
        (out * cg.from_numpy(W[r::n])).sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), x_all.grad.numpy()[r::n] * n,
                                   rtol=1e-9, atol=1e-10)
        for p, q in zip(sync.module.parameters(), ref.parameters()):
            np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-9, atol=1e-10)
        for a, b in zip(sync.module.buffers(), ref.buffers()):
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-9, atol=1e-12)
        sync.zero_grad()
        ref.zero_grad()
    sync.eval()
    with cg.no_grad():
        np.testing.assert_allclose(sync(cg.from_numpy(X)).numpy(), ref.eval()(
            cg.from_numpy(X)).numpy(), rtol=1e-9, atol=1e-10)
    try:
        nn.SyncBatchNorm(3, process_group="g")
    except ValueError as e:
        assert "only the default group" in str(e)
    else:
        raise AssertionError("process_group accepted")
    dist.destroy_process_group()
    print(f"rank {r}: ok", flush=True)


if __name__ == "__main__":
    main()
