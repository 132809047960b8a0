"""A real temporary store with the seed corpus and two ingested papers (copied per test)."""

from __future__ import annotations

import pytest


@pytest.fixture
def store(demo_store):
    return demo_store
