"""Fixtures for ingestion tests: real sample PDFs (parsed once per session) and
ground-truth files generated at test time (typst PDF, broken PDFs, BibTeX/RIS)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from atlas_testing import SHARED  # noqa: E402

SHARED_PDFS = SHARED / "pdfs"


@pytest.fixture(scope="session")
def real_pdf():
    """name -> parsed Document, cached for the session (the layout model is slow-ish)."""
    from pipeline.sources import read_path

    cache: dict[str, object] = {}

    def get(name: str):
        path = SHARED_PDFS / f"{name}.pdf"
        if not path.exists():
            pytest.skip(f"{path} not available")
        if name not in cache:
            docs, problems = read_path(path)
            assert problems == []
            cache[name] = docs[0]
        return cache[name]

    return get


@pytest.fixture(scope="session")
def typst_pdf(tmp_path_factory) -> Path:
    pytest.importorskip("typst")
    import typst_paper

    return typst_paper.build(tmp_path_factory.mktemp("typst"))


@pytest.fixture(scope="session")
def typst_doc(typst_pdf):
    from pipeline.sources import read_path

    docs, problems = read_path(typst_pdf)
    assert problems == []
    return docs[0]
