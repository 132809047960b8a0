"""Paths and counts every part of the kit shares (kept apart so the parts import no circle)."""

from __future__ import annotations

import sys
from pathlib import Path

PKG = Path(__file__).resolve().parent
HERE = PKG.parent  # tests/reliability
ROOT = HERE.parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FAST_PROPOSERS = ["challenge-rules-v1", "nastype-rules-v1"]
PROPOSER_ARGS = [a for n in FAST_PROPOSERS for a in ("--proposer", n)]
BATCH = 5  # decisions per curation transaction in the crash tests
HANG_GUARD_S = 600.0  # bounds a hung child process only; no test asserts how long anything takes


def role_argv(role: str, *args: str) -> list[str]:
    """The command line that plays one kit role (``driver``, ``curate-worker``, ``curate-loop``)
    in a process of its own."""
    return [sys.executable, str(PKG / "__main__.py"), role, *args]
