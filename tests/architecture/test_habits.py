"""Habits that keep the layout readable (issue 13): small modules, and mypy over every package.

The size rule covers the code roots and all of ``tests/`` (test files and their helper kits alike:
a 600-line helper is as hard to read as a 600-line module); mypy covers the code roots only."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CODE_ROOTS = ("pipeline", "app", "eval_fednas", "bench", "corpus", "ontology")
MAX_LINES = 400


def _modules() -> list[Path]:
    return [p for root in CODE_ROOTS for p in (ROOT / root).rglob("*.py") if "out" not in p.parts]


def _test_modules() -> list[Path]:
    return [p for p in (ROOT / "tests").rglob("*.py") if "out" not in p.parts]


def test_no_module_over_the_limit():
    long = {str(p.relative_to(ROOT)): n for p in _modules() + _test_modules()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines (split them by job): {long}"


def _typed_paths() -> list[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    m = re.search(r"^TYPED\s*:=\s*((?:.*\\\n)*.*)$", text, re.MULTILINE)
    assert m, "the Makefile names the paths mypy checks in TYPED"
    return m.group(1).replace("\\\n", " ").split()


def test_mypy_checks_every_package():
    typed = _typed_paths()
    unchecked = [str(p.relative_to(ROOT)) for p in _modules()
                 if not any(str(p.relative_to(ROOT)).startswith(t.rstrip("/")) for t in typed)]
    assert not unchecked, f"modules outside the Makefile's TYPED list (mypy never sees them): {unchecked}"


def test_the_size_check_sees_the_code():
    mods = _modules()
    assert len(mods) > 100 and any(p.name == "cli.py" for p in mods)
    tests = _test_modules()
    assert len(tests) > 50 and any(p.name == "conftest.py" for p in tests)
    assert any(not p.name.startswith("test_") for p in tests), "the helper modules of tests/ are seen too"
