"""Reliability fixtures: one forking CLI driver per session, seeded store templates."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
# The writers these tests start take turns on the store's file lock. How long one waits for
# another is a hang guard here, not a claim (60 s by default): on a loaded machine an ingest can
# hold the lock longer, and a busy store must not read as a failure of the test.
os.environ.setdefault("FEDATLAS_LOCK_WAIT", "600")
sys.path.insert(0, str(HERE))

import relkit  # noqa: E402


@pytest.fixture(scope="session")
def driver():
    with relkit.Driver() as drv:
        yield drv


@pytest.fixture(scope="session")
def rel_template(tmp_path_factory) -> Path:
    """Bundled corpus + one paper with 40 proposals (decision targets)."""
    path = tmp_path_factory.mktemp("rel-template") / "store"
    relkit.many_proposals_store(path)
    return path


@pytest.fixture
def rel_store(rel_template, tmp_path) -> Path:
    return relkit._fresh_copy(rel_template, tmp_path / "store")
