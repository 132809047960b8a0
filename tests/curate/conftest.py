"""A real temporary store with the seed corpus and two ingested papers (copied per test)."""

from __future__ import annotations

import shutil

import pytest

from pipeline.corpus import init_store
from pipeline.curate.testing import add_demo_papers
from pipeline.store import open_store


@pytest.fixture(scope="session")
def _template(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "store"
    s = open_store(path)
    init_store(s)
    add_demo_papers(s)
    return path


@pytest.fixture
def store(_template, tmp_path):
    dst = tmp_path / "store"
    shutil.copytree(_template, dst, ignore=shutil.ignore_patterns("atlas.lock"))
    return open_store(dst)
