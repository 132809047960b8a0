"""PRISMA 2020 counts from the screening records, and which papers are included.

A record's state at a stage is its *latest* ``fa:ScreeningDecision`` for that
stage (by ``prov:endedAtTime``), so a reviewer who changes their mind is
counted once, with the later decision.

When the curation API (``pipeline.curate``) is installed, both functions
delegate to its ``prisma_counts`` (which also resolves double screening and
conflicts) and translate its numbers into the keys below; the local count is
the fallback for a tree without it.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from pipeline.store import Store

STAGE_SCREEN = "TitleAbstract"
STAGE_FULLTEXT = "FullText"
STAGE_INCLUDED = "Included"

_DECISIONS = """
SELECT ?d ?p ?stage ?decision ?reason ?time WHERE {
  GRAPH ?g { ?d a fa:ScreeningDecision ; fa:aboutPaper ?p ; fa:stage ?stage ; fa:decision ?decision .
             OPTIONAL { ?d fa:reason ?reason } OPTIONAL { ?d prov:endedAtTime ?time } }
}"""

_RECORDS = """
SELECT ?p (SAMPLE(?src) AS ?source) (SAMPLE(?dup) AS ?duplicate) WHERE {
  GRAPH ?g { ?p a fa:Paper }
  OPTIONAL { GRAPH ?g2 { ?p fa:recordSource ?src } }
  OPTIONAL { GRAPH ?g3 { ?p fa:duplicateOf ?dup } }
} GROUP BY ?p"""


def latest_decisions(store: Store) -> dict[tuple[str, str], dict[str, Any]]:
    """(paper IRI, stage local name) -> the latest screening decision row."""
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for row in store.select(_DECISIONS):
        key = (row["p"], row["stage"].rsplit("#", 1)[-1])
        seen = latest.get(key)
        if seen is None or str(row["time"] or "") >= str(seen["time"] or ""):
            latest[key] = row
    return latest


def _is_included(paper: str, latest: dict[tuple[str, str], dict[str, Any]]) -> bool:
    final = latest.get((paper, STAGE_INCLUDED)) or latest.get((paper, STAGE_FULLTEXT))
    return final is not None and final["decision"] == "include"


def _curate_counts():
    try:
        from pipeline.curate import prisma_counts as curate_counts
    except ImportError:
        return None
    return curate_counts


def included_papers(store: Store) -> list[str]:
    """IRIs of the papers whose final full-text (or inclusion) decision is ``include``."""
    curate_counts = _curate_counts()
    if curate_counts is not None:
        return sorted(curate_counts(store)["included_papers"])
    latest = latest_decisions(store)
    papers = {p for p, _ in latest}
    return sorted(p for p in papers if _is_included(p, latest))


def prisma_counts(store: Store) -> dict[str, Any]:
    """The numbers of a PRISMA 2020 flow diagram.

    Keys: ``identified`` (records per source), ``identified_total``,
    ``duplicates``, ``after_duplicates``, ``awaiting_screening``, ``screened``,
    ``excluded_screening`` (+ ``_reasons``), ``assessed`` (full text),
    ``excluded_fulltext`` (+ ``_reasons``), ``pending`` (a ``maybe`` or no
    full-text decision yet) and ``included``.
    """
    curate_counts = _curate_counts()
    if curate_counts is not None:
        return from_curate(curate_counts(store))
    return own_counts(store)


def from_curate(c: dict[str, Any]) -> dict[str, Any]:
    """The curation API's PRISMA numbers under this module's keys."""
    return {
        "identified": {k: v for k, v in c.get("by_source", {}).items() if v},
        "identified_total": c.get("identified", 0),
        "duplicates": c.get("duplicates_removed", 0),
        "after_duplicates": c.get("identified", 0) - c.get("duplicates_removed", 0),
        "awaiting_screening": c.get("pending_title_abstract", 0),
        "screened": c.get("screened", 0),
        "excluded_screening": c.get("excluded_title_abstract", 0),
        "excluded_screening_reasons": c.get("exclusion_reasons_title_abstract", {}),
        "assessed": c.get("assessed_full_text", 0),
        "excluded_fulltext": c.get("excluded_full_text", 0),
        "excluded_fulltext_reasons": c.get("exclusion_reasons", {}),
        "pending": c.get("pending_full_text", 0),
        "conflicts": c.get("conflicts_title_abstract", 0) + c.get("conflicts_full_text", 0),
        "included": c.get("included", 0),
    }


def own_counts(store: Store) -> dict[str, Any]:
    """The fallback count (latest decision per paper and stage; no conflict handling)."""
    with store.session():
        records = store.select(_RECORDS)
        latest = latest_decisions(store)
    sources = Counter((r["source"] or "unknown") for r in records)
    duplicates = {r["p"] for r in records if r["duplicate"]}
    unique = [r["p"] for r in records if r["p"] not in duplicates]
    screened = [p for p in unique if (p, STAGE_SCREEN) in latest]
    excluded_screen = [p for p in screened if latest[(p, STAGE_SCREEN)]["decision"] == "exclude"]
    assessed = [p for p in unique if (p, STAGE_FULLTEXT) in latest]
    excluded_full = [p for p in assessed if latest[(p, STAGE_FULLTEXT)]["decision"] == "exclude"]
    included = [p for p in unique if _is_included(p, latest)]
    reasons = lambda ps, st: dict(Counter((latest[(p, st)]["reason"] or "no reason given") for p in ps))  # noqa: E731
    passed_screen = [p for p in screened if latest[(p, STAGE_SCREEN)]["decision"] == "include"]
    return {
        "identified": dict(sorted(sources.items())),
        "identified_total": len(records),
        "duplicates": len(duplicates),
        "after_duplicates": len(unique),
        "awaiting_screening": len(unique) - len(screened),
        "screened": len(screened),
        "excluded_screening": len(excluded_screen),
        "excluded_screening_reasons": reasons(excluded_screen, STAGE_SCREEN),
        "assessed": len(assessed),
        "excluded_fulltext": len(excluded_full),
        "excluded_fulltext_reasons": reasons(excluded_full, STAGE_FULLTEXT),
        "pending": len(set(passed_screen) - set(assessed)) + sum(
            1 for p in assessed if latest[(p, STAGE_FULLTEXT)]["decision"] == "maybe"),
        "conflicts": 0,
        "included": len(included),
    }
