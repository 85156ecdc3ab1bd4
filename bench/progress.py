"""Progress on stderr: one line per (workload, backend) with its time, plus a live `\\r`
line on a terminal."""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, total: int) -> None:
        self.total = total
        self.i = 0
        self.t_start = time.perf_counter()
        self.live = sys.stderr.isatty()

    def note(self, text: str) -> None:
        """Transient status; only shown on a terminal."""
        if self.live:
            sys.stderr.write(f"\r\x1b[K[{self.i:>2}/{self.total}] {text} ...")
            sys.stderr.flush()

    def line(self, label: str, status: str, seconds: float) -> None:
        self.i += 1
        line = (f"[{self.i:>2}/{self.total}] {label:<34} {status[:40]:<20} "
                f"{seconds:6.2f} s  (elapsed {time.perf_counter() - self.t_start:6.1f} s)")
        sys.stderr.write(("\r\x1b[K" if self.live else "") + line + "\n")
        sys.stderr.flush()
