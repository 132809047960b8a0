"""The codebook (axial coding): techniques, categories, open codes, memos.

Seed techniques live in the corpus graph; every change a reviewer makes is a
decision whose triples go to the curation graph. For the single-valued
properties ``skos:prefLabel``, ``skos:definition``, ``skos:broader`` (of a
technique) and ``fa:refinedAs`` (of an open code), a value in the curation
graph overrides the corpus value. A merged technique is marked
``owl:deprecated true`` and ``dcterms:isReplacedBy`` its survivor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pyoxigraph import NamedNode

from pipeline.curate.events import CG, LATEST, Op, Reviewer, curated, dt, history, new_iri, node, now_iso, reviewer, write
from pipeline.errors import InputError
from pipeline.store import Store
from pipeline.vocab import DCTERMS, FA, OWL, PROV, RDF, SKOS, TECHNIQUE_SCHEME, iri, lit, local_name, slug, sparql_iri, technique

LABEL, DEFN, BROADER, REFINED = (SKOS.prefLabel.value, SKOS.definition.value, SKOS.broader.value,
                                 FA.refinedAs.value)


def _resolved(rows: list[dict], s: str = "s", p: str = "p", o: str = "o") -> dict[str, dict[str, Any]]:
    base: dict[str, dict[str, Any]] = {}
    cur: dict[str, dict[str, Any]] = {}
    for r in rows:
        (cur if r["g"] == CG else base).setdefault(r[s], {}).setdefault(r[p], r[o])
    for k, v in cur.items():
        base.setdefault(k, {}).update(v)
    return base


@dataclass
class Technique:
    iri: str
    label: str
    definition: str = ""
    category: str | None = None
    category_label: str = ""
    deprecated: bool = False
    replaced_by: str | None = None
    open_codes: list[dict] = field(default_factory=list)


def categories(store: Store) -> list[dict]:
    """Taxonomy categories (skos:broader targets): iri, label, definition, broader."""
    rows = store.select("""
        SELECT ?s ?g ?p ?o WHERE { GRAPH ?g0 { ?s a fa:TaxonomyCategory } GRAPH ?g { ?s ?p ?o
          FILTER(?p IN (skos:prefLabel, skos:definition, skos:broader)) } }""")
    out = [{"iri": s, "label": v.get(LABEL, local_name(s)), "definition": v.get(DEFN, ""), "broader": v.get(BROADER)}
           for s, v in _resolved(rows).items()]
    return sorted(out, key=lambda c: c["label"].lower())


def open_codes(store: Store) -> list[dict]:
    """Open codes with their (curated) technique, paper and excerpt text."""
    rows = store.select("""
        SELECT ?s ?g ?p ?o WHERE { GRAPH ?g0 { ?s a fa:OpenCode } GRAPH ?g { ?s ?p ?o
          FILTER(?p IN (rdfs:label, fa:refinedAs, fa:codedIn, fa:evidence, fa:ofMethod)) } }""")
    texts = {r["ex"]: r["t"] for r in store.select("""
        SELECT ?ex ?t WHERE { GRAPH ?g0 { ?oc a fa:OpenCode ; fa:evidence ?ex } GRAPH ?g { ?ex fa:text ?t } }""")}
    rdfs_label = "http://www.w3.org/2000/01/rdf-schema#label"
    out = []
    for s, v in _resolved(rows).items():
        ex = v.get(FA.evidence.value)
        out.append({"iri": s, "label": v.get(rdfs_label, local_name(s)), "technique": v.get(REFINED),
                    "paper": v.get(FA.codedIn.value), "excerpt": ex, "text": texts.get(ex, ""),
                    "method": v.get(FA.ofMethod.value)})
    return sorted(out, key=lambda c: c["iri"])


def techniques(store: Store, include_deprecated: bool = False) -> list[Technique]:
    """Techniques with curated label/definition/category and their open codes."""
    with store.session():
        rows = store.select("""
            SELECT ?s ?g ?p ?o WHERE { GRAPH ?g0 { ?s a fa:AdaptationTechnique } GRAPH ?g { ?s ?p ?o
              FILTER(?p IN (skos:prefLabel, skos:definition, skos:broader, owl:deprecated, dcterms:isReplacedBy)) } }""")
        cats = {c["iri"]: c["label"] for c in categories(store)}
        codes = open_codes(store)
    out = []
    for s, v in _resolved(rows).items():
        dep = v.get(OWL.deprecated.value) in (True, "true")
        if dep and not include_deprecated:
            continue
        cat = v.get(BROADER)
        out.append(Technique(s, v.get(LABEL, local_name(s)), v.get(DEFN, ""), cat, cats.get(cat, ""), dep,
                             v.get(DCTERMS.isReplacedBy.value), [c for c in codes if c["technique"] == s]))
    return sorted(out, key=lambda t: t.label.lower())


def _is_technique(t: NamedNode) -> tuple[str, str, bool]:
    return (f"ASK {{ GRAPH ?g {{ {t} a fa:AdaptationTechnique }} }}", f"no technique {t.value}", True)


def _not_deprecated(t: NamedNode) -> tuple[str, str, bool]:
    return (f"ASK {{ GRAPH ?g {{ {t} owl:deprecated true }} }}", f"{t.value} was merged into another technique", False)


def _set(store: Store, s: NamedNode, p: NamedNode, o) -> tuple[list, list]:
    return [(s, p, o)], curated(store, s, p)


def _clean(text: str, what: str, required: bool = True, max_len: int = 5000) -> str:
    text = (text or "").strip()
    if required and not text:
        raise InputError(f"{what} must not be empty")
    if len(text) > max_len:
        raise InputError(f"{what} is longer than {max_len} characters")
    return text


def create_technique(store: Store, who: str | Reviewer, label: str, definition: str = "",
                     category: str | None = None) -> str:
    """A new adaptation technique (IRI from its label); returns its IRI."""
    who = reviewer(who)
    label = _clean(label, "label", max_len=200)
    t = technique(slug(label))
    adds = [(t, RDF.type, FA.AdaptationTechnique), (t, RDF.type, SKOS.Concept), (t, SKOS.inScheme, TECHNIQUE_SCHEME),
            (t, FA.key, lit(slug(label))), (t, SKOS.prefLabel, lit(label, lang="en")),
            (t, PROV.wasAttributedTo, who.iri), (t, PROV.generatedAtTime, dt(now_iso()))]
    if definition.strip():
        adds.append((t, SKOS.definition, lit(_clean(definition, "definition"), lang="en")))
    if category:
        adds.append((t, SKOS.broader, node(category)))
    op = Op("create", t, {"label": label, "definition": definition, "category": category}, None, adds=adds,
            requires=[(f"ASK {{ GRAPH ?g {{ {t} ?p ?o }} }}", f"a technique {t.value} exists already", False)])
    write(store, who, op)
    return t.value


def rename(store: Store, who: str | Reviewer, code: str | NamedNode, label: str, based_on: Any = LATEST) -> str:
    """Give a technique or category a new preferred label."""
    t = node(code)
    label = _clean(label, "label", max_len=200)
    with store.session():
        adds, removes = _set(store, t, SKOS.prefLabel, lit(label, lang="en"))
        return write(store, who, Op("rename", t, {"label": label}, based_on, adds, removes))


def define(store: Store, who: str | Reviewer, code: str | NamedNode, definition: str, based_on: Any = LATEST) -> str:
    """Set a technique's or category's definition."""
    t = node(code)
    text = _clean(definition, "definition")
    with store.session():
        adds, removes = _set(store, t, SKOS.definition, lit(text, lang="en"))
        return write(store, who, Op("define", t, {"definition": text}, based_on, adds, removes))


def set_category(store: Store, who: str | Reviewer, code: str | NamedNode, category: str | NamedNode,
                 based_on: Any = LATEST) -> str:
    """Place a technique (or category) under ``category`` (skos:broader)."""
    t, c = node(code), node(category)
    if t == c:
        raise InputError("a code cannot be its own category")
    with store.session():
        adds, removes = _set(store, t, SKOS.broader, c)
        return write(store, who, Op("categorise", t, {"category": c.value}, based_on, adds, removes,
                                    requires=[(f"ASK {{ GRAPH ?g {{ {sparql_iri(c)} a fa:TaxonomyCategory }} }}",
                                               f"no category {c.value}", True)]))


def create_category(store: Store, who: str | Reviewer, label: str, definition: str = "",
                    broader: str | None = None) -> str:
    """A new taxonomy category (optionally under another); returns its IRI."""
    who = reviewer(who)
    label = _clean(label, "label", max_len=200)
    c = iri("category", slug(label))
    adds = [(c, RDF.type, FA.TaxonomyCategory), (c, RDF.type, SKOS.Concept), (c, SKOS.inScheme, TECHNIQUE_SCHEME),
            (c, FA.key, lit(slug(label))), (c, SKOS.prefLabel, lit(label, lang="en")),
            (c, PROV.wasAttributedTo, who.iri)]
    if definition.strip():
        adds.append((c, SKOS.definition, lit(definition.strip(), lang="en")))
    adds.append((c, SKOS.broader, node(broader)) if broader else (c, SKOS.topConceptOf, TECHNIQUE_SCHEME))  # "" = top
    write(store, who, Op("create_category", c, {"label": label}, None, adds=adds,
                         requires=[(f"ASK {{ GRAPH ?g {{ {c} ?p ?o }} }}", f"{c.value} exists already", False)]))
    return c.value


def move_code(store: Store, who: str | Reviewer, open_code: str | NamedNode, to: str | NamedNode,
              based_on: Any = LATEST) -> str:
    """Refine an open code as another technique."""
    oc, t = node(open_code), node(to)
    with store.session():
        adds, removes = _set(store, oc, FA.refinedAs, t)
        return write(store, who, Op("move", oc, {"technique": t.value}, based_on, adds, removes,
                                    requires=[_is_technique(t), _not_deprecated(t)]))


def merge(store: Store, who: str | Reviewer, source: str | NamedNode, into: str | NamedNode,
          based_on: Any = LATEST) -> str:
    """Merge technique ``source`` into ``into``: its open codes move, it is deprecated."""
    s, t = node(source), node(into)
    if s == t:
        raise InputError("cannot merge a technique into itself")
    with store.session():
        adds = [(s, OWL.deprecated, lit(True)), (s, DCTERMS.isReplacedBy, t)]
        removes: list = []
        moved = [c["iri"] for c in open_codes(store) if c["technique"] == s.value]
        for oc in moved:
            a, r = _set(store, node(oc), FA.refinedAs, t)
            adds += a
            removes += r
        return write(store, who, Op("merge", s, {"into": t.value, "open_codes": moved}, based_on, adds, removes,
                                    requires=[_is_technique(s), _is_technique(t), _not_deprecated(s),
                                              _not_deprecated(t)]))


def split(store: Store, who: str | Reviewer, source: str | NamedNode, label: str, open_codes_: list[str],
          definition: str = "", based_on: Any = LATEST) -> str:
    """Split off a new technique from ``source``, taking the listed open codes; returns the new IRI."""
    who = reviewer(who)
    s = node(source)
    label = _clean(label, "label", max_len=200)
    new = technique(slug(label))
    if not open_codes_:
        raise InputError("choose the open codes that go to the new technique")
    with store.session():
        src = {t.iri: t for t in techniques(store)}.get(s.value)
        if src is None:
            raise InputError(f"no technique {s.value}")
        own = {c["iri"] for c in src.open_codes}
        bad = [c for c in open_codes_ if c not in own]
        if bad:
            raise InputError(f"not open codes of {src.label}: {', '.join(bad)}")
        adds = [(new, RDF.type, FA.AdaptationTechnique), (new, RDF.type, SKOS.Concept),
                (new, SKOS.inScheme, TECHNIQUE_SCHEME), (new, FA.key, lit(slug(label))),
                (new, SKOS.prefLabel, lit(label, lang="en")), (new, PROV.wasAttributedTo, who.iri),
                (new, PROV.wasDerivedFrom, s)]
        if definition.strip():
            adds.append((new, SKOS.definition, lit(definition.strip(), lang="en")))
        if src.category:
            adds.append((new, SKOS.broader, node(src.category)))
        removes: list = []
        for oc in open_codes_:
            a, r = _set(store, node(oc), FA.refinedAs, new)
            adds += a
            removes += r
        write(store, who, Op("split", s, {"new": new.value, "label": label, "open_codes": list(open_codes_)},
                             based_on, adds, removes,
                             requires=[(f"ASK {{ GRAPH ?g {{ {new} ?p ?o }} }}", f"{new.value} exists already", False),
                                       _not_deprecated(s)]))
    return new.value


def add_memo(store: Store, who: str | Reviewer, code: str | NamedNode, text: str) -> str:
    """A memo on any code (technique, category, open code, challenge...); returns the memo IRI."""
    who = reviewer(who)
    t = node(code)
    text = _clean(text, "memo", max_len=20000)
    m = new_iri("memo")
    adds = [(m, RDF.type, FA.Memo), (m, FA.memo, lit(text)), (m, FA.target, t),
            (m, PROV.wasAttributedTo, who.iri), (m, PROV.generatedAtTime, dt(now_iso()))]
    write(store, who, Op("memo", t, {"memo": m.value}, LATEST, adds))
    return m.value


def memos(store: Store, code: str | NamedNode) -> list[dict]:
    t = node(code)
    rows = store.select(f"""
        SELECT ?m ?text ?who ?time WHERE {{ GRAPH <{CG}> {{ ?m a fa:Memo ; fa:memo ?text ; fa:target {t} ;
          prov:wasAttributedTo ?who ; prov:generatedAtTime ?time }} }} ORDER BY ?time""")
    return [{"iri": r["m"], "text": r["text"], "reviewer": local_name(r["who"]), "time": str(r["time"])} for r in rows]


def code_page(store: Store, code: str | NamedNode) -> dict:
    """Everything under one technique: definition, category, open codes with excerpts,
    accepted proposals coding it (with evidence), memos and history."""
    from pipeline.curate import readmodel
    from pipeline.curate.proposals import paper_titles, proposals

    t = node(code)
    with store.session():
        techs = {x.iri: x for x in techniques(store, include_deprecated=True)}
        tech = techs.get(t.value)
        if tech is None:
            raise InputError(f"no technique {t.value}")
        titles = readmodel.get(store, paper_titles)  # both read models of this store revision (cached)
        coded = [v for v in readmodel.get(store, proposals) if v.code == t.value and v.status in ("accepted", "edited")]
        excerpts = [{"paper": c["paper"], "title": titles.get(c["paper"], ""), "text": c["text"],
                     "source": "open code " + local_name(c["iri"])} for c in tech.open_codes]
        excerpts += [{"paper": v.paper, "title": titles.get(v.paper, ""), "text": v.text,
                      "source": f"proposal ({v.status}, {v.proposer})"} for v in coded]
        return {"technique": tech, "excerpts": excerpts, "papers": sorted({e["paper"] for e in excerpts if e["paper"]}),
                "memos": memos(store, t), "history": history(store, t)}


def uncategorised(store: Store) -> list[dict]:
    """Open codes not (yet) merged into a refined technique: what axial coding still has to place."""
    with store.session():
        live = {t.iri for t in techniques(store)}
        return [c for c in open_codes(store) if c["technique"] not in live]


def refine(store: Store, who: str | Reviewer, open_codes_: list[str], into: str | NamedNode | None = None,
           new_label: str | None = None, definition: str = "") -> str:
    """Merge open codes into refined technique ``into``, or keep them as a new technique ``new_label``.

    One transaction (a create decision when new, one move decision per open code); returns the
    technique's IRI.
    """
    from pipeline.curate.events import commit

    who = reviewer(who)
    if (into is None) == (not new_label):
        raise InputError("give either a technique to merge into or a label for a new technique")
    if not open_codes_:
        raise InputError("choose the open codes to merge")
    with store.session():
        known = {c["iri"] for c in open_codes(store)}
        bad = [c for c in open_codes_ if node(c).value not in known]
        if bad:
            raise InputError(f"not open codes: {', '.join(bad)}")
        ops: list[Op] = []
        if new_label:
            label = _clean(new_label, "label", max_len=200)
            t = technique(slug(label))
            adds = [(t, RDF.type, FA.AdaptationTechnique), (t, RDF.type, SKOS.Concept),
                    (t, SKOS.inScheme, TECHNIQUE_SCHEME), (t, FA.key, lit(slug(label))),
                    (t, SKOS.prefLabel, lit(label, lang="en")), (t, PROV.wasAttributedTo, who.iri),
                    (t, PROV.generatedAtTime, dt(now_iso()))]
            if definition.strip():
                adds.append((t, SKOS.definition, lit(_clean(definition, "definition"), lang="en")))
            ops.append(Op("create", t, {"label": label, "open_codes": list(open_codes_)}, None, adds=adds,
                          requires=[(f"ASK {{ GRAPH ?g {{ {t} ?p ?o }} }}", f"a technique {t.value} exists already",
                                     False)]))
            checks = []
        else:
            assert into is not None  # checked above: exactly one of ``into`` and ``new_label`` is given
            t = node(into)
            checks = [_is_technique(t), _not_deprecated(t)]
        for oc in open_codes_:
            o = node(oc)
            adds, removes = _set(store, o, FA.refinedAs, t)
            ops.append(Op("move", o, {"technique": t.value}, LATEST, adds, removes, requires=list(checks)))
        commit(store, who, ops)
    return t.value
