"""A makemore-style character-level MLP language model (after Bengio et al. 2003 and
Karpathy's makemore, part 2): it learns to make up more words like those of a text.

    python examples/torch_programs/makemore_mlp.py

Words: the lowercase words of Shakespeare's sonnets in data/sonnets.txt, with '.' marking their
start and end. The model reads the last three characters (one-hot vectors times an embedding
table), passes them through a tanh hidden layer and predicts the next character; the loss is
cross-entropy; plain SGD on minibatches drawn with a torch.Generator; at the end it samples new
words with torch.multinomial. Runs unchanged on torch: replace the imports by `import torch` and
`import torch.nn.functional as F`.
"""

import pathlib
import random
import re

import chaingrad as torch
import chaingrad.nn.functional as F

text = (pathlib.Path(__file__).parent / "data" / "sonnets.txt").read_text()
words = sorted(set(re.findall(r"[a-z]+", text.lower())))
print(len(words), "words, e.g.", words[:5])

# The vocabulary: '.' (index 0) and the letters.
chars = sorted(set("".join(words)))
stoi = {s: i + 1 for i, s in enumerate(chars)}
stoi["."] = 0
itos = {i: s for s, i in stoi.items()}
vocab_size = len(itos)
print("vocab size", vocab_size)

block_size = 3  # context length: how many characters predict the next one


def build_dataset(words):
    X, Y = [], []
    for w in words:
        context = [0] * block_size
        for ch in w + ".":
            ix = stoi[ch]
            X.append(context)
            Y.append(ix)
            context = context[1:] + [ix]
    X = torch.tensor(X)
    Y = torch.tensor(Y)
    print(tuple(X.shape), tuple(Y.shape))
    return X, Y


random.seed(42)
random.shuffle(words)
n1 = int(0.8 * len(words))
n2 = int(0.9 * len(words))
Xtr, Ytr = build_dataset(words[:n1])
Xdev, Ydev = build_dataset(words[n1:n2])
Xte, Yte = build_dataset(words[n2:])

n_embd = 10  # dimension of a character's embedding
n_hidden = 64  # neurons in the hidden layer

g = torch.Generator().manual_seed(2147483647)
C = torch.randn((vocab_size, n_embd), generator=g, dtype=torch.float64)
W1 = torch.randn((n_embd * block_size, n_hidden), generator=g, dtype=torch.float64)
W1 = W1 * (5 / 3) / (n_embd * block_size) ** 0.5  # Kaiming init for tanh
b1 = torch.randn(n_hidden, generator=g, dtype=torch.float64) * 0.01
W2 = torch.randn((n_hidden, vocab_size), generator=g, dtype=torch.float64) * 0.01
b2 = torch.randn(vocab_size, generator=g, dtype=torch.float64) * 0
parameters = [C, W1, b1, W2, b2]
print("parameters", sum(p.nelement() for p in parameters))
for p in parameters:
    p.requires_grad = True


def forward(X):
    xenc = F.one_hot(X, num_classes=vocab_size).double()  # (N, block_size, vocab_size)
    emb = xenc @ C  # (N, block_size, n_embd): the rows C[X]
    h = torch.tanh(emb.view(emb.shape[0], -1) @ W1 + b1)  # (N, n_hidden)
    return h @ W2 + b2  # (N, vocab_size)


max_steps = 2000
batch_size = 32
lossi = []
for i in range(max_steps):
    # A minibatch.
    ix = torch.randint(0, Xtr.shape[0], (batch_size,), generator=g)
    Xb, Yb = Xtr[ix], Ytr[ix]

    # Forward and backward.
    logits = forward(Xb)
    loss = F.cross_entropy(logits, Yb)
    for p in parameters:
        p.grad = None
    loss.backward()

    # SGD, with a step decay of the learning rate.
    lr = 0.1 if i < 1500 else 0.01
    for p in parameters:
        p.data += -lr * p.grad

    if i % 200 == 0:
        print(f"{i:7d}/{max_steps:7d}: {loss.item():.10f}")
    lossi.append(loss.log10().item())


@torch.no_grad()
def split_loss(split):
    x, y = {"train": (Xtr, Ytr), "val": (Xdev, Ydev), "test": (Xte, Yte)}[split]
    loss = F.cross_entropy(forward(x), y)
    print(split, f"{loss.item():.10f}")


split_loss("train")
split_loss("val")

# Sample new words from the model.
g = torch.Generator().manual_seed(2147483647 + 10)
for _ in range(10):
    out = []
    context = [0] * block_size
    while True:
        logits = forward(torch.tensor([context]))
        probs = F.softmax(logits, dim=1)
        ix = torch.multinomial(probs, num_samples=1, generator=g).item()
        context = context[1:] + [ix]
        out.append(ix)
        if ix == 0:
            break
    print("".join(itos[i] for i in out))
