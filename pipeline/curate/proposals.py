"""Proposals: the machine's suggestions and the reviewer's verdicts on them.

Read model (the re-ingest invariant): a proposal's facts come from its paper
graph (machine output, replaced when the paper is re-ingested); the curation
graph holds at most one curated value of ``fa:status``, ``fa:proposesCode``
and ``fa:evidence`` per proposal, written and reverted only by decisions. The
curated value wins. Proposals a reviewer adds by hand live wholly in the
curation graph. Re-ingesting a paper therefore never loses a decision, as
long as proposal IRIs are stable (they are derived from paper, kind, code and
span by the ingest pipeline).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from pyoxigraph import NamedNode

from pipeline import __version__
from pipeline.curate import readmodel
from pipeline.curate.events import (
    CG,
    LATEST,
    Op,
    Reviewer,
    commit,
    curated,
    dt,
    latest_decisions,
    new_iri,
    node,
    now_iso,
    reviewer,
    write,
)
from pipeline.errors import InputError
from pipeline.store import Store
from pipeline.vocab import FA, PROPOSAL_KINDS, PROV, RDF, as_iri, iri, lit, local_name, sparql_iri, status

STATUS_BY_IRI = {FA["Status" + s.capitalize()].value: s for s in ("proposed", "accepted", "rejected", "edited")}
FA_NS = FA.base
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
CURATED_PROPS = (FA_NS + "status", FA_NS + "proposesCode", FA_NS + "evidence")


@dataclass
class ProposalView:
    """A proposal as a reviewer sees it: machine facts with curated overrides applied."""

    iri: str
    paper: str
    kind: str
    code: str
    status: str
    score: float | None = None
    proposer: str = ""
    model: str = ""
    model_version: str = ""
    excerpt: str | None = None
    text: str = ""
    start: int | None = None
    end: int | None = None
    page: int | None = None
    manual: bool = False
    latest: str | None = None  # latest decision IRI (pass back as based_on)
    code_label: str = ""
    extra: dict = field(default_factory=dict)
    label: str = ""  # the proposer's label (an open code's name when no refined technique matched)
    rationale: str | None = None  # an LLM proposer's reason, when it gave one


def _merge(rows: list[dict], key: str) -> dict[str, dict[str, Any]]:
    """subject -> prop -> value, curation-graph values overriding others."""
    base: dict[str, dict[str, Any]] = {}
    cur: dict[str, dict[str, Any]] = {}
    for r in rows:
        target = cur if r["g"] == CG else base
        target.setdefault(r[key], {}).setdefault(r["prop"], r["o"])
    for s, props in cur.items():
        base.setdefault(s, {}).update(props)
    return base


def proposals(store: Store, paper: str | NamedNode | None = None) -> list[ProposalView]:
    """Proposals (of one paper, or all), current status and evidence resolved."""
    about = sparql_iri(paper) if paper else "?paper"
    with store.session():
        rows = store.select(f"""
            SELECT ?p ?g ?prop ?o WHERE {{ GRAPH ?g0 {{ ?p a fa:Proposal ; fa:aboutPaper {about} }}
                                         GRAPH ?g {{ ?p ?prop ?o }} }}""")
        ex_rows = store.select(f"""
            SELECT ?ex ?g ?prop ?o WHERE {{ GRAPH ?g0 {{ ?p a fa:Proposal ; fa:aboutPaper {about} }}
                                          GRAPH ?g1 {{ ?p fa:evidence ?ex }} GRAPH ?g {{ ?ex ?prop ?o }} }}""")
        manual = {r["p"] for r in store.select(f"""
            SELECT DISTINCT ?p WHERE {{ GRAPH <{CG}> {{ ?p a fa:Proposal ; fa:aboutPaper {about} }} }}""")}
        by_p = _merge(rows, "p")
        by_ex = _merge(ex_rows, "ex")
        latest = latest_decisions(store, list(by_p))
        labels = code_labels(store)
    out = []
    for p, props in by_p.items():
        ex = props.get(FA_NS + "evidence")
        exp = by_ex.get(ex, {}) if ex else {}
        score = props.get(FA_NS + "score")
        code = props.get(FA_NS + "proposesCode", "")
        out.append(ProposalView(
            iri=p, paper=props.get(FA_NS + "aboutPaper", ""), kind=props.get(FA_NS + "proposalKind", ""),
            code=code, status=STATUS_BY_IRI.get(props.get(FA_NS + "status", ""), "proposed"),
            score=float(score) if score is not None else None, proposer=str(props.get(FA_NS + "proposer", "")),
            model=str(props.get(FA_NS + "model", "")), model_version=str(props.get(FA_NS + "modelVersion", "")),
            excerpt=ex, text=str(exp.get(FA_NS + "text", "")),
            start=_int(exp.get(FA_NS + "charStart")), end=_int(exp.get(FA_NS + "charEnd")),
            page=_int(exp.get(FA_NS + "page")), manual=p in manual, latest=latest.get(p),
            label=str(props.get(RDFS_LABEL, "")), rationale=props.get(FA_NS + "rationale"),
            code_label=labels.get(code, local_name(code)) if code else str(props.get(RDFS_LABEL, "")) or "new open code"))
    out.sort(key=lambda v: (v.paper, v.kind, -(v.score or 0.0), v.iri))
    return out


def _int(v: Any) -> int | None:
    try:
        return int(v) if v is not None else None
    except (TypeError, ValueError):
        return None


def code_labels(store: Store) -> dict[str, str]:
    """concept IRI -> label (curated label first) for challenges, NAS types, techniques, categories."""
    rows = store.select("""
        SELECT ?c ?g ?l WHERE { GRAPH ?g { ?c skos:prefLabel ?l } }""")
    out: dict[str, str] = {}
    for r in rows:
        if r["g"] == CG or r["c"] not in out:
            out[r["c"]] = r["l"]
    return out


def get(store: Store, proposal: str | NamedNode) -> ProposalView:
    p = node(proposal)
    with store.session():
        rows = store.select(f"SELECT ?paper WHERE {{ GRAPH ?g {{ {p} a fa:Proposal ; fa:aboutPaper ?paper }} }}")
        if not rows:
            raise InputError(f"no proposal {p.value}")
        for v in proposals(store, rows[0]["paper"]):
            if v.iri == p.value:
                return v
    raise InputError(f"no proposal {p.value}")  # pragma: no cover


def current_status(store: Store, proposal: str | NamedNode) -> str:
    """proposed | accepted | rejected | edited: the paper graph's status unless a decision overrides it."""
    p = node(proposal)
    rows = store.select(f"SELECT ?g ?s WHERE {{ GRAPH ?g {{ {p} fa:status ?s }} }}")
    cur = [r["s"] for r in rows if r["g"] == CG]
    base = [r["s"] for r in rows if r["g"] != CG]
    chosen = cur[0] if cur else base[0] if base else None
    return STATUS_BY_IRI.get(chosen or "", "proposed")


def _exists(p: NamedNode) -> tuple[str, str, bool]:
    return (f"ASK {{ GRAPH ?g {{ {p} a fa:Proposal }} }}", f"proposal {p.value} no longer exists", True)


def _facts(store: Store, p: NamedNode) -> dict:
    """paper and current code of a proposal (for the decision's payload)."""
    rows = store.select(f"""SELECT ?g ?paper ?code WHERE {{ GRAPH ?g {{ {p} fa:aboutPaper|fa:proposesCode ?x }}
        OPTIONAL {{ GRAPH ?g {{ {p} fa:aboutPaper ?paper }} }} OPTIONAL {{ GRAPH ?g {{ {p} fa:proposesCode ?code }} }} }}""")
    out: dict = {}
    for r in sorted(rows, key=lambda r: r["g"] == CG):  # curated values last, so they win
        if r["paper"]:
            out["paper"] = r["paper"]
        if r["code"]:
            out["code"] = r["code"]
    return out


def _status_op(store: Store, p: NamedNode, action: str, new: str, based_on: Any, payload: dict | None = None) -> Op:
    removes = curated(store, p, FA.status)
    payload = {**_facts(store, p), **(payload or {})}
    return Op(action, p, payload, based_on, adds=[(p, FA.status, status(new))], removes=removes,
              requires=[_exists(p)])


def accept(store: Store, who: str | Reviewer, proposal: str | NamedNode, based_on: Any = LATEST) -> str:
    """Accept a proposal as it stands."""
    p = node(proposal)
    with store.session():
        return write(store, who, _status_op(store, p, "accept", "accepted", based_on))


def reject(store: Store, who: str | Reviewer, proposal: str | NamedNode, based_on: Any = LATEST,
           reason: str | None = None) -> str:
    """Reject a proposal (optionally saying why)."""
    p = node(proposal)
    with store.session():
        return write(store, who, _status_op(store, p, "reject", "rejected", based_on,
                                            {"reason": reason} if reason else {}))


def paper_text(store: Store, paper: str | NamedNode) -> str:
    """The paper's full text (``fa:text`` on the paper node), '' when not ingested."""
    p = node(paper)
    rows = store.select(f"SELECT ?t WHERE {{ GRAPH ?g {{ {p} fa:text ?t }} }} LIMIT 1")
    return str(rows[0]["t"]) if rows else ""


def locate(text: str, fragment: str, near: int | None = None) -> tuple[int, int]:
    """Offsets of ``fragment`` in ``text`` (the occurrence nearest ``near``); InputError if absent."""
    fragment = fragment.strip()
    if not fragment:
        raise InputError("select some text of the paper")
    starts, i = [], text.find(fragment)
    while i >= 0:
        starts.append(i)
        i = text.find(fragment, i + 1)
    if not starts:
        raise InputError("the selected text is not found verbatim in the paper",
                         hint="copy the passage from the paper text shown")
    best = min(starts, key=lambda s: abs(s - near)) if near is not None else starts[0]
    return best, best + len(fragment)


def _excerpt(paper: str, text: str, start: int, end: int | None, page: int | None, who: Reviewer, when) -> tuple:
    if end is None or not (0 <= start < end <= len(text)):
        raise InputError(f"excerpt span {start}-{end} is outside the paper text (0-{len(text)})")
    ex = new_iri("excerpt")
    triples = [(ex, RDF.type, FA.Excerpt), (ex, FA.inPaper, node(paper)), (ex, FA.charStart, lit(start)),
               (ex, FA.charEnd, lit(end)), (ex, FA.text, lit(text[start:end])),
               (ex, PROV.wasAttributedTo, who.iri), (ex, PROV.generatedAtTime, when)]
    if page is not None:
        triples.append((ex, FA.page, lit(page)))
    return ex, triples


def edit(store: Store, who: str | Reviewer, proposal: str | NamedNode, code: str | None = None,
         start: int | None = None, end: int | None = None, based_on: Any = LATEST) -> str:
    """Accept with changes: another code and/or another (e.g. widened) excerpt span."""
    who = reviewer(who)
    p = node(proposal)
    if code is None and start is None:
        raise InputError("an edit changes the code or the excerpt")
    with store.session():
        view = get(store, p)
        op = _status_op(store, p, "edit", "edited", based_on)
        if code is not None and code != view.code:
            c = node(code)
            op.removes += curated(store, p, FA.proposesCode)
            op.adds.append((p, FA.proposesCode, c))
            op.payload["code"] = c.value
            op.payload["from_code"] = view.code
        if start is not None:
            text = paper_text(store, view.paper)
            end = int(end) if end is not None else view.end
            ex, triples = _excerpt(view.paper, text, int(start), end, view.page, who, dt(now_iso()))
            op.removes += curated(store, p, FA.evidence)
            op.adds += triples + [(p, FA.evidence, ex)]
            op.payload.update({"start": int(start), "end": end, "from_span": [view.start, view.end]})
        return write(store, who, op)


def add_code(store: Store, who: str | Reviewer, paper: str | NamedNode, kind: str, code: str | NamedNode,
             text: str | None = None, start: int | None = None, end: int | None = None,
             page: int | None = None) -> str:
    """A code the machine missed, from a passage of the paper (text or offsets); accepted at once."""
    who = reviewer(who)
    if kind not in PROPOSAL_KINDS:
        raise InputError(f"kind must be one of {PROPOSAL_KINDS}, got {kind!r}")
    pap, c = node(paper), node(code)
    with store.session():
        full = paper_text(store, pap)
        if start is None:
            if not full and text:
                full, start, end = text, 0, len(text)  # no full text ingested: the passage is the record
            else:
                start, end = locate(full, text or "")
        ex, triples = _excerpt(pap.value, full, int(start), None if end is None else int(end), page, who, dt(now_iso()))
        prop = iri("proposal", f"manual/{local_name(pap)}/{uuid.uuid4().hex[:12]}")
        adds = triples + [
            (prop, RDF.type, FA.Proposal), (prop, FA.aboutPaper, pap), (prop, FA.proposalKind, lit(kind)),
            (prop, FA.proposesCode, c), (prop, FA.proposer, lit("manual")), (prop, FA.score, lit(1.0)),
            # no machine made it: the "model" is the reviewer's reading (the shapes want both fields)
            (prop, FA.model, lit("manual")), (prop, FA.modelVersion, lit(__version__)),
            (prop, FA.status, status("accepted")), (prop, FA.evidence, ex), (prop, PROV.wasAttributedTo, who.iri),
        ]
        op = Op("add_code", prop, {"paper": pap.value, "kind": kind, "code": c.value, "start": start, "end": end},
                based_on=None, adds=adds,
                requires=[(f"ASK {{ GRAPH ?g {{ {sparql_iri(pap)} a fa:Paper }} }}", f"no paper {pap.value}", True)])
        return write(store, who, op)


def bulk_accept(store: Store, who: str | Reviewer, paper: str | NamedNode, min_score: float,
                seen: dict[str, str | None] | None = None, kind: str | None = None) -> list[str]:
    """Accept every still-proposed proposal of ``paper`` scoring at least ``min_score``, in one transaction.

    ``seen`` maps proposal -> latest decision the reviewer saw (stale check per proposal).
    """
    with store.session():
        # what the reviewer saw as proposed counts too: if it changed since, the batch is stale
        todo = [v for v in proposals(store, paper)
                if v.score is not None and v.score >= min_score and (kind is None or v.kind == kind)
                and (v.status == "proposed" or (seen is not None and v.iri in seen and seen[v.iri] != v.latest))]
        ops = []
        for v in todo:
            based = seen.get(v.iri) if seen is not None and v.iri in seen else (v.latest if seen is not None else LATEST)
            ops.append(_status_op(store, node(v.iri), "accept", "accepted", based,
                                  {"bulk": True, "min_score": min_score}))
        return commit(store, who, ops) if ops else []


def papers(store: Store) -> list[dict]:
    """Papers with proposals: iri, title, and counts per current status."""
    with store.session():  # the read models of this store revision (cached, followed through decisions)
        titles = readmodel.get(store, paper_titles)
        views = readmodel.get(store, proposals)
    out: dict[str, dict] = {}
    for v in views:
        row = out.setdefault(v.paper, {"paper": v.paper, "title": titles.get(v.paper, local_name(v.paper)),
                                       "proposed": 0, "accepted": 0, "rejected": 0, "edited": 0})
        row[v.status] += 1
    return sorted(out.values(), key=lambda r: (-r["proposed"], r["title"].lower()))


def paragraph_of(text: str, start: int | None, end: int | None) -> tuple[str, int, int]:
    """The paragraph around ``[start, end)`` and the span's offsets within it."""
    if start is None or end is None or not text:
        return "", 0, 0
    a = text.rfind("\n\n", 0, start)
    a = 0 if a < 0 else a + 2
    b = text.find("\n\n", end)
    b = len(text) if b < 0 else b
    if b - a > 3000:  # very long "paragraph" (bad extraction): a window instead
        a, b = max(a, start - 1200), min(b, end + 1200)
    return text[a:b], start - a, end - a


# ---- listings (what `fedatlas proposals/papers` print) -------------------------------

def paper_titles(store: Store) -> dict[str, str]:
    """paper IRI -> title (one of them when sources disagree)."""
    return {r["p"]: r["t"] for r in store.select(
        "SELECT ?p (SAMPLE(?t0) AS ?t) WHERE { GRAPH ?g { ?p a fa:Paper ; dcterms:title ?t0 } } GROUP BY ?p")}


def list_proposals(store: Store, status: str = "proposed", paper: str | None = None,
                   kind: str | None = None) -> list[dict]:
    """Proposals as dicts: paper, title, kind, code, label, score, evidence, page, proposer, ...

    The same read model as the app and the curation API (:func:`proposals`): a reviewer's
    edit shows its code and excerpt (one row, not the machine's old one beside it), codes a
    reviewer added are listed, status is the current one."""
    with store.session():
        views = proposals(store, as_iri(paper) if paper else None)
        titles = paper_titles(store)
    out = []
    for v in views:
        if (status != "all" and v.status != status) or (kind and v.kind != kind):
            continue
        out.append({
            "proposal": v.iri, "paper": v.paper, "title": titles.get(v.paper), "kind": v.kind,
            "code": v.code or "new", "label": v.code_label, "score": v.score,
            "evidence": v.text, "page": v.page, "start": v.start, "end": v.end,
            "proposer": v.proposer, "model": v.model, "model_version": v.model_version,
            "status": v.status, "rationale": v.rationale, "manual": v.manual,
        })
    return out


def list_papers(store: Store) -> list[dict]:
    """Papers as dicts: title, authors, year, doi, arxiv, references (count), sources."""
    with store.session():
        rows = store.select("""
            SELECT ?p ?key ?title ?authors ?year ?doi ?arxiv ?origin WHERE { GRAPH ?g {
              ?p a fa:Paper ; dcterms:title ?title .
              OPTIONAL { ?p fa:key ?key } OPTIONAL { ?p bibo:authorList ?authors }
              OPTIONAL { ?p dcterms:issued ?year } OPTIONAL { ?p bibo:doi ?doi }
              OPTIONAL { ?p fa:arxivId ?arxiv } OPTIONAL { ?p fa:recordSource ?origin } } }""")
        refs = {r["p"]: int(r["n"]) for r in store.select("""
            SELECT ?p (COUNT(DISTINCT ?r) AS ?n) WHERE { GRAPH ?g { ?p cito:cites ?r . ?r a fa:Reference } }
            GROUP BY ?p""")}
        sources: dict[str, list[str]] = {}
        for r in store.select("""
            SELECT ?p ?file ?rec WHERE {
              { GRAPH ?g { ?p fa:hasSource ?s . ?s fa:sourceFile ?file . OPTIONAL { ?s rdfs:label ?rec } } }
              UNION { GRAPH ?g { ?p a fa:Paper ; fa:sourceFile ?file } } }"""):
            sources.setdefault(r["p"], []).append(r["file"] + (f"#{r['rec']}" if r.get("rec") else ""))
    papers: dict[str, dict] = {}
    for r in rows:
        p = papers.setdefault(r["p"], {
            "paper": r["p"], "key": r["key"], "title": r["title"],
            "authors": [a.strip() for a in (r["authors"] or "").split(";") if a.strip()],
            "year": int(str(r["year"])[:4]) if r["year"] else None,
            "doi": r["doi"], "arxiv": r["arxiv"], "origin": r["origin"],
            "references": refs.get(r["p"], 0), "sources": sorted(set(sources.get(r["p"], []))),
        })
        for k in ("doi", "arxiv", "year", "key"):
            if p[k] is None and r.get(k):
                p[k] = r[k]
    return sorted(papers.values(), key=lambda p: (p["title"] or "").lower())
