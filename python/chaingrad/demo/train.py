"""Train an MLP and a small CNN on the bundled UCI digits (``python -m chaingrad.demo``).

Everything a real training run needs, with chaingrad only: a fixed stratified train/test split,
a validation split carved from the training set, mini-batches, dropout and weight decay, Adam
with a learning-rate schedule, early stopping that restores the best weights, a checkpoint
written with ``chaingrad.save``, progress on stderr (a tqdm bar with rate and ETA on a terminal
when tqdm is installed, one plain line per epoch otherwise) and a loss-curve PNG when
matplotlib is available.
"""

from __future__ import annotations

import math
import os
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Callable, TextIO

import numpy as np

import chaingrad
from chaingrad import nn
from chaingrad._progress import Progress, format_seconds
from chaingrad.datasets import load_digits

__all__ = [
    "DigitsData", "History", "Progress", "build_cnn", "build_mlp", "evaluate", "fit",
    "load_data", "plot_history", "run",
]


# ---------------------------------------------------------------------------- data
@dataclass
class DigitsData:
    """The fixed split (``load_digits(return_split=True, seed=0)``) plus a validation part."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def load_data(val_fraction: float = 0.1, seed: int = 0) -> DigitsData:
    """Carve a stratified validation set (``val_fraction`` of each class) out of the
    training split; the test split is never looked at during training."""
    x_tr, y_tr, x_te, y_te = load_digits(return_split=True, seed=0)
    rng = np.random.default_rng(seed)
    val_idx = []
    for c in np.unique(y_tr):
        idx = rng.permutation(np.flatnonzero(y_tr == c))
        val_idx.append(idx[: max(1, round(len(idx) * val_fraction))])
    val = np.concatenate(val_idx)
    mask = np.ones(len(y_tr), dtype=bool)
    mask[val] = False
    return DigitsData(x_tr[mask], y_tr[mask], x_tr[val], y_tr[val], x_te, y_te)


# ---------------------------------------------------------------------------- models
class Standardize(nn.Module):
    """(x - mean) / std with the statistics stored as buffers, so a saved model carries its
    preprocessing (they are in ``state_dict`` but are not trained)."""

    def __init__(self, mean: np.ndarray, std: np.ndarray) -> None:
        super().__init__()
        self.register_buffer("mean", chaingrad.tensor(np.asarray(mean, dtype=np.float32)))
        self.register_buffer("std", chaingrad.tensor(np.asarray(std, dtype=np.float32)))

    def forward(self, x: chaingrad.Tensor) -> chaingrad.Tensor:
        return (x - self.mean) / self.std


def build_mlp(x_train: np.ndarray, hidden: int = 256, dropout: float = 0.3) -> nn.Module:
    """Standardize -> [Linear -> BatchNorm -> ReLU -> Dropout] x 2 -> Linear(10)."""
    # +0.1 keeps the always-blank border pixels (std 0) from dividing by zero.
    std = Standardize(x_train.mean(0), x_train.std(0) + 0.1)
    return nn.Sequential(
        std,
        nn.Linear(64, hidden), nn.BatchNorm1d(hidden), nn.ReLU(), nn.Dropout(dropout),
        nn.Linear(hidden, hidden), nn.BatchNorm1d(hidden), nn.ReLU(), nn.Dropout(dropout),
        nn.Linear(hidden, 10),
    )


def build_cnn(x_train: np.ndarray | None = None, dropout: float = 0.25) -> nn.Module:
    """Two 3x3 conv blocks (the second with batch norm) and max pooling, then a small MLP
    head: (N, 64) -> (N, 1, 8, 8) -> (N, 10). ``x_train`` is accepted for symmetry with
    ``build_mlp`` and unused: the CNN takes the raw [0, 1] pixels."""
    return nn.Sequential(
        nn.Unflatten(1, (1, 8, 8)),
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
        nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(dropout),
        nn.Linear(32 * 4 * 4, 64), nn.ReLU(),
        nn.Linear(64, 10),
    )


# ---------------------------------------------------------------------------- training
@dataclass
class History:
    """Per-epoch curves and the outcome of one ``fit``."""

    name: str
    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_acc: list[float] = field(default_factory=list)
    best_epoch: int = 0
    stopped_early: bool = False
    test_acc: float = float("nan")
    seconds: float = 0.0


def evaluate(model: nn.Module, x: np.ndarray, y: np.ndarray, batch_size: int = 512
             ) -> tuple[float, float]:
    """(mean cross-entropy, accuracy) in eval mode, without building a graph."""
    model.eval()
    total, correct = 0.0, 0
    with chaingrad.no_grad():
        for i in range(0, len(y), batch_size):
            xb, yb = chaingrad.tensor(x[i:i + batch_size]), chaingrad.tensor(y[i:i + batch_size])
            logits = model(xb)
            total += nn.functional.cross_entropy(logits, yb, reduction="sum").item()
            correct += int((logits.numpy().argmax(1) == y[i:i + batch_size]).sum())
    return total / len(y), correct / len(y)


def _snapshot(model: nn.Module) -> dict[str, Any]:
    # state_dict() shares memory with the model; early stopping needs a frozen copy.
    return {k: v.clone() for k, v in model.state_dict().items()}


def fit(model: nn.Module, data: DigitsData, name: str, epochs: int = 40, lr: float = 2e-3,
        weight_decay: float = 1e-4, batch_size: int = 32, patience: int = 8, seed: int = 0,
        augment: Callable[[np.ndarray, np.random.Generator], np.ndarray] | None = None,
        label_smoothing: float = 0.0, verbose: bool = True, stream: TextIO | None = None,
        world_size: int = 0) -> History:
    """Mini-batch AdamW with cosine lr decay; early stopping on the validation loss restores
    the best epoch's weights. Returns the curves; ``History.test_acc`` is filled in here.
    ``world_size`` > 0: ``model`` is a DistributedDataParallel and this rank takes its
    DistributedSampler share (``batch_size / world_size``) of each global batch."""
    out = stream if stream is not None else sys.stderr
    rng = np.random.default_rng(seed)
    sampler = None
    if world_size:
        from chaingrad.utils.data import DistributedSampler

        if batch_size % world_size:
            raise ValueError(f"the global batch ({batch_size}) must split evenly over "
                             f"{world_size} ranks")
        sampler = DistributedSampler(range(len(data.y_train)), shuffle=True, seed=seed)
        batch_size //= world_size
    opt = chaingrad.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    sched = chaingrad.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs, eta_min=lr / 50)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=label_smoothing)
    hist = History(name)
    best, best_state, bad = math.inf, _snapshot(model), 0
    n = len(data.y_train)
    steps = math.ceil((len(sampler) if sampler else n) / batch_size)
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        model.train()
        if sampler is not None:
            sampler.set_epoch(epoch)
            order = np.fromiter(sampler, dtype=np.int64)
        else:
            order = rng.permutation(n)
        bar = Progress(steps, f"{name} epoch {epoch:2d}/{epochs}", stream=out, enabled=verbose)
        running = 0.0
        for k in range(steps):
            idx = order[k * batch_size:(k + 1) * batch_size]
            xb = data.x_train[idx]
            if augment is not None:
                xb = augment(xb, rng)
            x, y = chaingrad.tensor(xb), chaingrad.tensor(data.y_train[idx])
            loss = loss_fn(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            running += loss.item() * len(idx)
            bar.update(1, f"loss {loss.item():.4f}")
        sched.step()
        if sampler is not None:  # the mean over the global batches, as one process sees it
            from .distributed import sum_across_ranks

            running = sum_across_ranks(running) * n / sampler.total_size
        train_loss = running / n
        val_loss, val_acc = evaluate(model, data.x_val, data.y_val)
        hist.train_loss.append(train_loss)
        hist.val_loss.append(val_loss)
        hist.val_acc.append(val_acc)
        improved = val_loss < best - 1e-4
        if improved:
            best, best_state, bad, hist.best_epoch = val_loss, _snapshot(model), 0, epoch
        else:
            bad += 1
        # ETA of the whole run at the mean epoch time so far (early stopping may end it sooner)
        left = (time.perf_counter() - start) / epoch * (epochs - epoch)
        bar.close(f"loss {train_loss:.4f}  val_loss {val_loss:.4f}  val_acc {val_acc:.2%}"
                  + ("  *" if improved else "") + f"  eta {format_seconds(left)}")
        if bad >= patience:
            hist.stopped_early = True
            if verbose:
                out.write(f"{name}: early stopping (no val_loss improvement for {patience} "
                          f"epochs); restoring epoch {hist.best_epoch}\n")
            break
    model.load_state_dict(best_state)
    hist.seconds = time.perf_counter() - start
    hist.test_acc = evaluate(model, data.x_test, data.y_test)[1]
    return hist


def shift_augment(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Translate each 8x8 image by up to one pixel (zero fill): cheap, label-preserving."""
    imgs = x.reshape(-1, 8, 8)
    out = np.zeros_like(imgs)
    dy, dx = rng.integers(-1, 2, size=(2, len(imgs)))
    for i, (a, b) in enumerate(zip(dy, dx)):
        src = imgs[i, max(0, -a):8 - max(0, a), max(0, -b):8 - max(0, b)]
        out[i, max(0, a):max(0, a) + src.shape[0], max(0, b):max(0, b) + src.shape[1]] = src
    return out.reshape(len(imgs), 64)


# ---------------------------------------------------------------------------- plot
def plot_history(histories: list[History], path: str) -> str | None:
    """Save train/val loss curves to ``path``; returns None when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    fig, axes = plt.subplots(1, len(histories), figsize=(5 * len(histories), 3.6),
                             squeeze=False)
    for ax, h in zip(axes[0], histories):
        ep = range(1, len(h.train_loss) + 1)
        ax.plot(ep, h.train_loss, label="train (label smoothing, dropout on)")
        ax.plot(ep, h.val_loss, label="validation")
        ax.axvline(h.best_epoch, color="grey", linestyle=":", label="best (restored)")
        ax.set_title(f"{h.name}: test accuracy {h.test_acc:.2%}")
        ax.set_xlabel("epoch")
        ax.set_ylabel("cross-entropy")
        ax.set_yscale("log")
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


# ---------------------------------------------------------------------------- entry point
# Chosen on the validation split (checked over several seeds): label smoothing helps both;
# random one-pixel shifts help the CNN (translation-equivariant) but hurt the MLP.
_CONFIGS: dict[str, dict[str, Any]] = {
    "mlp": dict(build=build_mlp, lr=2e-3, weight_decay=1e-4, augment=None,
                label_smoothing=0.1),
    "cnn": dict(build=build_cnn, lr=2e-3, weight_decay=1e-4, augment=shift_augment,
                label_smoothing=0.1),
}


def run(models: list[str], epochs: int = 40, seed: int = 0, plot: str | None = None,
        save_dir: str | None = None, verbose: bool = True, stream: TextIO | None = None,
        distributed: bool = False) -> list[History]:
    """Train each of ``models`` ('mlp', 'cnn'), print a summary, optionally save checkpoints
    and the loss-curve plot. Returns the histories. ``distributed``: data-parallel over the
    MPI job (``demo/distributed.py``); only rank 0 prints, plots and saves."""
    rank, world = 0, 0
    if distributed:
        from . import distributed as ddp

        rank, world = ddp.setup()
    lead = rank == 0
    verbose = verbose and lead
    data = load_data(seed=seed)
    histories = []
    for name in models:
        cfg = _CONFIGS[name]
        chaingrad.manual_seed(seed)
        model = cfg["build"](data.x_train)
        if verbose:
            n_params = sum(p.numel() for p in model.parameters())
            print(f"{name.upper()}: {n_params:,} parameters, {len(data.y_train)} train / "
                  f"{len(data.y_val)} validation / {len(data.y_test)} test images"
                  + (f", data-parallel on {world} ranks" if world else ""))
        if world:
            model = ddp.wrap(model)
            chaingrad.manual_seed(seed + rank)  # each rank its own dropout masks
        h = fit(model, data, name.upper(), epochs=epochs, lr=cfg["lr"],
                weight_decay=cfg["weight_decay"], seed=seed, augment=cfg["augment"],
                label_smoothing=cfg["label_smoothing"], verbose=verbose, stream=stream,
                world_size=world)
        histories.append(h)
        if world:
            same, digest = ddp.identical_across_ranks(model)
            model = model.module
            if lead:
                print(f"{name.upper()}: parameters and buffers identical on all {world} ranks: "
                      f"{'yes' if same else 'NO'} (sha256 {digest[:16]})")
        if not lead:
            continue
        print(f"{name.upper()}: test accuracy {h.test_acc:.2%} (best epoch {h.best_epoch}, "
              f"{len(h.train_loss)} epochs, {h.seconds:.1f} s)")
        if save_dir:
            os.makedirs(save_dir, exist_ok=True)
            path = os.path.join(save_dir, f"digits_{name}.ckpt")
            chaingrad.save({"model": model.state_dict(), "arch": name,
                            "test_acc": h.test_acc, "epochs": len(h.train_loss)}, path)
            print(f"{name.upper()}: saved the restored best model to {path}")
    if plot and lead:
        where = plot_history(histories, plot)
        if where is None:
            print("matplotlib is not installed: no loss-curve plot "
                  "(pip install matplotlib, or chaingrad[plot])")
        else:
            print(f"loss curves saved to {where}")
    return histories
