"""Progress on stderr: one line per (workload, backend) with its time, elapsed and ETA; on a
terminal with tqdm installed, a live bar (count, rate, ETA, current job) above those lines."""

from __future__ import annotations

import sys
from typing import TextIO

from chaingrad._progress import Progress as _Bar
from chaingrad._progress import format_seconds


class Progress:
    def __init__(self, total: int, stream: TextIO | None = None, live: bool | None = None
                 ) -> None:
        self.total = total
        self.bar = _Bar(total, "bench", stream=stream if stream is not None else sys.stderr,
                        unit="job", live=live)

    @property
    def i(self) -> int:
        return self.bar.count

    def note(self, text: str) -> None:
        """Transient status: the live bar's description (plain lines show only finished jobs)."""
        self.bar.describe(text)

    def line(self, label: str, status: str, seconds: float) -> None:
        self.bar.update(1)
        eta = self.bar.eta()
        line = (f"[{self.i:>2}/{self.total}] {label:<34} {status[:40]:<20} "
                f"{seconds:6.2f} s  (elapsed {self.bar.elapsed():6.1f} s"
                + (f", eta {format_seconds(eta)}" if eta is not None and self.i < self.total
                   else "") + ")")
        self.bar.write(line)

    def close(self) -> None:
        if self.bar.live:
            self.bar.describe("bench")
            self.bar.close()
