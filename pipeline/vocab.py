"""The one place where Atlas spells IRIs.

Every module builds its IRIs through this module, so the ontology
(``ontology/fedatlas.ttl``) and the code cannot drift apart unnoticed:
``tests/test_ontology.py`` checks that every ``FA`` term used here is declared
in the ontology.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from pyoxigraph import Literal, NamedNode

ONTOLOGY_IRI = "https://w3id.org/fedatlas/ontology"
FA_NS = ONTOLOGY_IRI + "#"
ID_NS = "https://w3id.org/fedatlas/id/"

PREFIXES = {
    "fa": FA_NS,
    "fad": ID_NS,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "bibo": "http://purl.org/ontology/bibo/",
    "fabio": "http://purl.org/spar/fabio/",
    "cito": "http://purl.org/spar/cito/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "sh": "http://www.w3.org/ns/shacl#",
}


def sparql_prefixes() -> str:
    """PREFIX lines for every namespace Atlas uses, to prepend to queries."""
    return "".join(f"PREFIX {p}: {sparql_iri(iri)}\n" for p, iri in PREFIXES.items())  # sparql: rendered


class _Namespace:
    """Attribute access to IRIs of one namespace: ``FA.Paper`` -> NamedNode."""

    def __init__(self, base: str) -> None:
        self._base = base

    def __getattr__(self, name: str) -> NamedNode:
        if name.startswith("__"):
            raise AttributeError(name)
        return NamedNode(self._base + name)

    def __getitem__(self, name: str) -> NamedNode:
        return NamedNode(self._base + name)

    @property
    def base(self) -> str:
        return self._base


FA = _Namespace(FA_NS)
RDF = _Namespace(PREFIXES["rdf"])
RDFS = _Namespace(PREFIXES["rdfs"])
OWL = _Namespace(PREFIXES["owl"])
XSD = _Namespace(PREFIXES["xsd"])
SKOS = _Namespace(PREFIXES["skos"])
PROV = _Namespace(PREFIXES["prov"])
DCTERMS = _Namespace(PREFIXES["dcterms"])
BIBO = _Namespace(PREFIXES["bibo"])
FABIO = _Namespace(PREFIXES["fabio"])
CITO = _Namespace(PREFIXES["cito"])
FOAF = _Namespace(PREFIXES["foaf"])

# Concept schemes shipped in corpus/
CHALLENGE_SCHEME = NamedNode(ID_NS + "scheme/challenges")
NAS_TYPE_SCHEME = NamedNode(ID_NS + "scheme/nas-types")
TECHNIQUE_SCHEME = NamedNode(ID_NS + "scheme/techniques")

# Named graphs: machine output, human work and evidence live apart.
CORPUS_GRAPH = NamedNode(ID_NS + "graph/corpus")
CURATION_GRAPH = NamedNode(ID_NS + "graph/curation")
EVIDENCE_GRAPH = NamedNode(ID_NS + "graph/evidence")
META_GRAPH = NamedNode(ID_NS + "graph/meta")
DEDUP_GRAPH = NamedNode(ID_NS + "graph/dedup")  # duplicate merges and suspected duplicates (kept across re-ingest)
ONTOLOGY_GRAPH = NamedNode(ID_NS + "graph/ontology")
PAPER_GRAPH_PREFIX = ID_NS + "graph/paper/"

# Controlled individuals
POLARITIES = ("towards", "against", "none")
VERDICTS = ("supports", "contradicts", "inconclusive")
PROPOSAL_STATUSES = ("proposed", "accepted", "rejected", "edited")
PROPOSAL_KINDS = ("challenge", "nas_type", "technique")


def slug(text: str, max_len: int = 60) -> str:
    """A stable, readable IRI path segment for ``text``."""
    norm = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    s = re.sub(r"[^A-Za-z0-9]+", "-", norm).strip("-").lower()
    return s[:max_len].rstrip("-") or hashlib.sha1(text.encode()).hexdigest()[:12]


def iri(kind: str, local: str) -> NamedNode:
    """An Atlas resource IRI, e.g. ``iri("challenge", "non_iid_data")``."""
    return NamedNode(f"{ID_NS}{kind}/{local}")


def challenge(key: str) -> NamedNode:
    return iri("challenge", key)


def nas_type(key: str) -> NamedNode:
    return iri("nastype", key)


def technique(key: str) -> NamedNode:
    return iri("technique", key)


def paper(key: str) -> NamedNode:
    return iri("paper", key)


def paper_graph(paper_key: str) -> NamedNode:
    """The named graph holding the machine output of one paper."""
    return NamedNode(PAPER_GRAPH_PREFIX + paper_key)


def polarity(name: str) -> NamedNode:
    if name not in POLARITIES:
        raise ValueError(f"polarity must be one of {POLARITIES}, got {name!r}")
    return FA["Towards" if name == "towards" else "Against" if name == "against" else "NoEffect"]


def verdict(name: str) -> NamedNode:
    if name not in VERDICTS:
        raise ValueError(f"verdict must be one of {VERDICTS}, got {name!r}")
    return FA[name.capitalize()]


def status(name: str) -> NamedNode:
    if name not in PROPOSAL_STATUSES:
        raise ValueError(f"status must be one of {PROPOSAL_STATUSES}, got {name!r}")
    return FA["Status" + name.capitalize()]


def local_name(node: NamedNode | str) -> str:
    """The last path segment or fragment of an IRI."""
    value = node.value if isinstance(node, NamedNode) else str(node)
    return re.split(r"[/#]", value.rstrip("/"))[-1]


def lit(value, datatype: NamedNode | None = None, lang: str | None = None) -> Literal:
    """A typed literal from a Python value (bool, int, float, str)."""
    if lang:
        return Literal(str(value), language=lang)
    if datatype is not None:
        return Literal(str(value), datatype=datatype)
    if isinstance(value, bool):
        return Literal("true" if value else "false", datatype=XSD.boolean)
    if isinstance(value, int):
        return Literal(str(value), datatype=XSD.integer)
    if isinstance(value, float):
        return Literal(repr(value), datatype=XSD.double)
    return Literal(str(value))


# ---- terms in SPARQL text ---------------------------------------------------------------
# Every user- or paper-supplied value that goes into a query string goes through one of
# these two (tests/architecture/test_sparql_terms.py fails on a raw interpolation).

_IRI_FORBIDDEN = set('<>"{}|^`\\ \n\t\r')


def as_iri(value: str | NamedNode) -> NamedNode:
    """A validated IRI (``<...>`` around it is accepted); InputError if it is not one, so
    nothing a user types can close the ``<...>`` and add SPARQL of its own."""
    from pipeline.errors import InputError

    if isinstance(value, NamedNode):
        return value
    text = str(value).strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    if ":" not in text or any(c in _IRI_FORBIDDEN or ord(c) < 0x20 for c in text):
        raise InputError(f"not an IRI: {text!r}")
    try:
        return NamedNode(text)
    except ValueError:
        raise InputError(f"not an IRI: {text!r}") from None


def sparql_iri(value: str | NamedNode) -> str:
    """``<iri>`` for a SPARQL string, validated (see :func:`as_iri`)."""
    return str(as_iri(value))


def sparql_literal(value, datatype: NamedNode | None = None, lang: str | None = None) -> str:
    """A literal for a SPARQL string, escaped (quotes, backslashes, newlines) by Oxigraph's
    own serialiser; typed as :func:`lit` types it."""
    if isinstance(value, Literal):
        return str(value)
    return str(lit(value, datatype, lang))
