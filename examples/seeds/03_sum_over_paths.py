# Seed "Why Computational Graphs?": e = (a + b) * (b + 1), gradients summed over paths.
import chaingrad as torch

a = torch.tensor([2.], requires_grad=True)
b = torch.tensor([1.], requires_grad=True)

c = a + b
d = b + 1
e = c * d

# grads populated for non-leaf nodes
c.retain_grad()
d.retain_grad()
e.retain_grad()

print(e)

e.backward()

print(a.grad)
print(b.grad)
print(a.grad, b.grad, c.grad, d.grad, e.grad)
