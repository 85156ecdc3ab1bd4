"""Fit y = sin(x) on [-pi, pi] with a cubic, letting autograd compute the gradients.

After the "Autograd" program of PyTorch's "Learning PyTorch with Examples". Runs unchanged on
torch: replace the import by `import torch`.
"""

import math

import chaingrad as torch

dtype = torch.float64
device = torch.device("cpu")  # or torch.device("cuda:0") on a GPU
torch.manual_seed(0)

x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
y = torch.sin(x)

# requires_grad=True: autograd records the operations on these weights.
a = torch.randn((), device=device, dtype=dtype, requires_grad=True)
b = torch.randn((), device=device, dtype=dtype, requires_grad=True)
c = torch.randn((), device=device, dtype=dtype, requires_grad=True)
d = torch.randn((), device=device, dtype=dtype, requires_grad=True)

learning_rate = 1e-6
for t in range(2000):
    y_pred = a + b * x + c * x ** 2 + d * x ** 3

    loss = (y_pred - y).pow(2).sum()
    if t % 100 == 99:
        print(t, loss.item())

    # Gradients of the loss with respect to every tensor with requires_grad=True.
    loss.backward()

    # Update the weights outside the graph, then clear the gradients.
    with torch.no_grad():
        a -= learning_rate * a.grad
        b -= learning_rate * b.grad
        c -= learning_rate * c.grad
        d -= learning_rate * d.grad

        a.grad = None
        b.grad = None
        c.grad = None
        d.grad = None

print(f"Result: y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3")
