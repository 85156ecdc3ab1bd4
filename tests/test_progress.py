"""Progress of long work: a tqdm bar (rate, ETA) on a terminal when tqdm is installed, plain
lines without carriage returns when the stream is not a terminal or tqdm is missing."""

from __future__ import annotations

import io
import pathlib
import sys

import pytest

from chaingrad import _progress
from chaingrad._progress import Progress, format_seconds

ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _once(engine: str) -> None:
    if engine != "cpp":
        pytest.skip("progress output does not depend on the engine under test")


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plain_lines_when_not_a_terminal() -> None:
    out = io.StringIO()
    p = Progress(4, "epoch 1/2", stream=out)
    assert not p.live
    p.update(2, "loss 1.0")
    assert out.getvalue() == ""  # nothing while the work runs
    p.update(2)
    p.close("done")
    text = out.getvalue()
    assert "\r" not in text and "\x1b" not in text
    assert text.startswith("epoch 1/2  4/4  done  [") and text.endswith(" step/s]\n")
    assert text.count("\n") == 1


def test_disabled_prints_nothing() -> None:
    out = Tty()
    p = Progress(3, "x", stream=out, enabled=False)
    p.update(3)
    p.write("hello")
    p.close("done")
    assert out.getvalue() == ""


def test_terminal_without_tqdm_falls_back_to_plain_lines(monkeypatch) -> None:
    monkeypatch.setattr(_progress, "have_tqdm", lambda: False)
    out = Tty()
    p = Progress(2, "e", stream=out)
    assert not p.live
    p.update(2)
    p.close("ok")
    assert "\r" not in out.getvalue() and out.getvalue().startswith("e  2/2  ok  [")


def test_live_tqdm_bar_on_a_terminal() -> None:
    pytest.importorskip("tqdm")
    out = Tty()
    p = Progress(4, "epoch 1/2", stream=out)
    assert p.live
    p.update(2, "loss 1.0")
    p.write("a line that keeps the bar intact")
    p.update(2, "loss 0.5")
    p.close("val_acc 90%")
    text = out.getvalue()
    assert "\r" in text  # redrawn in place
    assert "epoch 1/2" in text and "4/4" in text and "step/s" in text
    assert "a line that keeps the bar intact\n" in text
    assert text.rstrip().endswith("val_acc 90%]")  # the summary stays on screen


def test_rate_and_eta() -> None:
    p = Progress(10, stream=io.StringIO())
    assert p.eta() is None
    p.t0 -= 2.0  # two seconds ago
    p.update(4)
    assert p.rate() == pytest.approx(2.0, rel=0.05)
    assert p.eta() == pytest.approx(3.0, rel=0.05)
    assert p.plain_line().endswith("step/s]")
    slow = Progress(10, stream=io.StringIO(), unit="job")
    slow.t0 -= 20.0
    slow.update(1)
    assert slow.plain_line().endswith(" s/job]")  # below one per second: seconds per unit


def test_format_seconds() -> None:
    assert format_seconds(7.34) == "7.3 s"
    assert format_seconds(125) == "2:05"
    assert format_seconds(3725) == "1:02:05"


def test_bench_progress_lines_off_a_terminal() -> None:
    sys.path.insert(0, str(ROOT))
    try:
        from bench.progress import Progress as BenchProgress
    except ImportError:
        pytest.skip("needs the source checkout's bench/")
    finally:
        sys.path.remove(str(ROOT))
    out = io.StringIO()
    prog = BenchProgress(3, stream=out)
    prog.note("chain · cpp")  # transient: not written to a log
    prog.line("chain · cpp", "0.4 µs/op", 0.01)
    prog.line("chain · python", "7 µs/op", 0.1)
    prog.line("fan_in · cpp", "0.4 µs/op", 0.01)
    prog.close()
    lines = out.getvalue().splitlines()
    assert "\r" not in out.getvalue() and len(lines) == 3
    assert lines[0].startswith("[ 1/3] chain · cpp") and ", eta " in lines[0]
    assert lines[2].startswith("[ 3/3] fan_in · cpp") and "eta" not in lines[2]


def test_bench_progress_live_on_a_terminal() -> None:
    pytest.importorskip("tqdm")
    sys.path.insert(0, str(ROOT))
    try:
        from bench.progress import Progress as BenchProgress
    except ImportError:
        pytest.skip("needs the source checkout's bench/")
    finally:
        sys.path.remove(str(ROOT))
    out = Tty()
    prog = BenchProgress(2, stream=out)
    prog.note("chain · cpp")
    prog.line("chain · cpp", "0.4 µs/op", 0.01)
    prog.line("chain · python", "7 µs/op", 0.1)
    prog.close()
    text = out.getvalue()
    assert "\r" in text and "2/2" in text and "job/s" in text
    assert "[ 2/2] chain · python" in text
