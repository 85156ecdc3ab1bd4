"""Fit y = sin(x) with a cubic, nn.Sequential and an optimizer from torch.optim (Adam).

After the "optim" program of PyTorch's "Learning PyTorch with Examples", which uses RMSprop
with lr=1e-3. Here that trajectory is chaotic: summing the 2000 points in another order (a
rounding difference of 1e-16) changes its final weights entirely, in torch itself, so no two
libraries could print the same numbers. Adam's is not. Runs unchanged on torch: replace the
import by `import torch`.
"""

import math

import chaingrad as torch

torch.set_default_dtype(torch.float64)
torch.manual_seed(0)

x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)

p = torch.tensor([1, 2, 3])
xx = x.unsqueeze(-1).pow(p)

model = torch.nn.Sequential(
    torch.nn.Linear(3, 1),
    torch.nn.Flatten(0, 1),
)
loss_fn = torch.nn.MSELoss(reduction="sum")

learning_rate = 1e-3
optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
for t in range(2000):
    y_pred = model(xx)

    loss = loss_fn(y_pred, y)
    if t % 100 == 99:
        print(t, loss.item())

    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

linear_layer = model[0]
print(
    f"Result: y = {linear_layer.bias.item()} + {linear_layer.weight[:, 0].item()} x"
    f" + {linear_layer.weight[:, 1].item()} x^2 + {linear_layer.weight[:, 2].item()} x^3"
)
