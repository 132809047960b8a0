"""Where the real files of other tools live (``../shared/realworld`` beside the checkout;
a worktree at ``wt/NAME`` looks two levels up). Tests that need them skip where absent."""

from __future__ import annotations

import os
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[1]


def realworld_dir() -> Path:
    env = os.environ.get("FEDATLAS_REALWORLD")
    candidates = [Path(env)] if env else []
    candidates += [_ROOT.parent / "shared" / "realworld", _ROOT.parent.parent / "shared" / "realworld"]
    for path in candidates:
        if path.is_dir():
            return path
    return candidates[0]


REALWORLD = realworld_dir()
