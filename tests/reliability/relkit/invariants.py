"""Store invariants the scenarios check after every hostile input or kill."""

from __future__ import annotations

import json
from pathlib import Path

from relkit.common import BATCH


def open_store(path):
    from pipeline.store import EmbeddedStore

    return EmbeddedStore(path, wait_s=60)


def graph_counts(store) -> dict[str, int]:
    rows = store.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {r["g"]: int(r["n"]) for r in rows}


def dump_by_graph(store) -> dict[str, set[str]]:
    """graph -> its quads as N-Quads lines (same store before/after: blank node ids are stable)."""
    out: dict[str, set[str]] = {}
    for q in store.quads():
        out.setdefault(str(q.graph_name), set()).add(str(q))
    return out


def decision_rows(store) -> list[dict]:
    from pipeline.vocab import CURATION_GRAPH

    return store.select(f"""
        SELECT ?d ?action ?target ?payload WHERE {{ GRAPH <{CURATION_GRAPH.value}> {{
          ?d a fa:Decision ; fa:action ?action ; fa:target ?target ; fa:payload ?payload }} }}""")


def curation_consistency(store) -> list[str]:
    """Problems of the decision log: forked chains, decisions whose effect is missing, duplicates."""
    from pipeline.curate.events import effective_stack, history
    from pipeline.vocab import CURATION_GRAPH

    problems = []
    cg = CURATION_GRAPH.value
    with store.session():
        rows = decision_rows(store)
        ids = [r["d"] for r in rows]
        if len(ids) != len(set(ids)):
            problems.append("a decision has two actions/targets/payloads")
        heads = store.select(f"""SELECT ?t (COUNT(?d) AS ?n) WHERE {{ GRAPH <{cg}> {{ ?d a fa:Decision ; fa:target ?t .
            FILTER NOT EXISTS {{ ?d2 fa:target ?t ; fa:basedOn ?d }} }} }} GROUP BY ?t""")
        for h in heads:
            if int(h["n"]) != 1:
                problems.append(f"{h['t']}: {h['n']} latest decisions (forked chain)")
        status_targets = {r["target"] for r in rows if r["action"] in ("accept", "reject")}
        for t in status_targets:
            stack = effective_stack(history(store, t))
            cur = store.select(f"SELECT ?s WHERE {{ GRAPH <{cg}> {{ <{t}> fa:status ?s }} }}")
            want = {"accept": "accepted", "reject": "rejected"}.get(stack[-1].action) if stack else None
            have = [r["s"].rsplit("Status", 1)[-1].lower() for r in cur]
            if want is None and have:
                problems.append(f"{t}: curated status {have} with no decision in effect")
            elif want is not None and have != [want]:
                problems.append(f"{t}: decision says {want}, store says {have}")
    return problems


def batch_problems(store, size: int = BATCH) -> tuple[int, list[str]]:
    """Decisions carry payload ``batch``: every batch must be all there (``size``) or absent."""
    counts: dict[str, int] = {}
    for r in decision_rows(store):
        b = json.loads(r["payload"]).get("batch")
        if b is not None:
            counts[b] = counts.get(b, 0) + 1
    bad = [f"batch {b}: {n} of {size} decisions" for b, n in counts.items() if n != size]
    return len(counts), bad


def effective_graph(store):
    """The union graph as Atlas reads it: a curated fa:status / fa:proposesCode / fa:evidence in the
    curation graph replaces the paper graph's value (see pipeline.curate.proposals)."""
    import rdflib

    from pipeline.curate.proposals import CURATED_PROPS
    from pipeline.vocab import CURATION_GRAPH

    ds = rdflib.Dataset()
    ds.parse(data=store.dump("nquads"), format="nquads")
    cg = rdflib.URIRef(CURATION_GRAPH.value)
    curated = {(s, p) for s, p, o, g in ds.quads((None, None, None, None))
               if g == cg and str(p) in CURATED_PROPS}
    out = rdflib.Graph()
    for s, p, o, g in ds.quads((None, None, None, None)):
        if (s, p) in curated and g != cg:
            continue
        out.add((s, p, o))
    return out


def _validate(path) -> bool:
    """SHACL on the store as Atlas reads it (``validate_store`` itself flags every accepted
    proposal: see docs/reliability.md, finding 1)."""
    from pipeline.store.shacl import validate_graph

    return validate_graph(effective_graph(open_store(path))).conforms


def _fresh_copy(template: Path, dst: Path) -> Path:
    import shutil

    shutil.rmtree(dst, ignore_errors=True)
    shutil.copytree(template, dst, ignore=shutil.ignore_patterns("atlas.lock"))
    return dst
