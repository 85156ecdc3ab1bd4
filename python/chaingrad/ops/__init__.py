"""Forward math of the built-in ops, in NumPy; each records a node when grad is needed."""
