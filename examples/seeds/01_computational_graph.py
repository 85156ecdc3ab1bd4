# Seed "The Computational Graph": f(x, y, z) = x * y * z, then a chain of blocks.
# The original imports torch; only the import line differs.
import chaingrad as torch

x = torch.tensor([2.0], requires_grad=True)
y = torch.tensor([3.0], requires_grad=True)
z = torch.tensor([4.0], requires_grad=True)

# Perform the operation
f = x * y * z  # f(x, y, z) = x * y * z

# Compute gradients
f.backward()

# Gradients: df/dx = y * z, df/dy = x * z, df/dz = x * y
print(f"Gradient df/dx: {x.grad}")  # Output should be 3.0 * 4.0
print(f"Gradient df/dy: {y.grad}")  # Output should be 2.0 * 4.0
print(f"Gradient df/dz: {z.grad}")  # Output should be 2.0 * 3.0


def h(x):
    return x**2


def f(y):
    return y + 1


# Define tensors
x = torch.tensor(2.0, requires_grad=True)

# Define the computational blocks
y = h(x)  # Some function h
z = f(y)  # Some function f

# Compute gradients
z.backward()

# x.grad will contain ∇_{x}z
print("Gradient of z with respect to x:", x.grad)
