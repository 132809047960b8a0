"""PRISMA 2020 flow numbers: the ONE function that counts them (:func:`prisma_counts`).

The app, ``fedatlas report``, ``fedatlas prisma`` and the saved query
``corpus/queries/papers_per_prisma_stage.rq`` all show these numbers (a test
checks that they agree).

*Records* are what searches returned; *papers* are the unique works left after
duplicates were merged. :func:`identified_records` lists each paper's records
(every source record the ingest loop kept: ``fa:hasSource``; a corpus, manual
or snowballing record without a source file counts once per graph it was
written in). A paper with k records contributes k - 1 "duplicate records
removed"; a paper marked ``fa:duplicateOf`` another (curate ``duplicate``)
contributes all its records. When ingest records each merge as its own triples,
only :func:`identified_records` changes.

The flow follows the PRISMA 2020 template for new reviews with databases,
registers *and* other methods: two identification streams (``dbr``: databases
and registers; ``other``: citation searching, manual additions, ...). PRISMA
2020 counts a record where it was identified: a record from a database export
is a database record, a bundled-corpus or manual entry is an "other methods"
record, whatever it was merged with. So every record is *identified* in the
stream of its own source; the paper (the one unique record that goes on to
screening) belongs to the stream of the record identified **first**, and each
later record of it is a *duplicate removed* in its own stream. Records carry no
identification time, so "first" is the order in which a review adds them: the
bundled corpus (loaded by ``fedatlas init``, before any search is ingested),
then database/register records, then other methods (citation searching starts
from what the searches found); ties by record IRI. E.g. a corpus paper that a
database export also returned: 1 identified in ``other`` (screened there) and
1 identified + 1 duplicate removed in ``dbr``.
Atlas screens every record at title/abstract, so both streams carry the same
boxes; records still awaiting a decision, pending ones and unresolved
conflicts are boxes of their own, never counted as removed or excluded.
Each stream reads top-down (tested)::

    identified - duplicates - awaiting_screening            = screened
    screened - excluded_screening - conflicts_screening     = sought
    sought - not_retrieved                                  = assessed
    assessed - excluded_reports - pending                   = included

A record goes to full text when its final title/abstract decision is include
or maybe; a full-text exclusion for the reason "Full text not available" is a
report not retrieved; a full-text maybe, conflict or no decision is pending.
"""

from __future__ import annotations

from collections import Counter

from pipeline.curate import readmodel, records_model
from pipeline.store import Store
from pipeline.vocab import CORPUS_GRAPH

DBR_SOURCES = ("database", "register")
CORPUS = "corpus:"  # marks a bundled-corpus record in identified_records (identified before any search)
STREAMS = ("dbr", "other")
NOT_RETRIEVED_REASON = "Full text not available"
BOXES = ("identified", "duplicates", "awaiting_screening", "screened", "excluded_screening", "conflicts_screening",
         "sought", "not_retrieved", "assessed", "excluded_reports", "pending", "conflicts_full_text", "included")


def identified_records(store: Store) -> dict[str, list[str]]:
    """paper IRI -> the record source of each record identified for it (``database``, ``backward``, ...),
    the record identified first (see the module doc) first; a bundled-corpus record is ``corpus:SOURCE``."""
    rows = store.select("""
        SELECT DISTINCT ?p ?rec ?src WHERE {
          { GRAPH ?g { ?p a fa:Paper ; fa:hasSource ?rec . OPTIONAL { ?rec fa:recordSource ?src } } }
          UNION
          { GRAPH ?g { ?p a fa:Paper . OPTIONAL { ?p fa:recordSource ?src } }
            FILTER NOT EXISTS { GRAPH ?g { ?p fa:hasSource ?any } } BIND(?g AS ?rec) }
        }""")
    by_record: dict[tuple[str, str], str] = {}
    for r in rows:
        key = (r["p"], r["rec"])
        if r["src"] or key not in by_record:
            by_record[key] = r["src"] or ""
    ranked: dict[str, list[tuple[int, str, str]]] = {}
    for (p, rec), src in by_record.items():
        rank = 0 if rec == CORPUS_GRAPH.value else 1 if src in DBR_SOURCES else 2
        ranked.setdefault(p, []).append((rank, rec, f"{CORPUS}{src}" if rank == 0 else src))
    return {p: [src for _, _, src in sorted(recs)] for p, recs in sorted(ranked.items())}


readmodel.register(identified_records, keep=records_model.NOT_RECORD | (records_model.RECORD - {"add_record"}))


def stream_of(sources: list[str]) -> str:
    return "dbr" if any(s in DBR_SOURCES for s in sources) else "other"


def _stream_counts() -> dict:
    return {**{b: 0 for b in BOXES}, "identified_by_source": Counter(), "exclusion_reasons": Counter(),
            "included_papers": []}


def prisma_counts(store: Store) -> dict:
    """The PRISMA 2020 numbers, per stream (``streams.dbr``, ``streams.other``) and in total.

    Top-level keys are the totals of :data:`BOXES` plus ``identified_by_source``
    {source: records}, ``exclusion_reasons`` {reason: reports},
    ``not_retrieved`` (reports), ``included_papers`` (IRIs) and ``streams``.
    """
    with store.session():  # both read models of this store revision (cached; followed through decisions)
        recs = records_model.records(store)
        sources = readmodel.get(store, identified_records)
    streams = {s: _stream_counts() for s in STREAMS}
    for rec in recs:
        fallback = rec["source"] or "database"
        srcs = [s.removeprefix(CORPUS) or fallback for s in sources.get(rec["paper"], [])] or [fallback]
        for i, src in enumerate(srcs):  # each record where it was identified; all but the first are duplicates
            c = streams[stream_of([src])]
            c["identified"] += 1
            c["identified_by_source"][src] += 1
            c["duplicates"] += 1 if i or rec["duplicate_of"] else 0
        if not rec["duplicate_of"]:
            _place(streams[stream_of(srcs[:1])], rec)  # the paper: in the stream of its first record
    out: dict = {"streams": {}}
    for name, c in streams.items():
        c["identified_by_source"] = dict(sorted(c["identified_by_source"].items()))
        c["exclusion_reasons"] = dict(c["exclusion_reasons"].most_common())
        c["included_papers"] = sorted(c["included_papers"])
        out["streams"][name] = c
    for b in BOXES:
        out[b] = sum(streams[s][b] for s in STREAMS)
    out["identified_by_source"] = dict(sorted((Counter(streams["dbr"]["identified_by_source"])
                                               + Counter(streams["other"]["identified_by_source"])).items()))
    out["exclusion_reasons"] = dict((Counter(streams["dbr"]["exclusion_reasons"])
                                     + Counter(streams["other"]["exclusion_reasons"])).most_common())
    out["included_papers"] = sorted(streams["dbr"]["included_papers"] + streams["other"]["included_papers"])
    return out


def box_of(rec: dict) -> str:
    """The last box a unique paper's final decisions put it in: ``awaiting_screening``,
    ``excluded_screening``, ``conflicts_screening``, ``not_retrieved``, ``excluded_reports``,
    ``pending`` (a full-text maybe, conflict or no decision) or ``included``."""
    ta, ft, reason = rec["TitleAbstract"], rec["FullText"], rec["FullText_reason"]
    if ta is None:
        return "awaiting_screening"
    if ta == "exclude":
        return "excluded_screening"
    if ta == "conflict":
        return "conflicts_screening"
    if ft == "exclude":  # include or maybe at title/abstract: sought
        return "not_retrieved" if (reason or "") == NOT_RETRIEVED_REASON else "excluded_reports"
    return "included" if ft == "include" else "pending"


def included(recs: list[dict]) -> list[str]:
    """IRIs of the unique papers of ``recs`` in the box ``included`` (the rule of :func:`prisma_counts`)."""
    return sorted(r["paper"] for r in recs if not r["duplicate_of"] and box_of(r) == "included")


def _place(c: dict, rec: dict) -> None:
    """Count one unique paper in the boxes its final decisions take it through."""
    box = box_of(rec)
    if box == "awaiting_screening":
        c[box] += 1
        return
    c["screened"] += 1
    if box in ("excluded_screening", "conflicts_screening"):
        c[box] += 1
        return
    c["sought"] += 1  # include or maybe at title/abstract
    if box == "not_retrieved":
        c[box] += 1
        return
    c["assessed"] += 1
    if box == "excluded_reports":
        c[box] += 1
        c["exclusion_reasons"][rec["FullText_reason"] or "(no reason)"] += 1
    elif box == "included":
        c["included"] += 1
        c["included_papers"].append(rec["paper"])
    else:
        c["pending"] += 1
        if rec["FullText"] == "conflict":
            c["conflicts_full_text"] += 1


def check_invariants(counts: dict) -> list[str]:
    """The top-down sums that each stream's boxes must satisfy ([] when all hold)."""
    bad = []
    for name, c in counts["streams"].items():
        for lhs, minus, rhs in ((("identified",), ("duplicates", "awaiting_screening"), "screened"),
                                (("screened",), ("excluded_screening", "conflicts_screening"), "sought"),
                                (("sought",), ("not_retrieved",), "assessed"),
                                (("assessed",), ("excluded_reports", "pending"), "included")):
            got = sum(c[k] for k in lhs) - sum(c[k] for k in minus)
            if got != c[rhs]:
                bad.append(f"{name}: {lhs[0]} - {' - '.join(minus)} = {got} != {rhs} {c[rhs]}")
        if sum(c["exclusion_reasons"].values()) != c["excluded_reports"]:
            bad.append(f"{name}: exclusion reasons do not sum to the reports excluded")
    return bad
