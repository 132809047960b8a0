"""The codebook as SKOS Turtle: the three concept schemes and their current concepts.

Exported: the schemes, and for each non-deprecated concept its types, labels,
definition, notation, key, scheme membership and hierarchy (``skos:broader``
plus the inverse ``skos:narrower`` that SKOS tools expect). Evidence, effects
and provenance stay in the store (``fedatlas export`` has everything).
"""

from __future__ import annotations

from pyoxigraph import BlankNode, NamedNode, RdfFormat, Triple, serialize

from pipeline.report.exchange.codebook import SCHEMES
from pipeline.store import Store
from pipeline.store.base import serialized
from pipeline.vocab import PREFIXES, SKOS, sparql_iri

KEPT = ("rdf:type", "skos:prefLabel", "skos:altLabel", "skos:definition", "skos:scopeNote", "skos:notation",
        "skos:broader", "skos:inScheme", "skos:topConceptOf", "skos:hasTopConcept", "fa:key", "fa:alias",
        "dcterms:identifier", "dcterms:source")

_QUERY = """
SELECT DISTINCT ?s ?p ?o WHERE {
  VALUES ?scheme { %(schemes)s }
  { GRAPH ?g { ?s skos:inScheme ?scheme } FILTER NOT EXISTS { GRAPH ?gd { ?s owl:deprecated true } } }
  UNION { BIND(?scheme AS ?s) }
  GRAPH ?g2 { ?s ?p ?o }
  FILTER(?p IN (%(kept)s))
  FILTER(?p != rdf:type || STRSTARTS(STR(?o), STR(skos:)) || STRSTARTS(STR(?o), STR(fa:)))
}"""


def skos_triples(store: Store) -> list[Triple]:
    rows = store.select_terms(_QUERY % {"schemes": " ".join(sparql_iri(s) for s in SCHEMES), "kept": ", ".join(KEPT)})
    triples: set[Triple] = set()
    for r in rows:
        s, p, o = r["s"], r["p"], r["o"]
        if not isinstance(s, NamedNode | BlankNode) or not isinstance(p, NamedNode) or o is None:
            continue  # never: the pattern binds all three, a subject is no literal and a predicate is an IRI
        triples.add(Triple(s, p, o))
    concepts = {t.subject for t in triples}
    narrower = {Triple(t.object, SKOS.narrower, t.subject) for t in triples
                if t.predicate == SKOS.broader and isinstance(t.object, NamedNode) and t.object in concepts}
    return sorted(triples | narrower, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def export_skos(store: Store) -> bytes:
    """The codebook as Turtle."""
    prefixes = {k: v for k, v in PREFIXES.items() if k in ("fa", "skos", "rdf", "dcterms", "xsd")}
    return serialized(serialize(skos_triples(store), format=RdfFormat.TURTLE, prefixes=prefixes))
