"""Screening (PRISMA 2020): records, dual independent decisions, conflicts, counts.

Each reviewer's decision on a record at a stage is one ``fa:ScreeningDecision``
node ``fad:screening/<paper>/<Stage>/<reviewer>`` (the seed corpus uses the
same scheme); a change of mind replaces it through a decision (history kept).
A conflict resolution is a decision node ``.../<Stage>/final`` that
``prov:wasInformedBy`` the reviewers' decisions. The final decision of a
record at a stage: the resolution if any; else the reviewers' common decision;
else ``conflict`` (they disagree) or ``None`` (nobody decided yet).
"""

from __future__ import annotations

from typing import Any

from pyoxigraph import NamedNode

from pipeline.curate.events import CG, LATEST, Op, Reviewer, curated, dt, node, now_iso, reviewer, write
from pipeline.errors import InputError
from pipeline.store import Store
from pipeline.store.corpus import corpus_dir
from pipeline.vocab import BIBO, CITO, DCTERMS, FA, PROV, RDF, XSD, iri, lit, local_name, slug, sparql_iri
from pipeline.vocab import paper as paper_iri

STAGES = {"title-abstract": "TitleAbstract", "full-text": "FullText"}
DECISIONS = ("include", "exclude", "maybe")
SOURCES = ("database", "backward", "forward", "manual")
REASONS_NODE = iri("scheme", "exclusion-reasons")


def stage_name(stage: str) -> str:
    if stage in STAGES:
        return STAGES[stage]
    if stage in STAGES.values():
        return stage
    raise InputError(f"stage must be one of {', '.join(STAGES)}, got {stage!r}")


def decision_node(paper: str | NamedNode, stage: str, who: str | Reviewer) -> NamedNode:
    return iri("screening", f"{local_name(node(paper))}/{stage_name(stage)}/{reviewer(who).key}")


def screen(store: Store, who: str | Reviewer, paper: str | NamedNode, stage: str, decision: str,
           reason: str | None = None, based_on: Any = LATEST, ranking: tuple[str, str] | None = None) -> str:
    """``who``'s decision on a record at a stage; exclusion at full text needs a reason.

    ``ranking`` is (model name, version) of the ranker that put the record in
    front of the reviewer (prioritised screening); it is kept in the decision's provenance.
    """
    who = reviewer(who)
    st = stage_name(stage)
    if decision not in DECISIONS:
        raise InputError(f"decision must be one of {', '.join(DECISIONS)}, got {decision!r}")
    reason = (reason or "").strip() or None
    if st == "FullText" and decision == "exclude" and not reason:
        raise InputError("a full-text exclusion needs a reason", hint="pick one of the exclusion reasons")
    p = node(paper)
    n = decision_node(p, st, who)
    return _write_decision(store, who, n, p, st, decision, reason, based_on, "screen", [], ranking)


def _write_decision(store, who, n, p, st, decision, reason, based_on, action, informed, ranking=None) -> str:
    with store.session():
        removes = [(s, pr, o) for s, pr, o in _node_triples(store, n)]
        adds = [(n, RDF.type, FA.ScreeningDecision), (n, FA.aboutPaper, p), (n, FA.stage, FA[st]),
                (n, FA.decision, lit(decision)), (n, PROV.wasAssociatedWith, who.iri),
                (n, PROV.endedAtTime, dt(now_iso()))]
        if reason:
            adds.append((n, FA.reason, lit(reason)))
        adds += [(n, PROV.wasInformedBy, node(i)) for i in informed]
        payload = {"paper": p.value, "stage": st, "decision": decision, "reason": reason}
        if ranking:
            adds += [(n, FA.rankingModel, lit(ranking[0])), (n, FA.rankingModelVersion, lit(ranking[1]))]
            payload["ranking"] = {"model": ranking[0], "version": ranking[1]}
        op = Op(action, n, payload, based_on,
                adds, removes, requires=[(f"ASK {{ GRAPH ?g {{ {sparql_iri(p)} a fa:Paper }} }}", f"no record {p.value}", True)])
        return write(store, who, op)


def _node_triples(store: Store, n: NamedNode) -> list[tuple]:
    rows = store.select_terms(f"SELECT ?p ?o WHERE {{ GRAPH <{CG}> {{ {n} ?p ?o }} }}")
    return [(n, r["p"], r["o"]) for r in rows]


def resolve(store: Store, who: str | Reviewer, paper: str | NamedNode, stage: str, decision: str,
            reason: str | None = None, based_on: Any = LATEST) -> str:
    """Settle a conflict between reviewers at a stage (the final decision)."""
    who = reviewer(who)
    st = stage_name(stage)
    if decision not in ("include", "exclude"):
        raise InputError("a resolution includes or excludes")
    if st == "FullText" and decision == "exclude" and not (reason or "").strip():
        raise InputError("a full-text exclusion needs a reason")
    p = node(paper)
    n = iri("screening", f"{local_name(p)}/{st}/final")
    informed = [d["node"] for d in decisions(store, p.value) if d["stage"] == st and not d["final"]]
    return _write_decision(store, who, n, p, st, decision, (reason or "").strip() or None, based_on, "resolve",
                           informed)


def _values(papers: list[str] | None) -> str:
    return "VALUES ?p { " + " ".join(sparql_iri(p) for p in papers) + " }" if papers is not None else ""


def decisions(store: Store, paper: str | None = None, papers: list[str] | None = None) -> list[dict]:
    """Every current screening decision (corpus and curation graphs), or those of one or a few papers."""
    if paper:
        papers = [node(paper).value]
    # sparql: rendered (_values writes each paper with sparql_iri)
    rows = store.select(f"""
        SELECT ?n ?p ?stage ?d ?reason ?who ?time (COUNT(?inf) AS ?ninf) WHERE {{ {_values(papers)} GRAPH ?g {{
          ?n a fa:ScreeningDecision ; fa:aboutPaper ?p ; fa:stage ?stage ; fa:decision ?d .
          OPTIONAL {{ ?n fa:reason ?reason }} OPTIONAL {{ ?n prov:wasAssociatedWith ?who }}
          OPTIONAL {{ ?n prov:endedAtTime ?time }} OPTIONAL {{ ?n prov:wasInformedBy ?inf }} }} }}
        GROUP BY ?n ?p ?stage ?d ?reason ?who ?time""")
    return [{"node": r["n"], "paper": r["p"], "stage": local_name(r["stage"]), "decision": r["d"],
             "reason": r["reason"], "reviewer": r["who"] or "", "time": str(r["time"] or ""),
             "final": r["n"].endswith("/final")} for r in rows]


def _final(ds: list[dict]) -> tuple[str | None, str | None]:
    res = [d for d in ds if d["final"]]
    if res:
        return res[0]["decision"], res[0]["reason"]
    votes = {d["decision"] for d in ds}
    if not votes:
        return None, None
    if len(votes) == 1:
        v = votes.pop()
        reasons = sorted(d["reason"] for d in ds if d["reason"])
        return v, reasons[0] if reasons else None  # reviewers agree; the first reason in order (as the saved query)
    return "conflict", None


def records(store: Store, papers: list[str] | None = None) -> list[dict]:
    """Every record (or those of ``papers``) with source, duplicate status, per-stage decisions and final
    outcome, by title (MIN: the same value whichever records are read, when sources disagree). The app reads
    it through ``records_model`` (cached per store revision)."""
    with store.session():
        rows = store.select("""
            SELECT ?p (MIN(?t0) AS ?title) (MIN(?s0) AS ?source) (MIN(?dup0) AS ?dup)
                   (MIN(?y0) AS ?year) (MIN(?a0) AS ?abstract) (MIN(?c0) AS ?comment)
                   (MIN(?au0) AS ?authors) (MIN(?v0) AS ?venue) WHERE { """ + _values(papers) + """
              GRAPH ?g { ?p a fa:Paper }
              OPTIONAL { GRAPH ?g1 { ?p dcterms:title ?t0 } } OPTIONAL { GRAPH ?g2 { ?p fa:recordSource ?s0 } }
              OPTIONAL { GRAPH ?g3 { ?p fa:duplicateOf ?dup0 } } OPTIONAL { GRAPH ?g4 { ?p dcterms:issued ?y0 } }
              OPTIONAL { GRAPH ?g5 { ?p fa:abstract|dcterms:abstract ?a0 } } OPTIONAL { GRAPH ?g6 { ?p rdfs:comment ?c0 } }
              OPTIONAL { GRAPH ?g7 { ?p bibo:authorList ?au0 } } OPTIONAL { GRAPH ?g8 { ?p dcterms:isPartOf ?v0 } }
            } GROUP BY ?p""")
        by_paper: dict[str, list[dict]] = {}
        for d in decisions(store, papers=papers):
            by_paper.setdefault(d["paper"], []).append(d)
    out = []
    for r in rows:
        if str(r["comment"] or "").startswith("review protocol"):
            continue  # the review's own protocol document is not a record of the search
        ds = sorted(by_paper.get(r["p"], []), key=lambda d: (d["stage"], d["reviewer"], d["node"]))
        rec = {"paper": r["p"], "title": r["title"] or local_name(r["p"]), "source": r["source"] or "database",
               "duplicate_of": r["dup"], "year": str(r["year"] or ""), "abstract": r["abstract"] or "",
               "authors": r["authors"] or "", "venue": r["venue"] or "",
               "decisions": ds}
        for st in STAGES.values():
            rec[st], rec[st + "_reason"] = _final([d for d in ds if d["stage"] == st])
        out.append(rec)
    return sorted(out, key=lambda r: (r["title"].lower(), r["paper"]))


def conflicts(store: Store, stage: str) -> list[dict]:
    from pipeline.curate.records_model import conflicts as cached  # the records of this store revision

    return cached(store, stage)


# ---- records: manual, snowballing, duplicates ------------------------------------

def add_record(store: Store, who: str | Reviewer, title: str, source: str = "manual", authors: str = "",
               year: str | int | None = None, doi: str | None = None, abstract: str | None = None,
               cited_by: str | None = None, cites: str | None = None) -> str:
    """A new record (manual entry or snowballing candidate); returns its IRI."""
    who = reviewer(who)
    title = " ".join((title or "").split())
    if not title:
        raise InputError("a record needs a title")
    if source not in SOURCES:
        raise InputError(f"source must be one of {', '.join(SOURCES)}")
    p = paper_iri(slug(title, 50))
    adds = [(p, RDF.type, FA.Paper), (p, FA.key, lit(local_name(p))), (p, DCTERMS.title, lit(title)),
            (p, FA.recordSource, lit(source)), (p, PROV.wasAttributedTo, who.iri)]
    if authors:
        adds.append((p, BIBO.authorList, lit(authors)))
    if year:
        adds.append((p, DCTERMS.issued, lit(str(year), XSD.gYear)))
    if doi:
        adds.append((p, BIBO.doi, lit(doi)))
    if abstract:
        adds.append((p, DCTERMS.abstract, lit(abstract)))
    if cited_by:  # backward snowballing: an included paper cites this record
        adds.append((node(cited_by), CITO.cites, p))
    if cites:  # forward snowballing: this record cites an included paper
        adds.append((p, CITO.cites, node(cites)))
    write(store, who, Op("add_record", p, {"title": title, "source": source}, None, adds,
                         requires=[(f"ASK {{ GRAPH ?g {{ {sparql_iri(p)} a fa:Paper }} }}", f"record {p.value} exists already",
                                    False)]))
    return p.value


def included_papers(store: Store) -> list[str]:
    """IRIs of the papers whose final full-text decision is ``include`` (one rule: ``prisma_counts``)."""
    from pipeline.curate.prisma import included  # prisma counts these records (one rule: prisma.box_of)
    from pipeline.curate.records_model import records as cached

    return included(cached(store))


# ---- the editable list of exclusion reasons ----------------------------------------

def exclusion_reasons(store: Store) -> list[str]:
    rows = store.select(f"SELECT ?r WHERE {{ GRAPH <{CG}> {{ {REASONS_NODE} fa:reason ?r }} }}")
    if rows:
        return sorted(r["r"] for r in rows)
    path = corpus_dir() / "exclusion_reasons.txt"
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def set_exclusion_reasons(store: Store, who: str | Reviewer, reasons: list[str], based_on: Any = LATEST) -> str:
    clean = sorted({" ".join(r.split()) for r in reasons if r.strip()})
    if not clean:
        raise InputError("keep at least one exclusion reason")
    with store.session():
        removes = curated(store, REASONS_NODE, FA.reason)
        adds = [(REASONS_NODE, FA.reason, lit(r)) for r in clean]
        return write(store, who, Op("reasons", REASONS_NODE, {"reasons": clean}, based_on, adds, removes))
