"""Shared by the long reliability runs: the kit lives in tests/reliability/relkit/ (a package)."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "reliability"))
sys.path.insert(0, str(ROOT))

import relkit  # noqa: E402,F401
