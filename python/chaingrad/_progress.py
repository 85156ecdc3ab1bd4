"""Progress for long work (the demo's training, the bench): a tqdm bar with rate and ETA on a
terminal when ``tqdm`` is installed (``pip install "chaingrad[progress]"``), plain lines
otherwise, one per finished unit of work, so logs, pipes and CI stay readable.

A well-kept library draws the live bar (terminal width, smoothing of the rate, Unicode blocks,
Jupyter); the plain lines are ours because they are what a log needs: no carriage returns.
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

__all__ = ["Progress", "format_seconds", "have_tqdm", "is_terminal"]


def have_tqdm() -> bool:
    try:
        import tqdm  # noqa: F401
    except ImportError:
        return False
    return True


def is_terminal(stream: Any) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty()) if callable(isatty) else False
    except ValueError:  # a closed stream
        return False


def format_seconds(s: float) -> str:
    """``7.3 s``, ``2:05`` (m:ss) or ``1:02:05`` (h:mm:ss)."""
    if s < 60:
        return f"{s:.1f} s"
    m, sec = divmod(int(round(s)), 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


class Progress:
    """``total`` steps of work described by ``desc``.

    On a terminal with tqdm installed: a live tqdm bar (count, rate, ETA, ``postfix``), left on
    screen with the ``close`` summary. Otherwise (a pipe, a file, CI, or no tqdm): nothing while
    the work runs and one plain line at ``close``: ``desc  n/total  summary  [time, rate]``.
    ``enabled=False`` prints nothing at all. ``live=False`` forces plain lines.
    """

    def __init__(self, total: int, desc: str = "", stream: TextIO | None = None,
                 enabled: bool = True, unit: str = "step", live: bool | None = None) -> None:
        self.total, self.desc, self.unit, self.enabled = total, desc, unit, enabled
        self.stream: TextIO = stream if stream is not None else sys.stderr
        self.count = 0
        self.t0 = time.perf_counter()
        want_live = is_terminal(self.stream) if live is None else live
        self._bar: Any = None
        if enabled and want_live and have_tqdm():
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=desc, file=self.stream, unit=unit, leave=True,
                             dynamic_ncols=True)

    @property
    def live(self) -> bool:
        """Whether a live (tqdm) bar is drawn."""
        return self._bar is not None

    def elapsed(self) -> float:
        return time.perf_counter() - self.t0

    def rate(self) -> float:
        """Steps per second so far."""
        e = self.elapsed()
        return self.count / e if e > 0 else 0.0

    def eta(self) -> float | None:
        """Seconds left at the rate so far (None before the first step)."""
        r = self.rate()
        return (self.total - self.count) / r if r > 0 else None

    def update(self, n: int = 1, postfix: str = "") -> None:
        self.count += n
        if self._bar is not None:
            if postfix:
                self._bar.set_postfix_str(postfix, refresh=False)
            self._bar.update(n)

    def describe(self, desc: str) -> None:
        """Change the description (shown live; plain lines use it at the next ``line``)."""
        self.desc = desc
        if self._bar is not None:
            self._bar.set_description_str(desc)

    def write(self, text: str) -> None:
        """A line of output that does not break the live bar."""
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.write(text, file=self.stream)
        else:
            self.stream.write(text + "\n")
            self.stream.flush()

    def plain_line(self, summary: str = "") -> str:
        rate = self.rate()
        speed = f"{rate:.3g} {self.unit}/s" if rate >= 1 or rate == 0 else \
            f"{1 / rate:.3g} s/{self.unit}"
        head = f"{self.desc}  {self.count}/{self.total}".strip()
        body = f"  {summary}" if summary else ""
        return f"{head}{body}  [{format_seconds(self.elapsed())}, {speed}]"

    def close(self, summary: str = "") -> None:
        if not self.enabled:
            return
        if self._bar is not None:
            if summary:
                self._bar.set_postfix_str(summary, refresh=False)
            self._bar.close()
            self._bar = None
        else:
            self.stream.write(self.plain_line(summary) + "\n")
            self.stream.flush()
