"""A small user script that tests/test_typing.py checks with ``mypy --strict``: it must type-check
with no error and no ignore, the way a user's code written against chaingrad would."""

from __future__ import annotations

import numpy as np

import chaingrad as torch
from chaingrad import nn, optim
from chaingrad.nn import functional as F


class MLP(nn.Module):
    def __init__(self, n_in: int, n_hidden: int, n_out: int) -> None:
        super().__init__()
        self.fc1 = nn.Linear(n_in, n_hidden)
        self.drop = nn.Dropout(0.1)
        self.fc2 = nn.Linear(n_hidden, n_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h: torch.Tensor = F.relu(self.fc1(x))
        out: torch.Tensor = self.fc2(self.drop(h))
        return out


class Scale(torch.autograd.Function):
    @staticmethod
    def forward(ctx: torch.autograd.function.FunctionCtx, x: torch.Tensor,
                k: float) -> torch.Tensor:
        ctx.k = k
        return x * k

    @staticmethod
    def backward(ctx: torch.autograd.function.FunctionCtx,
                 grad: torch.Tensor) -> tuple[torch.Tensor, None]:
        return grad * ctx.k, None


def train(steps: int = 5) -> float:
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    x = torch.tensor(rng.normal(size=(32, 4)), dtype=torch.float32)
    y = torch.tensor(rng.integers(0, 3, size=32))
    model = MLP(4, 16, 3)
    opt = optim.AdamW(model.parameters(), lr=1e-2, weight_decay=1e-4)
    sched = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    loss = torch.zeros(())
    for _ in range(steps):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y, label_smoothing=0.1)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        opt.step()
        sched.step()
    with torch.no_grad():
        acc: float = (model(x).argmax(dim=1) == y).float().mean().item()
    a = torch.tensor([2.0], requires_grad=True)
    b = (a * a + 1).sum()
    (g,) = torch.autograd.grad(b, [a])
    assert g.shape == (1,)
    s = Scale.apply(a, 3.0).sum()
    s.backward()
    assert a.grad is not None and a.grad.item() == 3.0
    state: dict[str, object] = model.state_dict()
    assert state
    final: float = loss.item()
    return final + 0.0 * acc


if __name__ == "__main__":
    print(f"final loss {train():.4f}")
