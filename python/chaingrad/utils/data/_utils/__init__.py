"""Internals of ``chaingrad.utils.data`` laid out like torch's (``_utils.collate``,
``_utils.worker``), for code that imports ``collate``/``default_collate_fn_map`` from there."""

from __future__ import annotations

from . import collate, worker
