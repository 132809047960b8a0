"""Read model of proposals and papers (what `fedatlas proposals/papers` print).

A proposal's current status is its status in the curation graph (human
decisions) when there is one, else the machine's ``proposed`` in the paper
graph: re-ingesting a paper never resets what a reviewer decided.
"""

from __future__ import annotations

from .store import Store
from .vocab import CURATION_GRAPH, local_name

STATUS_NAMES = {"StatusProposed": "proposed", "StatusAccepted": "accepted",
                "StatusRejected": "rejected", "StatusEdited": "edited"}


def list_proposals(store: Store, status: str = "proposed", paper: str | None = None,
                   kind: str | None = None) -> list[dict]:
    """Proposals as dicts: paper, title, kind, code, label, score, evidence, page, proposer, ..."""
    filters = []
    if paper:
        filters.append(f"FILTER(?paper = <{paper}>)")
    if kind:
        filters.append(f'FILTER(?kind = "{kind}")')
    rows = store.select(f"""
        SELECT ?prop ?paper ?title ?kind ?code ?label ?score ?evidence ?page ?start ?end
               ?proposer ?model ?version ?mstatus ?hstatus ?rationale ?plabel WHERE {{
          GRAPH ?g {{
            ?prop a fa:Proposal ; fa:aboutPaper ?paper ; fa:proposalKind ?kind ;
                  fa:score ?score ; fa:proposer ?proposer ; fa:model ?model ; fa:modelVersion ?version ;
                  fa:status ?mstatus ; fa:evidence ?ex .
            ?ex fa:text ?evidence .
            OPTIONAL {{ ?ex fa:page ?page }} OPTIONAL {{ ?ex fa:charStart ?start }} OPTIONAL {{ ?ex fa:charEnd ?end }}
            OPTIONAL {{ ?prop fa:proposesCode ?code }} OPTIONAL {{ ?prop fa:rationale ?rationale }}
            OPTIONAL {{ ?prop rdfs:label ?label }}
            OPTIONAL {{ ?paper dcterms:title ?title }}
          }}
          OPTIONAL {{ GRAPH {CURATION_GRAPH} {{ ?prop fa:status ?hstatus }} }}
          OPTIONAL {{ GRAPH ?gp {{ ?prop fa:proposesCode ?c2 }} GRAPH ?gc {{ ?c2 skos:prefLabel ?plabel }} }}
          {' '.join(filters)}
        }} ORDER BY ?paper ?kind DESC(?score)""")
    out = []
    for r in rows:
        current = STATUS_NAMES.get(local_name(r["hstatus"] or r["mstatus"]), "proposed")
        if status != "all" and current != status:
            continue
        out.append({
            "proposal": r["prop"], "paper": r["paper"], "title": r["title"], "kind": r["kind"],
            "code": r["code"] or "new", "label": r["plabel"] or r["label"] or local_name(r["code"] or "new"), "score": r["score"],
            "evidence": r["evidence"], "page": r["page"], "start": r["start"], "end": r["end"],
            "proposer": r["proposer"], "model": r["model"], "model_version": r["version"],
            "status": current, "rationale": r["rationale"],
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
