"""The training demo: a short run learns (accuracy far above chance), early stopping restores
the best weights, checkpoints reload, and the command line works."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator

import numpy as np
import pytest

import chaingrad as cg
from chaingrad.demo import train as T
from chaingrad.demo.__main__ import main


@pytest.fixture(scope="module", autouse=True)
def _one_blas_thread() -> Iterator[None]:
    # As the CLI does: on a shared 2-core machine a multi-threaded BLAS makes these small
    # matmuls several times slower (see chaingrad/demo/blas.py).
    from chaingrad.demo.blas import limited_blas_threads

    with limited_blas_threads(1):
        yield


@pytest.fixture(scope="module")
def data() -> T.DigitsData:
    return T.load_data()


def test_split_is_fixed_stratified_and_disjoint(data: T.DigitsData) -> None:
    from chaingrad.datasets import load_digits

    _, y_tr, x_te, _ = load_digits(return_split=True, seed=0)
    assert len(data.y_train) + len(data.y_val) == len(y_tr)
    np.testing.assert_array_equal(data.x_test, x_te)  # the test split is untouched
    # train + validation is a partition of the training split, every class in validation
    combined = np.concatenate([data.y_train, data.y_val])
    assert np.bincount(combined).tolist() == np.bincount(y_tr).tolist()
    assert set(np.unique(data.y_val)) == set(range(10))
    np.testing.assert_array_equal(T.load_data().x_val, data.x_val)  # deterministic


@pytest.mark.parametrize("arch,epochs,min_acc", [("mlp", 3, 0.9), ("cnn", 2, 0.75)])
def test_short_training_learns(arch: str, epochs: int, min_acc: float,
                               data: T.DigitsData) -> None:
    cg.manual_seed(0)
    model = T.build_mlp(data.x_train) if arch == "mlp" else T.build_cnn()
    stream = io.StringIO()
    hist = T.fit(model, data, arch, epochs=epochs, seed=0, verbose=True, stream=stream,
                 augment=T.shift_augment if arch == "cnn" else None, label_smoothing=0.1)
    assert len(hist.train_loss) == epochs
    assert hist.train_loss[-1] < hist.train_loss[0]
    assert hist.test_acc > min_acc  # chance is 0.1
    log = stream.getvalue()
    assert f"{arch} epoch  1/{epochs}  41/41  loss " in log and "val_acc" in log


def test_early_stopping_restores_best(data: T.DigitsData) -> None:
    cg.manual_seed(0)
    model = T.build_mlp(data.x_train)
    # lr=0: the weights never change (only batch-norm statistics move), so the validation loss
    # soon stops improving and patience 2 stops two epochs after the best one
    hist = T.fit(model, data, "mlp", epochs=10, lr=0.0, patience=2, verbose=False)
    assert hist.stopped_early and len(hist.train_loss) == hist.best_epoch + 2 < 10


def test_fit_progress_is_plain_lines_off_a_terminal(data: T.DigitsData) -> None:
    cg.manual_seed(0)
    out = io.StringIO()  # not a tty: one plain line per epoch, no carriage returns
    T.fit(T.build_mlp(data.x_train), data, "mlp", epochs=2, stream=out)
    lines = out.getvalue().splitlines()
    assert "\r" not in out.getvalue() and len(lines) == 2
    for k, line in enumerate(lines, 1):
        assert line.startswith(f"mlp epoch  {k}/2  41/41  loss ")
        assert "val_acc" in line and " eta " in line and "step/s]" in line
    quiet = io.StringIO()
    T.fit(T.build_mlp(data.x_train), data, "mlp", epochs=1, stream=quiet, verbose=False)
    assert quiet.getvalue() == ""


def test_blas_thread_control() -> None:
    from chaingrad.demo.blas import blas_threads, limited_blas_threads

    if blas_threads() is None:
        pytest.skip("no OpenBLAS/MKL loaded")
    with limited_blas_threads(1):
        assert blas_threads() == 1


def test_cli_trains_saves_and_reports(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if not installed
    code = main(["--model", "mlp", "--epochs", "2", "--quiet", "--seed", "1",
                 "--save-dir", str(tmp_path), "--plot", str(tmp_path / "curves.png")])
    assert code == 0
    out = capsys.readouterr().out
    assert "MLP  test accuracy" in out and "wall time" in out
    assert "matplotlib is not installed" in out
    ck = cg.load(tmp_path / "digits_mlp.ckpt")
    assert ck["arch"] == "mlp" and 0.0 < ck["test_acc"] <= 1.0
    model = T.build_mlp(np.zeros((2, 64), dtype=np.float32))
    model.load_state_dict(ck["model"])  # the buffers carry the standardisation
    model.eval()
    _, acc = T.evaluate(model, T.load_data().x_test, T.load_data().y_test)
    assert acc == pytest.approx(ck["test_acc"])


def test_plot_written_when_matplotlib_available(tmp_path) -> None:
    pytest.importorskip("matplotlib")
    h = T.History("MLP", [1.0, 0.5], [1.1, 0.6], [0.5, 0.8], best_epoch=2, test_acc=0.9)
    path = T.plot_history([h], str(tmp_path / "c.png"))
    assert path is not None and (tmp_path / "c.png").read_bytes()[:4] == b"\x89PNG"


def test_cli_arguments(capsys, tmp_path) -> None:
    with pytest.raises(SystemExit):
        main(["--model", "resnet"])
    with pytest.raises(SystemExit):
        main(["--epochs", "0"])
    assert main(["--seeds", "--pictures", str(tmp_path)]) == 0
    assert sorted(p.stem for p in tmp_path.iterdir())[:2] == ["1_product", "2_blocks"]
    assert "df/dx" in capsys.readouterr().out
