"""Regularization strategies side by side, on a deliberately small training set.

    python examples/regularization_digits.py

An over-sized MLP trained on 200 digits memorises them (100% training accuracy). Each strategy
below constrains it differently; the table shows the test accuracy and what happened to the
weights (their norm, and the share driven to ~0). With 360 test images, accuracy differences of
a point are noise; the weight statistics show each mechanism at work:

- nothing;
- an L2 penalty added to the loss (lambda * sum of squared weights);
- an L1 penalty added to the loss (drives many weights to ~0);
- coupled weight decay (Adam's `weight_decay`, = an L2 gradient term);
- decoupled weight decay (AdamW);
- dropout;
- early stopping on a validation split (keeps the best epoch);
- gradient-norm clipping (a stabiliser more than a regulariser; shown for the API).
"""

from __future__ import annotations

import numpy as np

import chaingrad as torch
import chaingrad.nn.functional as F
from chaingrad import nn
from chaingrad.datasets import load_digits

EPOCHS = 40


def make_model(dropout: float = 0.0) -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Dropout(dropout),
                         nn.Linear(256, 256), nn.ReLU(), nn.Dropout(dropout),
                         nn.Linear(256, 10))


def weights(model: nn.Module) -> list:
    return [p for n, p in model.named_parameters() if n.endswith("weight")]


def accuracy(model: nn.Module, x: np.ndarray, y: np.ndarray) -> float:
    model.eval()
    with torch.no_grad():
        return float((model(torch.tensor(x)).numpy().argmax(1) == y).mean())


def train(model: nn.Module, opt: torch.optim.Optimizer, data: tuple, l1: float = 0.0,
          l2: float = 0.0, early_stopping: bool = False, clip: float | None = None) -> dict:
    x_tr, y_tr, x_val, y_val, x_te, y_te = data
    rng = np.random.default_rng(0)
    best_acc, best_state = -1.0, None
    for _ in range(EPOCHS):
        model.train()
        order = rng.permutation(len(y_tr))
        for i in range(0, len(order), 20):
            idx = order[i:i + 20]
            loss = F.cross_entropy(model(torch.tensor(x_tr[idx])), torch.tensor(y_tr[idx]))
            if l2:  # the penalty is just more graph: autograd differentiates it too
                loss = loss + l2 * sum((w * w).sum() for w in weights(model))
            if l1:
                loss = loss + l1 * sum(w.abs().sum() for w in weights(model))
            opt.zero_grad()
            loss.backward()
            if clip is not None:
                nn.utils.clip_grad_norm_(model.parameters(), clip)
            opt.step()
        if early_stopping:
            acc = accuracy(model, x_val, y_val)
            if acc > best_acc:
                best_acc = acc
                best_state = {k: v.clone() for k, v in model.state_dict().items()}
    if best_state is not None:
        model.load_state_dict(best_state)
    ws = np.concatenate([w.detach().numpy().ravel() for w in weights(model)])
    return {"train": accuracy(model, x_tr, y_tr), "test": accuracy(model, x_te, y_te),
            "|w|": float(np.sqrt((ws ** 2).sum())),
            "near 0": float((np.abs(ws) < 1e-3).mean())}


def main() -> None:
    x_train, y_train, x_test, y_test = load_digits(return_split=True, seed=0)
    small, val = slice(0, 200), slice(200, 400)
    data = (x_train[small], y_train[small], x_train[val], y_train[val], x_test, y_test)

    def adam(m: nn.Module, **kw: float) -> torch.optim.Optimizer:
        return torch.optim.Adam(m.parameters(), lr=1e-3, **kw)

    runs = {
        "none": lambda: train(m := make_model(), adam(m), data),
        "L2 penalty 1e-3": lambda: train(m := make_model(), adam(m), data, l2=1e-3),
        "L1 penalty 1e-4": lambda: train(m := make_model(), adam(m), data, l1=1e-4),
        "Adam weight_decay 1e-2": lambda: train(m := make_model(), adam(m, weight_decay=1e-2),
                                                data),
        "AdamW weight_decay 0.5": lambda: train(
            m := make_model(), torch.optim.AdamW(m.parameters(), lr=1e-3, weight_decay=0.5),
            data),
        "dropout 0.5": lambda: train(m := make_model(0.5), adam(m), data),
        "early stopping": lambda: train(m := make_model(), adam(m), data, early_stopping=True),
        "clip_grad_norm 1.0": lambda: train(m := make_model(), adam(m), data, clip=1.0),
    }
    print(f"{'strategy':24s} {'train acc':>9s} {'test acc':>9s} {'||W||':>8s} {'|w|<1e-3':>9s}")
    for name, run in runs.items():
        r = run()
        print(f"{name:24s} {r['train']:9.2%} {r['test']:9.2%} {r['|w|']:8.2f} "
              f"{r['near 0']:9.2%}")


if __name__ == "__main__":
    main()
