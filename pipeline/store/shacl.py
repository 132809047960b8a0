"""SHACL validation of the whole store (all graphs as one union graph).

pyshacl runs on an rdflib graph built from the store's N-Quads; ontology
classes are loaded alongside so ``sh:class`` sees subclass statements.
"""

from __future__ import annotations

from dataclasses import dataclass

import rdflib

from pipeline.store import Store
from pipeline.store.corpus import ontology_dir


@dataclass
class Violation:
    focus: str
    path: str
    message: str
    severity: str


@dataclass
class ValidationReport:
    conforms: bool
    violations: list[Violation]
    triples_checked: int

    def text(self) -> str:
        if self.conforms:
            return f"OK: {self.triples_checked} triples conform to ontology/shapes.ttl"
        lines = [f"{len(self.violations)} violation(s) in {self.triples_checked} triples:"]
        for v in self.violations[:200]:
            lines.append(f"  - {v.focus}  [{v.path}]  {v.message}")
        if len(self.violations) > 200:
            lines.append(f"  ... and {len(self.violations) - 200} more")
        return "\n".join(lines)


def union_graph(store: Store) -> rdflib.Graph:
    """The graph a reader sees: all graphs merged, where a value the curation
    graph sets for (subject, property) replaces the machine's or the corpus's
    value (an accepted proposal has one status, a renamed code one label)."""
    from pipeline.vocab import CURATION_GRAPH

    data = store.dump("nquads")
    ds = rdflib.Dataset()
    ds.parse(data=data, format="nquads")
    curation = rdflib.URIRef(CURATION_GRAPH.value)
    quads = list(ds.quads((None, None, None, None)))
    curated = {(s, p) for s, p, _, g in quads if getattr(g, "identifier", g) == curation}
    g = rdflib.Graph()
    for s, p, o, ctx in quads:
        if (s, p) in curated and getattr(ctx, "identifier", ctx) != curation:
            continue
        g.add((s, p, o))
    return g


def validate_graph(data: rdflib.Graph) -> ValidationReport:
    from pyshacl import validate as shacl_validate

    shapes = rdflib.Graph().parse(ontology_dir() / "shapes.ttl", format="turtle")
    onto = rdflib.Graph().parse(ontology_dir() / "fedatlas.ttl", format="turtle")
    conforms, results, _ = shacl_validate(data, shacl_graph=shapes, ont_graph=onto, inference="rdfs",
                                          allow_warnings=True)
    SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    violations = []
    for r in results.subjects(rdflib.RDF.type, SH.ValidationResult):
        violations.append(Violation(
            focus=str(results.value(r, SH.focusNode)),
            path=str(results.value(r, SH.resultPath) or ""),
            message=str(results.value(r, SH.resultMessage) or ""),
            severity=str(results.value(r, SH.resultSeverity) or "").rsplit("#", 1)[-1],
        ))
    return ValidationReport(bool(conforms), sorted(violations, key=lambda v: (v.focus, v.path)), len(data))


def validate_store(store: Store) -> ValidationReport:
    return validate_graph(union_graph(store))
