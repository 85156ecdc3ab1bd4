"""chaingrad.distributed, DistributedDataParallel and DistributedSampler.

The collectives and DDP run in real MPI jobs: each test launches ``mpiexec -n 2 python
tests/distributed/<script>.py`` with ``CHAINGRAD_ENGINE`` set to the test's engine and checks
that both ranks finished (the scripts assert themselves, and a rank that raises aborts the job).
They skip, saying why, when mpi4py or mpiexec is missing (``pip install chaingrad[distributed]``).
Everything that needs no second process (the sampler against torch's, the errors before
``init_process_group``, the lazy import, the backward's final callbacks) runs in-process.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import chaingrad as cg
import chaingrad.distributed as dist
from chaingrad.autograd import Variable
from chaingrad.nn.parallel import DistributedDataParallel
from chaingrad.utils.data import DistributedSampler

SCRIPTS = Path(__file__).with_name("distributed")
NOT_INIT = "Default process group has not been initialized"


def _mpiexec() -> str:
    if importlib.util.find_spec("mpi4py") is None:
        pytest.skip("mpi4py is not installed (pip install chaingrad[distributed]): the "
                    "mpiexec jobs cannot run")
    here = Path(sys.executable).with_name("mpiexec")
    found = str(here) if here.exists() else shutil.which("mpiexec")
    if found is None:
        pytest.skip("no mpiexec on PATH or beside python (pip install mpich)")
    return found


def _run(engine: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    env = dict(os.environ, CHAINGRAD_ENGINE=engine, OMP_NUM_THREADS="1",
               OPENBLAS_NUM_THREADS="1")
    return subprocess.run([_mpiexec(), "-n", "2", sys.executable, *args], env=env,
                          capture_output=True, text=True, timeout=timeout,
                          cwd=SCRIPTS.parent.parent)


def _both_ranks_ok(proc: subprocess.CompletedProcess) -> None:
    detail = f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    assert proc.returncode == 0, detail
    assert "rank 0: ok" in proc.stdout and "rank 1: ok" in proc.stdout, detail


# ---------------------------------------------------------------------------- MPI jobs
def test_collectives_on_two_ranks(engine: str) -> None:
    _both_ranks_ok(_run(engine, str(SCRIPTS / "collectives.py")))


def test_ddp_on_two_ranks(engine: str) -> None:
    _both_ranks_ok(_run(engine, str(SCRIPTS / "ddp.py")))


def test_sync_batchnorm_on_two_ranks(engine: str) -> None:
    _both_ranks_ok(_run(engine, str(SCRIPTS / "sync_batchnorm.py")))


def test_demo_distributed_keeps_ranks_bitwise_identical(engine: str) -> None:
    proc = _run(engine, "-m", "chaingrad.demo", "--distributed", "--epochs", "3", "--quiet",
                "--plot", "")
    assert proc.returncode == 0, proc.stderr
    assert "MLP: parameters and buffers identical on all 2 ranks: yes" in proc.stdout, \
        proc.stdout
    acc = float(proc.stdout.split("MLP: test accuracy")[1].split("%")[0])
    assert acc > 90, proc.stdout


def test_docs_example_on_two_ranks(engine: str, tmp_path: Path) -> None:
    page = (SCRIPTS.parent.parent / "docs" / "distributed.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", page, re.S)
    script = next(b for b in blocks if "needs mpiexec" in b)
    (tmp_path / "train.py").write_text(script)
    proc = _run(engine, str(tmp_path / "train.py"))
    assert proc.returncode == 0, proc.stderr
    assert "2 ranks, last loss" in proc.stdout, proc.stdout


def test_uncaught_exception_aborts_the_job(both: str) -> None:
    # Rank 0 waits in an all_reduce that rank 1 never joins: without the abort hook the job
    # would hang until the timeout.
    start = time.perf_counter()
    proc = _run("cpp", str(SCRIPTS / "abort.py"), timeout=60)
    assert proc.returncode != 0
    assert "rank 1 fails on purpose" in proc.stderr
    assert "aborting the MPI job" in proc.stderr
    assert "did not abort" not in proc.stdout
    assert time.perf_counter() - start < 30


def test_distributed_bench_runs(both: str) -> None:
    proc = _run("cpp", "-m", "bench.distributed", "--repeats", "1")
    assert proc.returncode == 0, proc.stderr
    for row in ("| 1 rank, batch 256 |", "| 25 MB |", "| backward alone (no_sync) |",
                "hidden by overlap"):
        assert row in proc.stdout, proc.stdout


# ---------------------------------------------------------------------------- in-process
def test_import_does_not_import_mpi4py() -> None:
    code = ("import sys, chaingrad, chaingrad.distributed, chaingrad.nn.parallel, "
            "chaingrad.utils.data; assert 'mpi4py' not in sys.modules, 'imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_missing_mpi4py_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "mpi4py", None)
    monkeypatch.setitem(sys.modules, "mpi4py.MPI", None)
    assert not dist.is_available() and not dist.is_mpi_available()
    with pytest.raises(ImportError, match=r"pip install chaingrad\[distributed\]"):
        dist.init_process_group()
    assert not dist.is_initialized()
    with pytest.raises(RuntimeError, match=r"pass num_replicas and rank"):
        DistributedSampler(range(4))


def test_everything_needs_init_process_group() -> None:
    assert not dist.is_initialized()
    t = cg.ones(2)
    for call in (dist.get_rank, dist.get_world_size, dist.barrier, dist.get_backend,
                 dist.destroy_process_group, lambda: dist.all_reduce(t),
                 lambda: dist.broadcast(t, 0), lambda: dist.all_gather([t], t),
                 lambda: DistributedDataParallel(cg.nn.Linear(2, 2))):
        with pytest.raises(RuntimeError, match=NOT_INIT):
            call()
    assert t.tolist() == [1.0, 1.0]


def test_init_process_group_arguments() -> None:
    with pytest.raises(ValueError, match="MPI only"):
        dist.init_process_group("gloo")
    assert not dist.is_initialized()


def test_sync_batchnorm_without_a_group_is_batchnorm() -> None:
    cg.manual_seed(0)
    ref = cg.nn.Sequential(cg.nn.Linear(3, 4), cg.nn.BatchNorm1d(4, momentum=None))
    conv = cg.nn.SyncBatchNorm.convert_sync_batchnorm(
        cg.nn.Sequential(cg.nn.Linear(3, 4), cg.nn.BatchNorm1d(4, momentum=None)))
    conv.load_state_dict(ref.state_dict())
    bn = conv[1]
    assert type(bn) is cg.nn.SyncBatchNorm and bn.momentum is None
    x = cg.randn(5, 3)
    np.testing.assert_array_equal(conv(x).detach().numpy(), ref(x).detach().numpy())
    assert bn.num_batches_tracked.item() == 1
    same = cg.nn.BatchNorm2d(2)
    swapped = cg.nn.SyncBatchNorm.convert_sync_batchnorm(same)
    assert swapped.weight is same.weight and swapped.running_mean is same.running_mean
    with pytest.raises(RuntimeError, match="channels"):
        cg.nn.SyncBatchNorm(3)(cg.randn(4, 5))


# ---------------------------------------------------------------------------- sampler
@pytest.mark.parametrize("n", [0, 1, 7, 10, 33])
def test_distributed_sampler_matches_torch(n: int) -> None:
    torch = pytest.importorskip("torch")
    from torch.utils.data import DistributedSampler as TorchSampler

    for replicas in (1, 2, 3, 4, 12):
        for rank in range(replicas):
            for shuffle in (True, False):
                for drop_last in (True, False):
                    for seed, epoch in ((0, 0), (5, 3)):
                        ours = DistributedSampler(range(n), replicas, rank, shuffle, seed,
                                                  drop_last)
                        theirs = TorchSampler(range(n), replicas, rank, shuffle, seed,
                                              drop_last)
                        ours.set_epoch(epoch)
                        theirs.set_epoch(epoch)
                        case = (n, replicas, rank, shuffle, seed, epoch, drop_last)
                        assert len(ours) == len(theirs), case
                        if n == 0 and not drop_last:
                            continue  # torch divides by zero padding an empty dataset
                        assert list(ours) == list(theirs), case
    assert torch.initial_seed() is not None


def test_distributed_sampler_shards_cover_the_data() -> None:
    shards = [list(DistributedSampler(range(10), 3, r, seed=1)) for r in range(3)]
    assert [len(s) for s in shards] == [4, 4, 4]  # padded by wrapping around
    assert set().union(*shards) == set(range(10))
    first = list(DistributedSampler(range(10), 3, 0, seed=1))
    s = DistributedSampler(range(10), 3, 0, seed=1)
    s.set_epoch(1)
    assert list(s) != first  # a new epoch, a new shuffle


def test_distributed_sampler_errors() -> None:
    with pytest.raises(ValueError, match=r"Invalid rank 2, rank should be in the interval"):
        DistributedSampler(range(4), num_replicas=2, rank=2)
    with pytest.raises(ValueError, match="Invalid rank -1"):
        DistributedSampler(range(4), num_replicas=2, rank=-1)
    with pytest.raises(ValueError, match="num_replicas must be at least 1"):
        DistributedSampler(range(4), num_replicas=0, rank=0)
    with pytest.raises(TypeError, match="num_replicas must be an int"):
        DistributedSampler(range(4), num_replicas=2.0, rank=0)
    with pytest.raises(TypeError, match="epoch must be an int"):
        DistributedSampler(range(4), 2, 0).set_epoch("1")
    if dist.is_available():
        with pytest.raises(RuntimeError, match=NOT_INIT):
            DistributedSampler(range(4))


# ---------------------------------------------------------------------------- final callbacks
def test_post_accumulate_hook_then_final_callback() -> None:
    w = cg.ones(3, requires_grad=True)
    w.grad = cg.full((3,), 10.0)
    b = cg.ones(2, requires_grad=True)
    log: list = []

    def on_w(t: cg.Tensor) -> None:
        log.append(("w", t.grad.tolist()))  # already accumulated into the old .grad
        Variable._execution_engine.queue_callback(lambda: log.append(("end", w.grad.tolist())))

    w.register_post_accumulate_grad_hook(on_w)
    b.register_post_accumulate_grad_hook(lambda t: log.append(("b", t.grad.tolist())))
    ((w * 2).sum() + (w * b.sum()).sum()).backward()
    assert sorted(log[:2]) == [("b", [3.0, 3.0]), ("w", [14.0, 14.0, 14.0])]
    assert log[2:] == [("end", [14.0, 14.0, 14.0])]  # once, after every hook


def test_final_callbacks_order_nesting_and_errors() -> None:
    x = cg.ones(2, requires_grad=True)
    log: list = []

    def first() -> None:
        log.append(1)
        Variable._execution_engine.queue_callback(lambda: log.append(3))  # runs too

    def hook(g: cg.Tensor) -> None:
        Variable._execution_engine.queue_callback(first)
        Variable._execution_engine.queue_callback(lambda: log.append(2))

    x.register_hook(hook)
    (x * 3).sum().backward()
    assert log == [1, 2, 3]
    (x * 3).sum().backward()  # a new backward, a new queue
    assert log == [1, 2, 3, 1, 2, 3]
    with pytest.raises(RuntimeError, match="only be installed during backward pass"):
        Variable._execution_engine.queue_callback(lambda: None)
    y = cg.ones(2, requires_grad=True)

    def bad(g: cg.Tensor) -> None:
        Variable._execution_engine.queue_callback(None)

    y.register_hook(bad)
    with pytest.raises(TypeError, match="callback must be callable"):
        (y * 2).sum().backward()


def test_backward_that_raises_drops_its_callbacks() -> None:
    x = cg.ones(2, requires_grad=True)
    ran: list = []

    def hook(g: cg.Tensor) -> None:
        Variable._execution_engine.queue_callback(lambda: ran.append(1))
        raise ValueError("hook fails")

    x.register_hook(hook)
    with pytest.raises(ValueError, match="hook fails"):
        (x * 2).sum().backward()
    assert ran == []
    z = cg.ones(1, requires_grad=True)
    z.register_hook(lambda g: Variable._execution_engine.queue_callback(lambda: ran.append(2)))
    (z * 2).sum().backward()
    assert ran == [2]


def test_final_callback_with_autograd_grad() -> None:
    x = cg.tensor([2.0], requires_grad=True)
    ran: list = []
    x.register_hook(lambda g: Variable._execution_engine.queue_callback(lambda: ran.append(1)))
    (g,) = cg.autograd.grad((x * x).sum(), x)
    assert g.tolist() == [4.0] and ran == [1]
    assert np.isfinite(g.numpy()).all()
