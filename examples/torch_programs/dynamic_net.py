"""Fit y = sin(x) with a polynomial of random degree (3, 4 or 5) each step: a dynamic graph
whose fourth- and fifth-order terms reuse one parameter, trained with SGD and momentum.

After the "Control Flow + Weight Sharing" program of PyTorch's "Learning PyTorch with
Examples". Runs unchanged on torch: replace the import by `import torch`.
"""

import math
import random

import chaingrad as torch


class DynamicNet(torch.nn.Module):
    def __init__(self):
        """Five scalar parameters."""
        super().__init__()
        self.a = torch.nn.Parameter(torch.randn(()))
        self.b = torch.nn.Parameter(torch.randn(()))
        self.c = torch.nn.Parameter(torch.randn(()))
        self.d = torch.nn.Parameter(torch.randn(()))
        self.e = torch.nn.Parameter(torch.randn(()))

    def forward(self, x):
        """A cubic plus 0, 1 or 2 more terms, chosen at random, all weighted by e: ordinary
        Python control flow, and one parameter used several times in the same graph."""
        y = self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3
        for exp in range(4, random.randint(4, 6)):
            y = y + self.e * x ** exp
        return y

    def string(self):
        return (
            f"y = {self.a.item()} + {self.b.item()} x + {self.c.item()} x^2"
            f" + {self.d.item()} x^3 + {self.e.item()} x^4 ? + {self.e.item()} x^5 ?"
        )


torch.set_default_dtype(torch.float64)
torch.manual_seed(0)
random.seed(0)

x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)

model = DynamicNet()

criterion = torch.nn.MSELoss(reduction="sum")
optimizer = torch.optim.SGD(model.parameters(), lr=1e-8, momentum=0.9)
for t in range(3000):
    y_pred = model(x)

    loss = criterion(y_pred, y)
    if t % 200 == 199:
        print(t, loss.item())

    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

print(f"Result: {model.string()}")
