"""MkDocs hooks for the docs site (mkdocs.yml ``hooks:``).

``on_config`` drops nav entries whose page does not exist, so pages generated on other branches
(``coverage.md``) can be listed before they land without breaking ``mkdocs build --strict``.
"""

from __future__ import annotations

import os
from typing import Any


def _keep(entry: Any, docs_dir: str) -> Any:
    """The entry without missing pages (None when nothing is left of it)."""
    if isinstance(entry, str):
        if entry.startswith(("http://", "https://")):
            return entry
        return entry if os.path.isfile(os.path.join(docs_dir, entry)) else None
    if isinstance(entry, dict):
        out = {}
        for title, value in entry.items():
            kept = _keep(value, docs_dir)
            if kept is not None:
                out[title] = kept
        return out or None
    if isinstance(entry, list):
        kept_list = [k for k in (_keep(e, docs_dir) for e in entry) if k is not None]
        return kept_list or None
    return entry


def on_config(config: Any) -> Any:
    if config.get("nav"):
        config["nav"] = _keep(config["nav"], config["docs_dir"]) or []
    return config
