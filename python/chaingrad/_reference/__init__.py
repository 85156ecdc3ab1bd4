"""The pure-Python reference engine: the same interface as ``chaingrad._core``."""
