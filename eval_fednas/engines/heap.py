"""Keep freed memory in the process heap (glibc ``mallopt``), so tensors of a few MB do not page-fault afresh.

Why: glibc serves allocations above its mmap threshold (128 KB, raised
dynamically up to 32 MB) with ``mmap`` and trims the heap top back to the OS
on free, so every step of a stacked round re-faulted its few-MB activations
and gradients page by page: on one CPU thread the faults cost as much as the
non-convolution arithmetic (CNN, 64 clients: process CPU time per round about
55 ms with the defaults, about 40 ms with the heap kept; development figures,
``bench/bench_engines.py``). Raising the mmap threshold to its maximum and the
trim threshold to 1 GiB keeps those blocks in the heap for reuse; the cost is
that the process keeps up to its peak heap (minus 1 GiB of slack) mapped.

Process-wide and applied once by every in-process engine (the base
:class:`~eval_fednas.engines.base.Engine` and Flower's client processes), so
engines compared in one process run under the same allocator settings.
``FEDATLAS_KEEP_HEAP=0`` leaves glibc's defaults alone. A no-op (False) where
there is no glibc ``mallopt``.
"""

from __future__ import annotations

import ctypes
import os
import sys

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc <malloc.h>
MMAP_THRESHOLD = 32 * 1024 * 1024  # glibc's maximum on 64-bit (HEAP_MAX_SIZE / 2); larger values are refused
TRIM_THRESHOLD = 1024 * 1024 * 1024

_state: dict[str, bool] = {}


def keep_heap() -> bool:
    """Apply the settings once per process; True when glibc accepted them."""
    if "done" in _state:
        return _state["done"]
    ok = False
    if os.environ.get("FEDATLAS_KEEP_HEAP", "1") not in ("0", "false", "no") and sys.platform.startswith("linux"):
        try:
            mallopt = ctypes.CDLL(None).mallopt
        except (OSError, AttributeError):
            mallopt = None
        if mallopt is not None:
            mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
            ok = mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1 and mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1
    _state["done"] = ok
    return ok
