"""Compiled (numba) kernels, loaded on first use, with the NumPy path as the fallback.

Each kernel lives in a module of its own (``lineage._minhash_kernel``,
``lineage._align_kernel``, ``lineage._token_kernel``) so that importing :mod:`lineage` never loads
numba. :func:`load` imports one kernel once per process; when numba is
missing or broken it returns None and the caller runs its NumPy path, which
gives the same values. A kernel loaded before worker processes fork is
inherited by them.

>>> load("lineage._no_such_kernel", "nothing") is None
True
"""

from __future__ import annotations

import importlib

_LOADED: dict[tuple[str, str], object] = {}


def load(module: str, function: str):  # -> the compiled function, or None
    """``module.function``, imported (and so compiled, or read from numba's cache) on first call."""
    key = (module, function)
    if key not in _LOADED:
        try:
            _LOADED[key] = getattr(importlib.import_module(module), function)
        except Exception:  # numba absent, or too old for this NumPy: NumPy does the work
            _LOADED[key] = None
    return _LOADED[key]


def loaded(module: str, function: str):  # -> the compiled function if already loaded, else None
    """``module.function`` if :func:`load` has loaded it in this process, else None (never loads)."""
    return _LOADED.get((module, function))
