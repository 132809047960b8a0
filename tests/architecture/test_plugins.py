"""A third-party package registers through a real entry point and shows up beside the built-ins.

The plugin is a real installed distribution at the ``importlib.metadata`` level (a
``.dist-info`` folder with ``entry_points.txt`` on ``sys.path``), not a patched registry.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from atlas_testing import fake_distribution, plugin_env, run_cli

PLUGIN = '''
def demo_artefact(ctx):
    ctx.write("demo.txt", "papers: %d" % len(ctx.store.select("SELECT ?p WHERE { ?p a fa:Paper }")))
    return [("demo", "Demo artefact", "<p>demo</p>")]

def fake_gaps(ctx):
    raise AssertionError("a plugin must never replace a built-in")

from app.pages import Page
PAGE = Page(key="claims", title="Claims", icon=":material/fact_check:", script=__file__)
'''


@pytest.fixture
def plugin_path(tmp_path: Path) -> Path:
    return fake_distribution(tmp_path / "site", "atlas-demo-plugin", {"atlas_demo_plugin": PLUGIN},
                             "[fedatlas.report_artefacts]\n"
                             "demo-artefact = atlas_demo_plugin:demo_artefact\n"
                             "gaps = atlas_demo_plugin:fake_gaps\n"
                             "[fedatlas.app_pages]\n"
                             "claims = atlas_demo_plugin:PAGE\n"
                             "[fedatlas.proposers]\n"
                             "broken-v1 = atlas_demo_plugin:DoesNotExist\n")


_env = plugin_env


def test_plugin_is_listed_beside_builtins_and_cannot_hide_them(plugin_path):
    out = run_cli("plugins", "--format", "json", env=_env(plugin_path))
    assert out.returncode == 0, out.stderr
    names = json.loads(out.stdout)["report_artefacts"]["names"]
    assert names["demo-artefact"].startswith("plugin (atlas_demo_plugin:demo_artefact)")
    assert names["gaps"] == "built-in"
    assert {"overview-tables", "prisma-flow", "taxonomy", "cooccurrence"} <= set(names)
    listing = json.loads(out.stdout)
    assert listing["app_pages"]["names"]["claims"].startswith("plugin")
    assert listing["proposers"]["names"]["broken-v1"].startswith("broken plugin")  # listed, Atlas still runs


def test_plugin_page_joins_the_workbench_after_the_builtins(plugin_path):
    import subprocess
    import sys

    code = "from app.pages import pages; print(','.join(p.key for p in pages()))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, **_env(plugin_path)})
    assert out.returncode == 0, out.stderr
    keys = out.stdout.strip().split(",")
    assert keys[0] == "screening" and keys[-1] == "claims" and len(keys) == 10


def test_plugin_artefact_is_built_by_the_report_command(plugin_path, seeded_store, tmp_path):
    out_dir = tmp_path / "report"
    result = run_cli("report", "--out", str(out_dir), "--only", "demo-artefact", "--only", "gaps",
                     store=seeded_store.location, env=_env(plugin_path))
    assert result.returncode == 0, result.stderr
    assert (out_dir / "demo.txt").read_text().startswith("papers: ")
    assert (out_dir / "gaps.md").exists()


def test_unknown_artefact_is_answered_with_the_known_ones(seeded_store, tmp_path):
    result = run_cli("report", "--out", str(tmp_path / "r"), "--only", "gapz", store=seeded_store.location)
    assert result.returncode != 0
    assert "unknown report_artefact 'gapz'" in result.stderr and "prisma-flow" in result.stderr


def test_every_extension_point_is_declared_and_documented():
    import tomllib

    from atlas_testing import ROOT
    from pipeline.registry import registries

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["fedatlas"]["entry-point-groups"]
    groups = {reg.group for reg in registries().values()}
    assert set(declared) == groups
    doc = (ROOT / "docs" / "extending.md").read_text()
    assert [g for g in groups if f"`{g}`" not in doc] == []


def test_every_registry_is_made_in_a_module_of_the_one_list():
    """A kind whose module is missing from REGISTRY_MODULES would be left out of `fedatlas plugins`."""
    import ast

    from atlas_testing import ROOT
    from pipeline.registry import REGISTRY_MODULES

    makers = set()
    for top in ("pipeline", "app", "eval_fednas"):
        for path in (ROOT / top).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            if any(isinstance(n, ast.Call) and getattr(n.func, "id", getattr(n.func, "attr", "")) == "Registry"
                   for n in ast.walk(tree)):
                makers.add(".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"))
    assert makers and makers - {"pipeline.registry"} == set(REGISTRY_MODULES)


def test_an_unknown_name_is_the_first_thing_answered(tmp_path):
    """Before the store is opened and before any work (no progress bar): the name is refused with the known ones."""
    typo = tmp_path / "typo"
    paper = tmp_path / "p.txt"
    paper.write_text("A title\n\nFederated NAS.\n")
    run = run_cli("eval", "run", "nope", store=typo)
    assert run.returncode == 2 and run.stderr.startswith("error: E") and "unknown experiment 'nope'" in run.stderr
    assert "xu-fednas" in run.stderr and "store" not in run.stderr
    ingest = run_cli("ingest", str(paper), "--proposer", "nope", store=typo)
    assert ingest.returncode == 2 and "unknown proposer 'nope'" in ingest.stderr and "challenge-hybrid-v4" in ingest.stderr
    assert len(ingest.stderr.strip().splitlines()) == 1 and not typo.exists()


def test_ingest_refuses_an_unknown_proposer_before_any_work(seeded_store, tmp_path, capfd):
    from pipeline.errors import UnknownNameError
    from pipeline.ingest import ingest_paths

    paper = tmp_path / "p.txt"
    paper.write_text("A title\n\nFederated NAS.\n")
    revision = seeded_store.revision()
    with pytest.raises(UnknownNameError, match="nope"):
        ingest_paths(seeded_store, [paper], proposer_names=["nope"], progress=True)
    assert capfd.readouterr().err == ""  # no progress bar was started
    assert seeded_store.revision() == revision
