# Seed "Computational Graphs": g = (x + y) * z at x = 1, y = 3, z = -3.
import chaingrad as torch

x = torch.tensor(1.0, requires_grad=True)
y = torch.tensor(3.0, requires_grad=True)
z = torch.tensor(-3.0, requires_grad=True)

p = x + y  # p = 4
g = p * z  # g = -12
print("p =", p.item(), " g =", g.item())

g.backward()  # dg/dg = 1, then back through "*" and "+"
print("dg/dx =", x.grad.item(), " dg/dy =", y.grad.item(), " dg/dz =", z.grad.item())
