# Seed "Steps for training a neural network": forward, backward, W = W - learning_rate * grad.
import chaingrad as torch

torch.manual_seed(0)
X = torch.randn(100, 2)
Y = X @ torch.tensor([[2.0], [-3.0]]) + 0.5

W = torch.zeros(2, 1, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
learning_rate = 0.1

for step in range(101):
    cost = ((X @ W + b - Y) ** 2).mean()  # forward pass: the cost c
    cost.backward()  # backward pass: dc/dW, dc/db
    with torch.no_grad():  # W = W - learning_rate * gradients
        W -= learning_rate * W.grad
        b -= learning_rate * b.grad
    W.grad = None
    b.grad = None
    if step % 50 == 0:
        print(f"step {step:3d}  cost {cost.item():.4f}")

print("W =", [round(w, 3) for w in W.detach().numpy().ravel().tolist()], " b =", round(b.item(), 3))
