"""The codebook as a tree: one root per concept scheme, concepts nested by skos:broader.

Schemes: adaptation techniques (categories > techniques), FedNAS challenges and
NAS types. Deprecated concepts (``owl:deprecated true``) are left out. Every
code has a stable GUID: the concept's ``dcterms:identifier`` when it is a
``urn:uuid:`` (codes created by a ``.qdc`` import keep the GUID they came with),
else ``uuid5(NAMESPACE_URL, concept IRI)``, so an export re-imports onto the
same concepts.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from pipeline.store import Store
from pipeline.vocab import CHALLENGE_SCHEME, ID_NS, NAS_TYPE_SCHEME, TECHNIQUE_SCHEME, sparql_iri

IMPORT_GRAPH_IRI = ID_NS + "graph/codebook-import"
COLOR = "https://schema.org/color"  # a code's colour as a QDA tool gave it

SCHEMES = (TECHNIQUE_SCHEME.value, CHALLENGE_SCHEME.value, NAS_TYPE_SCHEME.value)
SCHEME_COLOURS = {TECHNIQUE_SCHEME.value: "#1F77B4", CHALLENGE_SCHEME.value: "#FF7F0E",
                  NAS_TYPE_SCHEME.value: "#2CA02C"}
CATEGORY_PALETTE = ("#1F77B4", "#9467BD", "#17BECF", "#8C564B", "#E377C2", "#7F7F7F", "#BCBD22", "#393B79")


@dataclass
class Code:
    """One code of the codebook (a concept scheme or a concept)."""

    guid: str
    name: str
    description: str = ""
    codable: bool = True
    color: str = ""
    iri: str = ""
    children: list[Code] = field(default_factory=list)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()

    def signature(self) -> tuple:
        """What must survive an export/import round trip (IRIs are not in a .qdc)."""
        return (self.guid, self.name, self.description, self.codable, self.color.upper(),
                tuple(c.signature() for c in self.children))


@dataclass
class CodeSet:
    """A REFI-QDA set of codes (ATLAS.ti code groups, MAXQDA sets): a ``skos:Collection``."""

    guid: str
    name: str
    description: str = ""
    members: list[str] = field(default_factory=list)  # code GUIDs


def guid_for(iri: str, identifier: str | None = None) -> str:
    if identifier and identifier.startswith("urn:uuid:"):
        return identifier[len("urn:uuid:"):].lower()
    return str(uuid.uuid5(uuid.NAMESPACE_URL, iri))


_CONCEPTS = """
SELECT ?c ?scheme (SAMPLE(?l) AS ?label) (SAMPLE(?d) AS ?definition) (SAMPLE(?b) AS ?broader)
       (SAMPLE(?id) AS ?identifier) (SAMPLE(?col) AS ?color) WHERE {
  VALUES ?scheme { %s }
  GRAPH ?g { ?c skos:inScheme ?scheme }
  GRAPH ?g1 { ?c skos:prefLabel ?l }
  OPTIONAL { GRAPH ?g2 { ?c skos:definition ?d } }
  OPTIONAL { GRAPH ?g3 { ?c skos:broader ?b } }
  OPTIONAL { GRAPH ?g4 { ?c dcterms:identifier ?id } }
  OPTIONAL { GRAPH ?g6 { ?c <%s> ?col } }
  FILTER NOT EXISTS { GRAPH ?g5 { ?c owl:deprecated true } }
} GROUP BY ?c ?scheme"""

# open codes that came from a codebook (no paper): label, description, nesting (dcterms:isPartOf)
_IMPORTED_OPEN = """
SELECT ?c (SAMPLE(?l) AS ?label) (SAMPLE(?d) AS ?definition) (SAMPLE(?b) AS ?broader)
       (SAMPLE(?id) AS ?identifier) (SAMPLE(?col) AS ?color) WHERE {
  GRAPH <%s> { ?c a fa:OpenCode ; rdfs:label ?l ; dcterms:identifier ?id
    OPTIONAL { ?c skos:definition ?d } OPTIONAL { ?c dcterms:isPartOf ?b } OPTIONAL { ?c <%s> ?col } }
} GROUP BY ?c"""

_SETS = """
SELECT ?set ?label ?definition ?identifier ?member ?memberId WHERE {
  GRAPH <%s> { ?set a skos:Collection ; skos:prefLabel ?label ; dcterms:identifier ?identifier
    OPTIONAL { ?set skos:definition ?definition } OPTIONAL { ?set skos:member ?member } }
  OPTIONAL { GRAPH ?g { ?member dcterms:identifier ?memberId } }
} ORDER BY ?label ?set ?member"""

_SCHEMES = """
SELECT ?s (SAMPLE(?l) AS ?label) (SAMPLE(?d) AS ?description) WHERE {
  VALUES ?s { %s }
  GRAPH ?g { ?s a skos:ConceptScheme }
  OPTIONAL { GRAPH ?g1 { ?s skos:prefLabel ?l } }
  OPTIONAL { GRAPH ?g2 { ?s dcterms:source ?d } }
} GROUP BY ?s"""


def read_codebook(store: Store) -> list[Code]:
    """The codebook of the store: one root code per scheme, children sorted by name."""
    values = " ".join(sparql_iri(s) for s in SCHEMES)
    with store.session():
        schemes = {r["s"]: r for r in store.select(_SCHEMES % values)}
        concepts = store.select(_CONCEPTS % (values, COLOR))
        imported = store.select(_IMPORTED_OPEN % (IMPORT_GRAPH_IRI, COLOR))
    roots: dict[str, Code] = {}
    for s in SCHEMES:
        if s in schemes:
            r = schemes[s]
            roots[s] = Code(guid_for(s), r["label"] or s.rsplit("/", 1)[-1], r["description"] or "",
                            codable=False, color=SCHEME_COLOURS[s], iri=s)
    nodes = {r["c"]: Code(guid_for(r["c"], r["identifier"]), r["label"], r["definition"] or "", iri=r["c"],
                          color=SCHEME_COLOURS.get(r["scheme"], "")) for r in concepts}
    for r in concepts:
        parent = nodes.get(r["broader"]) or roots.get(r["scheme"])
        if parent is not None:
            parent.children.append(nodes[r["c"]])
    # categories of the technique scheme get their own colour, passed down to their techniques
    tech_root = roots.get(TECHNIQUE_SCHEME.value)
    if tech_root:
        tech_root.children.sort(key=lambda c: c.name.lower())
        for i, cat in enumerate(tech_root.children):
            for code in cat.walk():
                code.color = CATEGORY_PALETTE[i % len(CATEGORY_PALETTE)]
    for r in concepts:  # a colour a QDA tool gave the code wins over the palette
        if r["color"]:
            nodes[r["c"]].color = r["color"]
    open_nodes = {r["c"]: Code(guid_for(r["c"], r["identifier"]), r["label"], r["definition"] or "", iri=r["c"],
                               color=r["color"] or "") for r in imported}
    open_roots: list[Code] = []
    for r in imported:
        parent = open_nodes.get(r["broader"])
        (parent.children if parent is not None else open_roots).append(open_nodes[r["c"]])
    for root in list(roots.values()) + open_roots:
        for code in root.walk():
            code.children.sort(key=lambda c: c.name.lower())
    open_roots.sort(key=lambda c: c.name.lower())
    return [roots[s] for s in SCHEMES if s in roots] + open_roots


def read_code_sets(store: Store) -> list[CodeSet]:
    """The code sets imported from QDA tools, members by GUID."""
    sets: dict[str, CodeSet] = {}
    for r in store.select(_SETS % IMPORT_GRAPH_IRI):
        s = sets.setdefault(r["set"], CodeSet(guid_for(r["set"], r["identifier"]), r["label"],
                                              r["definition"] or ""))
        if r["member"]:
            guid = guid_for(r["member"], r["memberId"])
            if guid not in s.members:
                s.members.append(guid)
    return list(sets.values())
