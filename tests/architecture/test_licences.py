"""Atlas is AGPL: no installed distribution it runs with may be under a non-commercial licence.

``pymupdf4llm``/``pymupdf_layout`` 1.x ("Polyform Noncommercial or Artifex Commercial") were
resolved by an old dependency range; this reads every installed distribution's licence
metadata (License, License-Expression, licence classifiers) and fails on such a licence.
"""

from __future__ import annotations

import re
from importlib.metadata import distributions
from pathlib import Path

NON_COMMERCIAL = re.compile(r"\bnon[\s-]?commercial\b|polyform|\bCC[\s-]BY[\s-](?:\S+[\s-])?NC\b", re.I)
ROOT = Path(__file__).resolve().parents[2]


def licence_texts(dist) -> list[str]:
    meta = dist.metadata
    texts = [meta.get("License") or "", meta.get("License-Expression") or ""]
    texts += [c for c in meta.get_all("Classifier") or [] if c.startswith("License")]
    return [t for t in texts if t]


def test_no_installed_distribution_is_non_commercial():
    offenders = {}
    for dist in distributions():
        bad = [t[:120] for t in licence_texts(dist) if NON_COMMERCIAL.search(t)]
        if bad:
            offenders[dist.metadata["Name"]] = bad
    assert not offenders, f"non-commercial licences cannot ship inside an AGPL tool: {offenders}"


def test_the_pattern_catches_the_licences_that_were_resolved_before():
    assert NON_COMMERCIAL.search("Polyform Noncommercial or Artifex Commercial")
    assert NON_COMMERCIAL.search("CC-BY-NC-4.0")
    assert NON_COMMERCIAL.search("Non-Commercial use only")
    assert not NON_COMMERCIAL.search("Dual Licensed - GNU AFFERO GPL 3.0 or Artifex Commercial License")
    assert not NON_COMMERCIAL.search("Apache-2.0")


def test_atlas_declares_agpl_and_ships_its_text():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'license = "AGPL-3.0-or-later"' in text
    assert '"setuptools>=77"' in text  # older setuptools reject an SPDX licence string
    assert "pymupdf4llm" not in re.sub(r"#[^\n]*", "", text)
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("GNU AFFERO GENERAL PUBLIC LICENSE")
    assert "13. Remote Network Interaction" in licence
