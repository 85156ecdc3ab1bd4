"""One line per (workload, backend) on stderr, with a live `\\r` line on a terminal."""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, total: int) -> None:
        self.total = total
        self.i = 0
        self.t_start = time.perf_counter()
        self.t_item = self.t_start
        self.live = sys.stderr.isatty()

    def start(self, label: str) -> None:
        self.i += 1
        self.t_item = time.perf_counter()
        if self.live:
            sys.stderr.write(f"\r[{self.i:>2}/{self.total}] {label} ...")
            sys.stderr.flush()

    def done(self, label: str, status: str) -> None:
        now = time.perf_counter()
        line = (f"[{self.i:>2}/{self.total}] {label:<34} {status[:40]:<20} "
                f"{now - self.t_item:6.2f} s  (elapsed {now - self.t_start:6.1f} s)")
        sys.stderr.write(("\r\x1b[K" if self.live else "") + line + "\n")
        sys.stderr.flush()
