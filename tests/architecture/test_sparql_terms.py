"""No SPARQL text is built by pasting a raw value into it.

User and paper input reaches queries as IRIs (paper, proposal, graph, method IRIs) and
literals (kinds, names). Pasted raw, ``--paper 'https://a> || ?paper != <https://x'``
turned a filter inside out. The rule, checked on every f-string and ``%`` template of
``pipeline/`` and ``app/`` that holds SPARQL:

* a value put between ``<`` and ``>`` or between quotes must be an UPPER_CASE constant:
  anything else goes through ``vocab.sparql_iri`` / ``vocab.sparql_literal``;
* any other interpolated value must be a term-rendering call (``sparql_iri``,
  ``sparql_literal``, or a builder returning a validated ``NamedNode``: ``as_iri``,
  ``node``, ``iri``, ``paper_graph`` ...), an UPPER_CASE constant, a number, or a local
  name assigned from one of those in the same function (a ``NamedNode`` parameter counts).
  A fragment assembled from such parts is marked on its line with ``# sparql: rendered``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# words and shapes of SPARQL that SQL and URLs do not have
SPARQL = re.compile(r"\b(GRAPH|FILTER|BIND|PREFIX|USING|OPTIONAL)\b|\bASK\s*\{|\bINSERT DATA\b|\bDELETE DATA\b"
                    r"|\b(fa|skos|dcterms|prov|rdfs|bibo|cito):[A-Za-z]|(?:^|[\s({])[?$][A-Za-z_]")
RENDERERS = {"sparql_iri", "sparql_literal", "as_iri", "node", "iri", "paper_graph", "NamedNode", "lit", "paper",
             "challenge", "technique", "nas_type", "status", "polarity", "verdict", "int", "float", "len",
             "sparql_prefixes", "method_iri", "reviewer_iri",
             "_values", "_graph_block"}  # VALUES of sparql_iri terms; quads' own Oxigraph serialisation
MARK = "# sparql: rendered"


def _call_name(e: ast.AST) -> str | None:
    if isinstance(e, ast.Call):
        f = e.func
        return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None
    return None


def _constant(e: ast.AST) -> bool:
    if isinstance(e, ast.Name):
        return e.id.isupper()
    if isinstance(e, ast.Attribute):  # FA.Paper, vocab.CURATION_GRAPH
        return isinstance(e.value, ast.Name) and (e.value.id.isupper() or e.value.id == "vocab")
    return isinstance(e, ast.Constant) and not isinstance(e.value, str)


def _safe(e: ast.AST, names: set[str]) -> bool:
    if _call_name(e) in RENDERERS or _constant(e):
        return True
    if isinstance(e, ast.IfExp):  # x if cond else "" -- both branches count
        return all(_safe(v, names) or (isinstance(v, ast.Constant) and isinstance(v.value, str))
                   for v in (e.body, e.orelse))
    if isinstance(e, ast.JoinedStr):  # a fragment built from rendered parts
        return all(_safe(v.value, names) for v in e.values if isinstance(v, ast.FormattedValue))
    if isinstance(e, ast.Call) and isinstance(e.func, ast.Name) and e.func.id == "str" and e.args:
        return _safe(e.args[0], names)
    if isinstance(e, ast.Call) and isinstance(e.func, ast.Attribute):
        if e.func.attr == "join" and e.args and isinstance(e.args[0], (ast.GeneratorExp, ast.ListComp)):
            return _safe(e.args[0].elt, names)  # " ".join(sparql_iri(x) for x in xs)
        if e.func.attr == "format" and _constant(e.func.value):  # TEMPLATE.format(var="?x")
            return all(isinstance(a, ast.Constant) for a in e.args) and \
                all(isinstance(k.value, ast.Constant) for k in e.keywords)
    if isinstance(e, ast.Attribute) and isinstance(e.value, ast.Name) and e.attr in ("iri",):
        return e.value.id in names
    return isinstance(e, ast.Name) and e.id in names


def _safe_names(fn: ast.AST | None) -> set[str]:
    names: set[str] = set()
    if fn is None:
        return names
    for a in fn.args.args + fn.args.kwonlyargs:
        ann = ast.unparse(a.annotation) if a.annotation is not None else ""
        if "NamedNode" in ann and "str" not in ann:
            names.add(a.arg)
    for n in ast.walk(fn):
        if not (isinstance(n, ast.Assign) and len(n.targets) == 1):
            continue
        target, value = n.targets[0], n.value
        pairs = (list(zip(target.elts, value.elts)) if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple)
                 else [(target, value)])
        for t, v in pairs:
            constant_text = isinstance(v, ast.Constant) and isinstance(v.value, str)  # a fixed SPARQL fragment
            if isinstance(t, ast.Name) and (constant_text or _safe(v, names)):
                names.add(t.id)
    return names


def _module_strings(tree: ast.AST) -> dict[str, str]:
    """UPPER_CASE module constants bound to string literals (templates used with ``.format``)."""
    out = {}
    for n in getattr(tree, "body", []):
        if isinstance(n, ast.Assign) and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name) \
                and isinstance(n.value, ast.Constant) and isinstance(n.value.value, str):
            out[n.targets[0].id] = n.value.value
    return out


def _add_chain(n: ast.AST) -> list[ast.AST]:
    """The operands of ``a + b + c`` in order."""
    if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Add):
        return _add_chain(n.left) + _add_chain(n.right)
    return [n]


def _concatenations(tree: ast.AST):
    """``"... <" + x + "> ..."``: (node, constant text, holes) for each outermost ``+`` chain holding text.
    An f-string operand is constant text here (its own holes are checked as an f-string)."""
    inner: set[int] = set()
    for n in ast.walk(tree):
        if not (isinstance(n, ast.BinOp) and isinstance(n.op, ast.Add)) or id(n) in inner:
            continue
        parts = _add_chain(n)
        inner.update(id(x) for x in ast.walk(n) if x is not n)
        texts = [p.value if isinstance(p, ast.Constant) and isinstance(p.value, str)
                 else "".join(v.value for v in p.values if isinstance(v, ast.Constant))
                 if isinstance(p, ast.JoinedStr) else None for p in parts]
        if all(t is None for t in texts):
            continue
        holes = [(p, texts[i - 1] or "" if i else "", texts[i + 1] or "" if i + 1 < len(parts) else "")
                 for i, p in enumerate(parts) if texts[i] is None]
        yield n, "".join(t for t in texts if t), holes


def _formats(tree: ast.AST, strings: dict[str, str]):
    """``"... <{}> ...".format(x)`` and ``TEMPLATE.format(x)``: (node, text, holes)."""
    import string

    for n in ast.walk(tree):
        if not (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "format"):
            continue
        v = n.func.value
        text = v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) \
            else strings.get(v.id) if isinstance(v, ast.Name) else None
        if text is None:
            continue
        fields = list(string.Formatter().parse(text))
        named = {k.arg: k.value for k in n.keywords if k.arg}
        holes, auto, consts = [], 0, [f[0] for f in fields]
        for i, (literal, field, _, _) in enumerate(fields):
            if field is None:
                continue
            key = field.split(".")[0].split("[")[0]
            if key == "":
                expr, auto = (n.args[auto] if auto < len(n.args) else None), auto + 1
            else:
                expr = n.args[int(key)] if key.isdigit() and int(key) < len(n.args) else named.get(key)
            if expr is not None:
                holes.append((expr, literal, consts[i + 1] if i + 1 < len(fields) else ""))
        yield n, "".join(consts), holes


def _templates(tree: ast.AST):
    """(node, constant text, [(expr, before, after)]) for f-strings, '...' % x templates,
    ``+`` concatenations and ``.format`` calls."""
    yield from _concatenations(tree)
    yield from _formats(tree, _module_strings(tree))
    for n in ast.walk(tree):
        if isinstance(n, ast.JoinedStr):
            parts = n.values
            text = "".join(v.value for v in parts if isinstance(v, ast.Constant))
            holes = []
            for i, v in enumerate(parts):
                if isinstance(v, ast.FormattedValue):
                    before = parts[i - 1].value if i and isinstance(parts[i - 1], ast.Constant) else ""
                    after = parts[i + 1].value if i + 1 < len(parts) and isinstance(parts[i + 1], ast.Constant) else ""
                    holes.append((v.value, before, after))
            yield n, text, holes
        elif isinstance(n, ast.BinOp) and isinstance(n.op, ast.Mod) and isinstance(n.left, ast.Constant) \
                and isinstance(n.left.value, str):
            right = n.right
            values = (list(right.values) if isinstance(right, ast.Dict)
                      else list(right.elts) if isinstance(right, ast.Tuple) else [right])
            yield n, n.left.value, [(v, "", "") for v in values]


def violations() -> list[str]:
    out = []
    files = sorted((ROOT / "pipeline").rglob("*.py")) + sorted((ROOT / "app").rglob("*.py"))
    for path in files:
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        tree = ast.parse(source)
        owner: dict[int, ast.AST] = {}
        for fn in ast.walk(tree):
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for sub in ast.walk(fn):
                    owner[id(sub)] = fn  # innermost function wins (walk visits outer first)
        for node_, text, holes in _templates(tree):
            if not holes:
                continue
            iri_alone = text == "<>" and len(holes) == 1  # f"<{x}>", joined into a VALUES list
            if not SPARQL.search(text) and not iri_alone:
                continue
            marked = any(MARK in lines[i - 1]
                         for i in range(max(1, node_.lineno - 1), (node_.end_lineno or node_.lineno) + 1))
            names = _safe_names(owner.get(id(node_)))
            rel = path.relative_to(ROOT)
            for expr, before, after in holes:
                if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
                    continue  # a fixed fragment written in the code (TEMPLATE.format(var="?x"))
                raw = (before.endswith("<") and after.startswith(">")) or \
                      (before[-1:] in "\"'" and before[-1:] == after[:1] and before[-1:] != "")
                if raw and not _constant(expr):
                    out.append(f"{rel}:{node_.lineno}: raw value {ast.unparse(expr)!r} pasted into "
                               f"{before[-1:]}...{after[:1]}: use sparql_iri/sparql_literal")
                elif not raw and not marked and not _safe(expr, names):
                    out.append(f"{rel}:{node_.lineno}: {ast.unparse(expr)!r} is not rendered by sparql_iri/"
                               "sparql_literal (or a NamedNode builder)")
    return out


def test_no_raw_values_in_sparql_text():
    found = violations()
    assert not found, "\n".join(found)


def test_the_check_catches_the_bug_it_was_written_for(tmp_path, monkeypatch):
    bad = 'def f(store, paper: str, kind: str):\n' \
          '    return store.select(f"SELECT ?x WHERE {{ ?x fa:aboutPaper <{paper}> ; fa:kind \\"{kind}\\" }}")\n'
    good = 'from pipeline.vocab import sparql_iri, sparql_literal\n' \
           'def f(store, paper: str, kind: str):\n' \
           '    return store.select(f"SELECT ?x WHERE {{ ?x fa:aboutPaper {sparql_iri(paper)} ; ' \
           'fa:kind {sparql_literal(kind)} }}")\n'
    for name, text in (("bad", bad), ("good", good)):
        (tmp_path / "pipeline").mkdir(exist_ok=True)
        (tmp_path / "app").mkdir(exist_ok=True)
        (tmp_path / "pipeline" / "q.py").write_text(text, encoding="utf-8")
        monkeypatch.setattr(__import__(__name__), "ROOT", tmp_path) if False else None
        globals()["ROOT"] = tmp_path
        try:
            found = violations()
        finally:
            globals()["ROOT"] = Path(__file__).resolve().parents[2]
        if name == "bad":
            assert len(found) == 2 and all("raw value" in f for f in found), found
        else:
            assert found == [], found


def _violations_of(tmp_path, text: str) -> list[str]:
    (tmp_path / "pipeline").mkdir(exist_ok=True)
    (tmp_path / "app").mkdir(exist_ok=True)
    (tmp_path / "pipeline" / "q.py").write_text(text, encoding="utf-8")
    globals()["ROOT"] = tmp_path
    try:
        return violations()
    finally:
        globals()["ROOT"] = Path(__file__).resolve().parents[2]


def test_the_check_sees_concatenation_and_format_too(tmp_path):
    """Not only f-strings: ``+`` and ``.format`` paste values as easily."""
    bad = ('TEMPLATE = "SELECT ?x WHERE {{ ?x fa:kind \\"{kind}\\" }}"\n'
           'def f(store, paper: str, kind: str, where: str):\n'
           '    store.select("SELECT ?x WHERE { ?x fa:aboutPaper <" + paper + "> }")\n'
           '    store.select("SELECT ?x WHERE { GRAPH ?g { " + where + " } }")\n'
           '    store.select("SELECT ?x WHERE {{ ?x fa:aboutPaper <{}> }}".format(paper))\n'
           '    store.select(TEMPLATE.format(kind=kind))\n')
    found = _violations_of(tmp_path, bad)
    assert len(found) == 4, found
    assert sum("raw value" in f for f in found) == 3 and any("'where'" in f for f in found), found
    good = ('from pipeline.vocab import sparql_iri, sparql_literal\n'
            'TEMPLATE = "SELECT ?x WHERE {{ ?x fa:kind {kind} }}"\n'
            'def f(store, paper: str, kind: str):\n'
            '    store.select("SELECT ?x WHERE { ?x fa:aboutPaper " + sparql_iri(paper) + " }")\n'
            '    store.select(TEMPLATE.format(kind=sparql_literal(kind)))\n'
            '    store.select(TEMPLATE.format(kind="?k"))\n')
    assert _violations_of(tmp_path, good) == []
