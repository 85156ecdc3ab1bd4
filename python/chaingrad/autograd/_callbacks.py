"""Final callbacks of a backward pass: torch's ``Variable._execution_engine.queue_callback``.

A hook that runs during backward (a tensor hook, a post-accumulate-grad hook) may queue a
callable; it runs once the whole backward call has finished, before ``backward()`` returns.
DistributedDataParallel uses it to wait for its gradient reductions, so a training loop needs
no extra call between ``loss.backward()`` and ``optimizer.step()``.
"""

from __future__ import annotations

import threading
from typing import Any, Callable

_local = threading.local()


def _frames() -> list[list[Callable[[], Any]]]:
    frames = getattr(_local, "frames", None)
    if frames is None:
        frames = _local.frames = []
    return frames


def queue_callback(callback: Callable[[], Any]) -> None:
    """Run ``callback()`` when the backward pass running on this thread has finished (callbacks
    run in the order queued; one may queue another). Only valid inside a backward pass."""
    if not callable(callback):
        raise TypeError(f"queue_callback(): callback must be callable, got "
                        f"{type(callback).__name__}")
    frames = _frames()
    if not frames:
        raise RuntimeError("Final callbacks can only be installed during backward pass.")
    frames[-1].append(callback)


def run_with_callbacks(execute: Callable[..., Any], *args: Any) -> Any:
    """``execute(*args)`` (one backward call) with a fresh callback queue, drained after it
    returns. A backward that raises drops its queue, as torch's engine does."""
    frames = _frames()
    queue: list[Callable[[], Any]] = []
    frames.append(queue)
    try:
        result = execute(*args)
        i = 0
        while i < len(queue):  # a callback may queue more
            queue[i]()
            i += 1
        return result
    finally:
        frames.pop()


class ExecutionEngine:
    """``Variable._execution_engine``: the one method user code reaches it for."""

    @staticmethod
    def queue_callback(callback: Callable[[], Any]) -> None:
        queue_callback(callback)
