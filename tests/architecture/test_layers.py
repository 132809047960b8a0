"""The folder list tells the flow, and imports point one way.

Layers, lowest first: a module may import its own stage and any lower one,
never a higher one. ``ingest`` orchestrates readers, proposers and curated
exemplars, so it sits above ``curate``; ``report`` and ``serve`` read what the
stages below wrote; the CLI and the app sit on top and hold no logic.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

LAYERS = [
    {"pipeline", "pipeline.errors", "pipeline.vocab", "pipeline.document", "pipeline.registry",
     "pipeline.identifiers"},
    {"pipeline.store"},
    {"pipeline.sources"},
    {"pipeline.propose"},
    {"pipeline.curate"},
    {"pipeline.ingest"},
    {"pipeline.report"},
    {"pipeline.serve"},
    {"pipeline.commands", "pipeline.cli"},
]
RANK = {stage: i for i, layer in enumerate(LAYERS) for stage in layer}


def _stage(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else parts[0]


def _imports(path: Path) -> list[tuple[int, str]]:
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.lineno, node.module))
            if node.module == "pipeline":  # from pipeline import curate
                out.extend((node.lineno, f"pipeline.{a.name}") for a in node.names)
        elif isinstance(node, ast.Import):
            out.extend((node.lineno, a.name) for a in node.names)
    return [(n, m) for n, m in out if m == "pipeline" or m.startswith("pipeline.")]


def test_every_stage_has_a_layer():
    stages = {_stage(".".join(p.relative_to(ROOT).with_suffix("").parts))
              for p in (ROOT / "pipeline").rglob("*.py")}
    stages = {s.removesuffix(".__init__") for s in stages}
    assert stages <= set(RANK), f"give these a layer in LAYERS: {sorted(stages - set(RANK))}"


def test_no_relative_imports_and_no_upward_import():
    bad = []
    for path in sorted((ROOT / "pipeline").rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        own = RANK[_stage(module)]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        bad += [f"{path.relative_to(ROOT)}:{n.lineno}: relative import" for n in ast.walk(tree)
                if isinstance(n, ast.ImportFrom) and n.level]
        for line, target in _imports(path):
            rank = RANK.get(_stage(target), 0)
            if rank > own:
                bad.append(f"{path.relative_to(ROOT)}:{line}: {_stage(module)} imports {target} (higher layer)")
    assert not bad, "\n".join(bad)


def test_no_import_circle_between_stages():
    graph: dict[str, set[str]] = {}
    for path in (ROOT / "pipeline").rglob("*.py"):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for _line, target in _imports(path):
            a, b = _stage(module), _stage(target)
            if a != b:
                graph.setdefault(a, set()).add(b)
    seen: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        seen[node] = 1
        for nxt in graph.get(node, ()):
            assert seen.get(nxt) != 1, "import circle: " + " -> ".join([*trail, node, nxt])
            if nxt not in seen:
                visit(nxt, [*trail, node])
        seen[node] = 2

    for node in list(graph):
        if node not in seen:
            visit(node, [])
