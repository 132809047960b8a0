"""Opt-in mixed precision (``FEDATLAS_AMP=1``): bfloat16 autocast where it is safe.

Only the forward passes run under autocast; parameters, SGD updates, the loss
(cross-entropy is computed in float32), batch-norm statistics and fusion stay
in float32. bfloat16 keeps float32's exponent range, so no loss scaling is
needed. Enabled on CUDA devices that support bfloat16 and on CPUs whose oneDNN
has bfloat16 kernels; elsewhere, and by default, a no-op. Float64 runs (the
equality tests) are never autocast.
"""

from __future__ import annotations

import contextlib
import os

import torch


def amp_enabled(device: str) -> bool:
    if os.environ.get("FEDATLAS_AMP", "") not in ("1", "true", "yes"):
        return False
    if str(device).startswith("cuda"):
        return torch.cuda.is_available() and torch.cuda.is_bf16_supported()
    return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())


def autocast(device: str, dtype: torch.dtype = torch.float32):
    """``torch.autocast`` to bfloat16 when enabled and the data are float32, else a null context."""
    if dtype != torch.float32 or not amp_enabled(device):
        return contextlib.nullcontext()
    return torch.autocast("cuda" if str(device).startswith("cuda") else "cpu", dtype=torch.bfloat16)
