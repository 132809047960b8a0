"""Fixtures for eval_fednas tests: an isolated cache, store and runs directory."""

from __future__ import annotations

import os

import pytest
import torch


@pytest.fixture(autouse=True, scope="session")
def _isolated_cache(tmp_path_factory):
    """Benchmarks are cached under a per-session temp dir, never the user's cache."""
    old = os.environ.get("FEDATLAS_CACHE")
    os.environ["FEDATLAS_CACHE"] = str(tmp_path_factory.mktemp("cache"))
    torch.set_num_threads(1)  # shared 2-core machine: avoid oversubscription
    yield
    if old is None:
        os.environ.pop("FEDATLAS_CACHE", None)
    else:
        os.environ["FEDATLAS_CACHE"] = old


@pytest.fixture
def store(tmp_path):
    from pipeline.store import open_store

    return open_store(tmp_path / "store")


@pytest.fixture(scope="session")
def digits_clients():
    from eval_fednas.data import load_dataset, make_clients

    ds = load_dataset("digits")
    return ds, make_clients(ds, 8, "dirichlet", seed=0, alpha=0.5)
