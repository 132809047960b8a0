"""What the report shows beyond the overview tables: taxonomy, gaps, co-occurrence.

Each function reads the store with SPARQL (data lives in named graphs) and
returns plain Python data; figures and renderers live in other modules.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

from pipeline.report.tables import Table, challenges
from pipeline.store import Store

NOT_DEPRECATED = "FILTER NOT EXISTS {{ GRAPH ?gd {{ {var} owl:deprecated true }} }}"


# ---- taxonomy ------------------------------------------------------------------

@dataclass
class TaxonNode:
    """A category or technique of the taxonomy, with its narrower concepts."""

    iri: str
    label: str
    definition: str = ""
    children: list[TaxonNode] = field(default_factory=list)


def taxonomy(store: Store) -> list[TaxonNode]:
    """Categories (top concepts of the technique scheme) with their techniques."""
    rows = store.select(f"""
        SELECT ?cat (SAMPLE(?cl) AS ?catLabel) (SAMPLE(?cd) AS ?catDef)
               ?t (SAMPLE(?tl) AS ?tLabel) (SAMPLE(?td) AS ?tDef) WHERE {{
          GRAPH ?g {{ ?cat a fa:TaxonomyCategory ; skos:prefLabel ?cl . OPTIONAL {{ ?cat skos:definition ?cd }} }}
          {NOT_DEPRECATED.format(var="?cat")}
          OPTIONAL {{
            GRAPH ?g2 {{ ?t a fa:AdaptationTechnique ; skos:broader ?cat }}
            GRAPH ?g3 {{ ?t skos:prefLabel ?tl . OPTIONAL {{ ?t skos:definition ?td }} }}
            FILTER NOT EXISTS {{ GRAPH ?gd2 {{ ?t owl:deprecated true }} }}
          }}
        }} GROUP BY ?cat ?t""")
    cats: dict[str, TaxonNode] = {}
    for r in rows:
        node = cats.setdefault(r["cat"], TaxonNode(r["cat"], r["catLabel"], r["catDef"] or ""))
        if r["t"]:
            node.children.append(TaxonNode(r["t"], r["tLabel"], r["tDef"] or ""))
    for node in cats.values():
        node.children.sort(key=lambda n: n.label.lower())
    return sorted(cats.values(), key=lambda n: n.label.lower())


def taxonomy_markdown(tree: list[TaxonNode], title: str = "Taxonomy of adaptation techniques") -> str:
    lines = [f"## {title}", ""]
    for cat in tree:
        lines.append(f"- **{cat.label}**" + (f": {cat.definition}" if cat.definition else ""))
        for t in cat.children:
            lines.append(f"  - {t.label}" + (f": {t.definition}" if t.definition else ""))
    return "\n".join(lines) + "\n"


# ---- gap analysis ----------------------------------------------------------------

@dataclass
class GapMatrix:
    """challenge x NAS type -> number of methods that use the type and address the challenge."""

    challenges: list[tuple[str, str]]  # (iri, label)
    nas_types: list[tuple[str, str]]
    counts: dict[tuple[str, str], int]

    def count(self, challenge: str, nas_type: str) -> int:
        return self.counts.get((challenge, nas_type), 0)

    def empty_cells(self) -> list[tuple[str, str]]:
        """(challenge label, NAS type label) pairs no method combines: candidate directions."""
        return [(cl, nl) for c, cl in self.challenges for n, nl in self.nas_types if not self.count(c, n)]


def gap_matrix(store: Store) -> GapMatrix:
    """Methods per (challenge, NAS type); the NAS type "unknown" (not stated) is left out."""
    with store.session():
        cols = [(c, label) for c, _, label in challenges(store)]
        types = store.select(f"""
            SELECT ?n (SAMPLE(?l) AS ?label) WHERE {{
              GRAPH ?g {{ ?n a fa:NASType ; skos:prefLabel ?l ; fa:key ?key }} {NOT_DEPRECATED.format(var="?n")}
              FILTER(?key != "unknown")
            }} GROUP BY ?n ORDER BY ?label""")
        rows = store.select("""
            SELECT ?c ?n (COUNT(DISTINCT ?m) AS ?methods) WHERE {
              GRAPH ?g { ?m a fa:FedNASMethod }
              GRAPH ?g2 { ?m fa:usesNASType ?n }
              GRAPH ?g3 { ?m fa:addressesChallenge ?c }
            } GROUP BY ?c ?n""")
    counts = {(r["c"], r["n"]): int(r["methods"]) for r in rows}
    return GapMatrix(cols, [(r["n"], r["label"]) for r in types], counts)


def gap_markdown(gaps: GapMatrix) -> str:
    head = ["Challenge \\ NAS type"] + [label for _, label in gaps.nas_types]
    lines = ["## Gap analysis: methods per challenge and NAS type", "",
             "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for c, label in gaps.challenges:
        cells = [str(gaps.count(c, n)) if gaps.count(c, n) else "·" for n, _ in gaps.nas_types]
        lines.append("| " + " | ".join([label] + cells) + " |")
    empty = gaps.empty_cells()
    lines += ["", f"### Candidate research directions ({len(empty)} empty cells)", ""]
    lines += [f"- {cl} × {nl}" for cl, nl in empty]
    return "\n".join(lines) + "\n"


def gap_csv(gaps: GapMatrix) -> str:
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["challenge"] + [label for _, label in gaps.nas_types])
    for c, label in gaps.challenges:
        w.writerow([label] + [gaps.count(c, n) for n, _ in gaps.nas_types])
    return buf.getvalue()


# ---- co-occurrence network ---------------------------------------------------------

def cooccurrence_graph(store: Store, technique_table: Table) -> nx.Graph:
    """Techniques and challenges; an edge where they co-occur in a method or a claim.

    Edge attributes: ``methods`` (methods using the technique and addressing
    the challenge), ``claims`` (claims naming both), ``weight`` (their sum)
    and ``effect`` (the coded technique x challenge cell, '' if not coded).
    """
    with store.session():
        by_method = store.select("""
            SELECT ?t ?c (COUNT(DISTINCT ?m) AS ?n) WHERE {
              GRAPH ?g { ?m fa:usesTechnique ?t } GRAPH ?g2 { ?m fa:addressesChallenge ?c }
            } GROUP BY ?t ?c""")
        by_claim = store.select("""
            SELECT ?t ?c (COUNT(DISTINCT ?cl) AS ?n) WHERE {
              GRAPH ?g { ?cl a fa:Claim ; fa:technique ?t ; fa:challenge ?c }
            } GROUP BY ?t ?c""")
    graph = nx.Graph(name="technique-challenge co-occurrence")
    for t, label in technique_table.rows:
        graph.add_node(t, label=label, kind="technique")
    for c, key, label in technique_table.columns:
        graph.add_node(c, label=label, kind="challenge", key=key)
    for rows, attr in ((by_method, "methods"), (by_claim, "claims")):
        for r in rows:
            if r["t"] not in graph or r["c"] not in graph:
                continue
            if not graph.has_edge(r["t"], r["c"]):
                graph.add_edge(r["t"], r["c"], methods=0, claims=0, effect=technique_table.value(r["t"], r["c"]))
            graph.edges[r["t"], r["c"]][attr] += int(r["n"])
    for _, _, data in graph.edges(data=True):
        data["weight"] = data["methods"] + data["claims"]
    return graph
