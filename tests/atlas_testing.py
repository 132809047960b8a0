"""Helpers shared by test modules: paths and the real CLI in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def run_cli(*args: str, store: Path | str | None = None, input: str | None = None,
            env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the real `fedatlas` entry point in a new process."""
    cmd = [sys.executable, "-m", "pipeline.cli"]
    if store is not None:
        cmd += ["--store", str(store)]
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(cmd + list(args), capture_output=True, text=True, input=input,
                          env=full_env, cwd=ROOT, timeout=timeout)
