"""Shared fixtures: real on-disk stores, the real CLI."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from atlas_testing import ROOT, SHARED, run_cli  # noqa: F401  (re-exported for test modules)

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def empty_store(store_path):
    from pipeline.store import open_store

    return open_store(store_path)


@pytest.fixture
def seeded_store(empty_store):
    """A fresh embedded store with the bundled corpus loaded."""
    from pipeline.corpus import init_store

    init_store(empty_store)
    return empty_store


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory):
    """One seeded store per session to copy from (saves re-initialising)."""
    from pipeline.corpus import init_store
    from pipeline.store import open_store

    path = tmp_path_factory.mktemp("template") / "store"
    init_store(open_store(path))
    return path


@pytest.fixture
def cli():
    return run_cli
