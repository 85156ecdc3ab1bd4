"""Worker information. chaingrad's DataLoader loads every batch in the main process (see
``DataLoader``), so there is never a worker and ``get_worker_info()`` is always None, as it is
in torch's main process."""

from __future__ import annotations

from typing import Any

__all__ = ["get_worker_info"]


def get_worker_info() -> Any:
    """None: the caller is not a DataLoader worker process (chaingrad starts none)."""
    return None
