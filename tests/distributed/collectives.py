"""Run under ``mpiexec -n 2``: chaingrad.distributed's collectives and their errors.
Each rank prints ``rank R: ok`` at the end (tests/test_distributed.py checks for both)."""

from __future__ import annotations

import numpy as np

import chaingrad as cg
import chaingrad.distributed as dist


def expect(exc: type, fn, *args, match: str = "", **kwargs) -> None:
    try:
        fn(*args, **kwargs)
    except exc as e:
        assert match in str(e), f"{fn.__name__}: {e!r} lacks {match!r}"
    else:
        raise AssertionError(f"{fn.__name__} did not raise {exc.__name__}")


def main() -> None:
    expect(RuntimeError, dist.get_rank, match="has not been initialized")
    dist.init_process_group()
    assert dist.is_initialized() and dist.get_backend() == "mpi"
    r, n = dist.get_rank(), dist.get_world_size()
    assert n == 2, n
    expect(RuntimeError, dist.init_process_group, match="twice")

    for dtype in (cg.float32, cg.float64):
        base = cg.tensor([[1.0, -2.0, 3.5], [0.25, 5.0, -1.0]], dtype=dtype)
        t = base * (r + 1)
        dist.all_reduce(t)
        np.testing.assert_array_equal(t.numpy(), (base * 3).numpy())
        t = base * (r + 1)
        dist.all_reduce(t, op=dist.ReduceOp.AVG)
        np.testing.assert_array_equal(t.numpy(), (base * 3 / 2).numpy())
        t = base * (r + 1)
        dist.all_reduce(t, dist.ReduceOp.MAX)
        np.testing.assert_array_equal(t.numpy(), np.maximum(base.numpy(), 2 * base.numpy()))
        t = base * (r + 1)
        work = dist.all_reduce(t, async_op=True)
        work.wait()
        assert work.is_completed()
        np.testing.assert_array_equal(t.numpy(), (base * 3).numpy())
        # a non-contiguous view: reduced in a copy, written back into the view's memory
        m = cg.arange(6, dtype=dtype).reshape(2, 3) * (r + 1)
        tv = m.T
        dist.all_reduce(tv)
        np.testing.assert_array_equal(m.numpy(), np.arange(6).reshape(2, 3) * 3)

    ti = cg.tensor([r, 10 * r])
    dist.all_reduce(ti)
    assert ti.tolist() == [1, 10], ti

    b = cg.full((3,), float(r))
    dist.broadcast(b, src=1)
    assert b.tolist() == [1.0, 1.0, 1.0], b
    b = cg.full((3,), float(r))
    dist.broadcast(b, src=0, async_op=True).wait()
    assert b.tolist() == [0.0, 0.0, 0.0], b

    out = [cg.zeros(2, 2) for _ in range(n)]
    dist.all_gather(out, cg.full((2, 2), float(r + 1)))
    assert [o.tolist() for o in out] == [[[1.0, 1.0]] * 2, [[2.0, 2.0]] * 2], out
    dist.barrier()

    # bad inputs: the same error on every rank, no hang
    expect(TypeError, dist.all_reduce, [1.0, 2.0], match="must be a chaingrad Tensor")
    expect(TypeError, dist.all_reduce, np.ones(2), match="must be a chaingrad Tensor")
    expect(ValueError, dist.all_reduce, cg.ones(2), op="sum", match="op must be a ReduceOp")
    expect(ValueError, dist.all_reduce, cg.ones(2 + r), match="different shapes")
    expect(ValueError, dist.all_reduce, cg.ones(2, dtype=cg.float32 if r else cg.float64),
           match="different shapes, dtypes")
    expect(ValueError, dist.all_reduce, cg.ones(2),
           op=dist.ReduceOp.SUM if r else dist.ReduceOp.MAX, match="ops")
    expect(TypeError, dist.all_reduce, cg.tensor([1, 2]), op=dist.ReduceOp.AVG,
           match="floating-point")
    expect(ValueError, dist.broadcast, cg.ones(2), src=2, match="src must be a rank")
    expect(ValueError, dist.broadcast, cg.ones(2), src=r, match="different shapes, dtypes or src")
    expect(ValueError, dist.all_gather, [cg.zeros(2)], cg.ones(2), match="one per rank")
    expect(ValueError, dist.all_gather, [cg.zeros(3), cg.zeros(3)], cg.ones(2),
           match="must match")
    expect(ValueError, dist.all_reduce, cg.ones(2), group="other", match="default group")
    # the group still works after every refused call
    t = cg.ones(2)
    dist.all_reduce(t)
    assert t.tolist() == [2.0, 2.0]

    dist.destroy_process_group()
    assert not dist.is_initialized()
    expect(RuntimeError, dist.all_reduce, cg.ones(2), match="has not been initialized")
    dist.init_process_group()  # again, as torch allows
    t = cg.ones(1)
    dist.all_reduce(t)
    assert t.tolist() == [2.0]
    dist.destroy_process_group()
    print(f"rank {r}: ok", flush=True)


if __name__ == "__main__":
    main()
