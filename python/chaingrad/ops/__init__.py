"""Forward math of the built-in ops, in NumPy; each records a node when grad is needed.

``chaingrad.ops.pad`` is torch.nn.functional.pad's implementation (``nn.functional`` re-exports
it).
"""

from .padding import pad

__all__ = ["pad"]
