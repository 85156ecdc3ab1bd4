"""chaingrad benchmark suite: ``python -m bench --help``."""
