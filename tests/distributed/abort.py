"""Run under ``mpiexec -n 2``: rank 1 raises while rank 0 waits in a collective. The
exception hook installed by init_process_group must abort the job (non-zero exit, no hang)."""

import chaingrad as cg
import chaingrad.distributed as dist

dist.init_process_group()
if dist.get_rank() == 1:
    raise ValueError("rank 1 fails on purpose")
t = cg.ones(2)
dist.all_reduce(t)  # never completes: rank 1 is gone
print("rank 0 finished: the job did not abort", flush=True)
