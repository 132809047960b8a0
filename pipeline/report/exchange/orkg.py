"""An ORKG-style comparison CSV: one row per FedNAS method, one column per property.

The leading ``paper:*`` / ``contribution:*`` columns follow the Open Research
Knowledge Graph's CSV import, so the file can be imported there as one
contribution per method; the remaining columns are the comparison's
properties. Several values in one cell are separated by ``; ``. The
per-challenge effect columns use the method-level aggregation of the overview
table (``pipeline.report.tables``): towards / against / none / mixed / disputed.
"""

from __future__ import annotations

import csv
import io

from pipeline.report.tables import method_table
from pipeline.store import Store

RESEARCH_FIELD = "Machine Learning"
RESEARCH_PROBLEM = "Federated neural architecture search"

_METHODS = """
SELECT ?m (SAMPLE(?l) AS ?label) (SAMPLE(?sn) AS ?short)
       (SAMPLE(?pt) AS ?title) (SAMPLE(?pa) AS ?authors) (SAMPLE(?py) AS ?year) (SAMPLE(?pd) AS ?doi)
       (SAMPLE(?px) AS ?arxiv) (SAMPLE(?pv) AS ?venue) WHERE {
  GRAPH ?g { ?m a fa:FedNASMethod ; rdfs:label ?l }
  OPTIONAL { GRAPH ?g1 { ?m fa:shortName ?sn } }
  OPTIONAL { GRAPH ?g2 { ?p fa:presentsMethod ?m }
             OPTIONAL { GRAPH ?g3 { ?p dcterms:title ?pt } } OPTIONAL { GRAPH ?g4 { ?p bibo:authorList ?pa } }
             OPTIONAL { GRAPH ?g5 { ?p dcterms:issued ?py } } OPTIONAL { GRAPH ?g6 { ?p bibo:doi ?pd } }
             OPTIONAL { GRAPH ?g7 { ?p fa:arxivId ?px } } OPTIONAL { GRAPH ?g8 { ?p dcterms:isPartOf ?pv } } }
} GROUP BY ?m"""

_LINKS = """
SELECT ?m ?prop ?label WHERE {
  VALUES ?prop { fa:usesNASType fa:usesTechnique fa:addressesChallenge }
  GRAPH ?g { ?m a fa:FedNASMethod }
  GRAPH ?g1 { ?m ?prop ?x }
  GRAPH ?g2 { ?x skos:prefLabel ?label }
} ORDER BY ?label"""

_CLAIMS = """
SELECT ?m (COUNT(DISTINCT ?c) AS ?claims) (COUNT(DISTINCT ?r) AS ?replications) WHERE {
  GRAPH ?g { ?c a fa:Claim ; fa:ofMethod ?m }
  OPTIONAL { GRAPH ?g2 { ?r a fa:Replication ; fa:testsClaim ?c } }
} GROUP BY ?m"""

PROPERTY_COLUMNS = {"usesNASType": "NAS type", "usesTechnique": "adaptation technique",
                    "addressesChallenge": "addresses challenge"}


def orkg_rows(store: Store) -> tuple[list[str], list[list[str]]]:
    with store.session():
        methods = store.select(_METHODS)
        links = store.select(_LINKS)
        claims = {r["m"]: r for r in store.select(_CLAIMS)}
        table = method_table(store)
    values: dict[tuple[str, str], list[str]] = {}
    for r in links:
        values.setdefault((r["m"], r["prop"].rsplit("#", 1)[-1]), []).append(r["label"])
    header = ["paper:title", "paper:authors", "paper:publication_year", "paper:doi", "paper:url",
              "paper:research_field", "contribution:research_problem", "method", "method short name",
              *PROPERTY_COLUMNS.values(), "claims", "replications",
              *(f"effect on {label}" for _, _, label in table.columns)]
    rows = []
    for m in sorted(methods, key=lambda r: r["label"].lower()):
        url = f"https://arxiv.org/abs/{m['arxiv']}" if m["arxiv"] else (f"https://doi.org/{m['doi']}" if m["doi"] else "")
        c = claims.get(m["m"], {})
        rows.append([
            m["title"] or "", m["authors"] or "", str(m["year"] or "")[:4], m["doi"] or "", url,
            RESEARCH_FIELD, RESEARCH_PROBLEM, m["label"], m["short"] or "",
            *("; ".join(values.get((m["m"], p), [])) for p in PROPERTY_COLUMNS),
            str(c.get("claims", 0)), str(c.get("replications", 0)),
            *(table.value(m["m"], col) for col, _, _ in table.columns),
        ])
    return header, rows


def export_orkg_csv(store: Store) -> str:
    header, rows = orkg_rows(store)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()
