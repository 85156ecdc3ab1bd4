"""Fit y = sin(x) with a cubic written as nn.Sequential(nn.Linear(3, 1), nn.Flatten(0, 1)).

After the "nn module" program of PyTorch's "Learning PyTorch with Examples". Runs unchanged on
torch: replace the import by `import torch`.
"""

import math

import chaingrad as torch

torch.set_default_dtype(torch.float64)
torch.manual_seed(0)

x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)

# The output is a linear function of (x, x^2, x^3): a linear layer on those features.
# x.unsqueeze(-1) has shape (2000, 1) and p shape (3,); broadcasting gives (2000, 3).
p = torch.tensor([1, 2, 3])
xx = x.unsqueeze(-1).pow(p)

model = torch.nn.Sequential(
    torch.nn.Linear(3, 1),
    torch.nn.Flatten(0, 1),
)

loss_fn = torch.nn.MSELoss(reduction="sum")

learning_rate = 1e-6
for t in range(2000):
    y_pred = model(xx)

    loss = loss_fn(y_pred, y)
    if t % 100 == 99:
        print(t, loss.item())

    model.zero_grad()
    loss.backward()

    with torch.no_grad():
        for param in model.parameters():
            param -= learning_rate * param.grad

linear_layer = model[0]
print(
    f"Result: y = {linear_layer.bias.item()} + {linear_layer.weight[:, 0].item()} x"
    f" + {linear_layer.weight[:, 1].item()} x^2 + {linear_layer.weight[:, 2].item()} x^3"
)
