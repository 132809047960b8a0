"""The bundled corpus: challenge and NAS-type schemes, seed papers, the starting
codebook (techniques, taxonomy, excerpts, effects) and the papers' claims.

``corpus/*.ttl`` are loaded as they are; ``corpus/seed_corpus.json`` is the
hand-coded codebook in a form reviewers can edit, turned into RDF here. Excerpt
offsets are computed from the bundled seed texts, so every excerpt is verbatim
(a quote that is not found is an error, not a silent drift).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from pyoxigraph import Quad, RdfFormat, parse

from pipeline import SCHEMA_VERSION
from pipeline.errors import InputError
from pipeline.store import Store
from pipeline.vocab import (
    BIBO,
    CITO,
    CORPUS_GRAPH,
    DCTERMS,
    FA,
    FABIO,
    FOAF,
    ID_NS,
    META_GRAPH,
    ONTOLOGY_GRAPH,
    PROV,
    RDF,
    RDFS,
    SKOS,
    TECHNIQUE_SCHEME,
    XSD,
    challenge,
    iri,
    lit,
    nas_type,
    paper,
    polarity,
    technique,
)

CHALLENGE_KEYS = (
    "hardware_heterogeneity", "limited_communication", "limited_computation", "unbalanced_data",
    "non_iid_data", "variable_availability", "client_participation", "security",
    "client_reliability", "privacy", "personalization",
)
SEED_CODER_TIME = "2026-11-23T00:00:00Z"


def corpus_dir() -> Path:
    return Path(str(resources.files("corpus")))


def ontology_dir() -> Path:
    return Path(str(resources.files("ontology")))


def seed_text(filename: str) -> str:
    return (corpus_dir() / "seeds" / filename).read_text(encoding="utf-8")


def load_seed_spec() -> dict:
    return json.loads((corpus_dir() / "seed_corpus.json").read_text(encoding="utf-8"))


def _ttl_quads(path: Path, graph) -> list[Quad]:
    try:
        return [Quad(t.subject, t.predicate, t.object, graph)
                for t in parse(path.read_bytes(), format=RdfFormat.TURTLE, base_iri=ID_NS)]
    except SyntaxError as e:
        raise InputError(f"{path.name}: invalid Turtle: {e}") from None


@dataclass
class _Builder:
    """Collects corpus quads into the corpus graph."""

    quads: list[Quad]

    def add(self, s, p, o) -> None:
        self.quads.append(Quad(s, p, o, CORPUS_GRAPH))


def _dt(value: str):
    return lit(value, XSD.dateTime)


def build_seed_quads(spec: dict | None = None) -> list[Quad]:
    """RDF for the hand-coded seed codebook (papers, methods, techniques, effects, claims)."""
    spec = spec or load_seed_spec()
    b = _Builder([])
    coder = iri("reviewer", spec["coder"]["key"])
    b.add(coder, RDF.type, FA.Reviewer)
    b.add(coder, RDF.type, PROV.Agent)
    b.add(coder, FOAF.name, lit(spec["coder"]["name"]))
    b.add(coder, RDFS.label, lit(spec["coder"]["name"]))
    t0 = _dt(SEED_CODER_TIME)

    texts: dict[str, str] = {}
    for p in spec["papers"]:
        node = paper(p["key"])
        b.add(node, RDF.type, FA.Paper)
        kind = (FABIO.Thesis if p["type"] == "thesis"
                else FABIO.JournalArticle if p.get("venue", "").startswith("IEEE Trans") else FABIO.ScholarlyWork)
        b.add(node, RDF.type, kind)
        b.add(node, FA.key, lit(p["key"]))
        b.add(node, DCTERMS.title, lit(p["title"]))
        for name in p["authors"]:
            author = iri("person", _person_key(name))
            b.add(node, DCTERMS.creator, author)
            b.add(author, RDF.type, FOAF.Person)
            b.add(author, FOAF.name, lit(name))
        b.add(node, BIBO.authorList, lit("; ".join(p["authors"])))
        b.add(node, DCTERMS.issued, lit(str(p["year"]), XSD.gYear))
        if p.get("venue"):
            b.add(node, DCTERMS.isPartOf, lit(p["venue"]))
        if p.get("doi"):
            b.add(node, BIBO.doi, lit(p["doi"]))
        if p.get("arxiv"):
            b.add(node, FA.arxivId, lit(p["arxiv"]))
        b.add(node, FA.recordSource, lit("manual"))
        if p.get("role"):
            b.add(node, RDFS.comment, lit(p["role"]))
        if p.get("seed"):
            texts[p["key"]] = seed_text(p["seed"])
            b.add(node, FA.sourceFile, lit(f"corpus/seeds/{p['seed']}"))
        if p.get("cited_in"):
            b.add(paper(p["cited_in"]), CITO.cites, node)
        if p.get("screening"):
            _screening(b, p, coder, t0)

    for c in spec["categories"]:
        node = iri("category", c["key"])
        b.add(node, RDF.type, FA.TaxonomyCategory)
        b.add(node, RDF.type, SKOS.Concept)
        b.add(node, SKOS.inScheme, TECHNIQUE_SCHEME)
        b.add(node, SKOS.topConceptOf, TECHNIQUE_SCHEME)
        b.add(node, FA.key, lit(c["key"]))
        b.add(node, SKOS.prefLabel, lit(c["label"], lang="en"))
        b.add(node, SKOS.definition, lit(c["definition"], lang="en"))
    b.add(TECHNIQUE_SCHEME, RDF.type, SKOS.ConceptScheme)
    b.add(TECHNIQUE_SCHEME, SKOS.prefLabel, lit("Adaptation techniques", lang="en"))

    method_of_paper = {m["paper"]: m["key"] for m in spec["methods"]}
    for t in spec["techniques"]:
        node = technique(t["key"])
        b.add(node, RDF.type, FA.AdaptationTechnique)
        b.add(node, RDF.type, SKOS.Concept)
        b.add(node, SKOS.inScheme, TECHNIQUE_SCHEME)
        b.add(node, FA.key, lit(t["key"]))
        b.add(node, SKOS.prefLabel, lit(t["label"], lang="en"))
        b.add(node, SKOS.definition, lit(t["definition"], lang="en"))
        b.add(node, SKOS.broader, iri("category", t["category"]))
        b.add(node, PROV.wasAttributedTo, coder)
        for i, ex in enumerate(t["excerpts"]):
            excerpt = _excerpt(b, ex, texts, f"{t['key']}-{i + 1}")
            open_code = iri("opencode", f"{t['key']}-{i + 1}")
            b.add(open_code, RDF.type, FA.OpenCode)
            b.add(open_code, RDFS.label, lit(t["label"]))
            b.add(open_code, FA.evidence, excerpt)
            b.add(open_code, FA.codedIn, paper(ex["paper"]))
            method_key = ex.get("method") or method_of_paper.get(ex["paper"])
            if method_key:
                b.add(open_code, FA.ofMethod, iri("method", method_key))
            b.add(open_code, FA.refinedAs, node)
            b.add(open_code, PROV.wasAttributedTo, coder)
            b.add(open_code, PROV.generatedAtTime, t0)
        for key in CHALLENGE_KEYS:
            pol, why = t["effects"].get(key, ("none", "The technique's mechanism does not act on this challenge."))
            ea = iri("effect", f"{t['key']}/{key}/{spec['coder']['key']}")
            b.add(ea, RDF.type, FA.EffectAssessment)
            b.add(ea, FA.technique, node)
            b.add(ea, FA.challenge, challenge(key))
            b.add(ea, FA.polarity, polarity(pol))
            b.add(ea, FA.rationale, lit(why))
            b.add(ea, PROV.wasAttributedTo, coder)
            b.add(ea, PROV.generatedAtTime, t0)
            for i, _ in enumerate(t["excerpts"]):
                b.add(ea, FA.evidence, iri("excerpt", f"{t['key']}-{i + 1}"))

    for m in spec["methods"]:
        node = iri("method", m["key"])
        b.add(node, RDF.type, FA.FedNASMethod)
        b.add(node, RDFS.label, lit(m["label"]))
        b.add(node, FA.shortName, lit(m["short"]))
        b.add(node, FA.key, lit(m["key"]))
        b.add(paper(m["paper"]), FA.presentsMethod, node)
        b.add(node, PROV.wasAttributedTo, coder)
        for k in m["nas_types"]:
            b.add(node, FA.usesNASType, nas_type(k))
        for k in m["techniques"]:
            b.add(node, FA.usesTechnique, technique(k))
        for k in m["challenges"]:
            b.add(node, FA.addressesChallenge, challenge(k))

    for c in spec["claims"]:
        node = iri("claim", c["key"])
        b.add(node, RDF.type, FA.Claim)
        if c.get("kind") == "accounting":  # an accounting identity: checked, never given a verdict
            b.add(node, RDF.type, FA.AccountingClaim)
        b.add(node, FA.key, lit(c["key"]))
        b.add(node, FA.claimedIn, paper(c["paper"]))
        if c.get("method"):
            b.add(node, FA.ofMethod, iri("method", c["method"]))
        for k in c["techniques"]:
            b.add(node, FA.technique, technique(k))
        b.add(node, FA.challenge, challenge(c["challenge"]))
        for field_, prop in (("metric", FA.metric), ("value", FA.value), ("unit", FA.unit),
                             ("direction", FA.direction), ("baseline", FA.baseline),
                             ("setting", FA.setting), ("source", FA.sourceLocation),
                             ("tolerance", FA.tolerance)):
            if c.get(field_):
                b.add(node, prop, lit(c[field_]))
        if c.get("text"):
            b.add(node, FA.evidence, _excerpt(b, {"paper": c["paper"], "text": c["text"], "section": c["source"]},
                                              texts, f"claim-{c['key']}"))
        b.add(node, PROV.wasAttributedTo, coder)
    return b.quads


def _person_key(name: str) -> str:
    from pipeline.vocab import slug

    return slug(name)


def _excerpt(b: _Builder, ex: dict, texts: dict[str, str], key: str):
    node = iri("excerpt", key)
    text = texts.get(ex["paper"])
    if text is None:
        raise InputError(f"seed_corpus.json: excerpt {key}: paper {ex['paper']} has no bundled text")
    start = text.find(ex["text"])
    if start < 0:
        raise InputError(f"seed_corpus.json: excerpt {key}: quote not found verbatim in {ex['paper']}")
    b.add(node, RDF.type, FA.Excerpt)
    b.add(node, FA.inPaper, paper(ex["paper"]))
    b.add(node, FA.charStart, lit(start))
    b.add(node, FA.charEnd, lit(start + len(ex["text"])))
    b.add(node, FA.text, lit(ex["text"]))
    if ex.get("section"):
        b.add(node, FA.section, lit(ex["section"]))
    return node


def _screening(b: _Builder, p: dict, coder, t0) -> None:
    stages = [("TitleAbstract", "include", None)]
    if p["screening"] == "included":
        stages += [("FullText", "include", None)]
    else:
        stages += [("FullText", "exclude", p.get("reason"))]
    for stage, decision, reason in stages:
        node = iri("screening", f"{p['key']}/{stage}/atlas-seed")
        b.add(node, RDF.type, FA.ScreeningDecision)
        b.add(node, FA.aboutPaper, paper(p["key"]))
        b.add(node, FA.stage, FA[stage])
        b.add(node, FA.decision, lit(decision))
        if reason:
            b.add(node, FA.reason, lit(reason))
        b.add(node, PROV.wasAssociatedWith, coder)
        b.add(node, PROV.endedAtTime, t0)


def corpus_quads() -> list[Quad]:
    """Everything ``fedatlas init`` puts in the corpus graph."""
    quads = _ttl_quads(corpus_dir() / "challenges.ttl", CORPUS_GRAPH)
    quads += _ttl_quads(corpus_dir() / "nas_types.ttl", CORPUS_GRAPH)
    quads += build_seed_quads()
    return quads


def init_store(store: Store) -> dict:
    """Load (or reload) ontology and corpus; human and machine work stays untouched.

    Only the ontology, corpus and meta graphs are replaced, in one transaction.
    """
    spec = load_seed_spec()
    quads = corpus_quads()
    onto = _ttl_quads(ontology_dir() / "fedatlas.ttl", ONTOLOGY_GRAPH)
    store_node = iri("store", "this")
    tx = store.transaction()
    tx.clear_graph(CORPUS_GRAPH)
    tx.clear_graph(ONTOLOGY_GRAPH)
    tx.clear_graph(META_GRAPH)
    tx.add_quads(quads)
    tx.add_quads(onto)
    tx.add(store_node, FA.schemaVersion, lit(SCHEMA_VERSION), META_GRAPH)
    tx.add(store_node, FA.corpusVersion, lit(spec["version"]), META_GRAPH)
    tx.add(store_node, PROV.generatedAtTime, _dt(datetime.now(UTC).isoformat(timespec="seconds")), META_GRAPH)
    store.commit(tx)
    return {"corpus_quads": len(quads), "ontology_quads": len(onto), "corpus_version": spec["version"]}


def schema_version(store: Store) -> int | None:
    rows = store.select("SELECT ?v WHERE { GRAPH <https://w3id.org/fedatlas/id/graph/meta> { ?s fa:schemaVersion ?v } }")
    return int(rows[0]["v"]) if rows else None
