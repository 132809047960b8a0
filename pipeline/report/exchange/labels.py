"""Screening labels in and out: ASReview, Rayyan and Covidence exports as screening decisions.

In: the file's records are ingested like any search export (so unknown ones become records
and known ones merge), then each labelled record's decision is recorded through the curation
API (:func:`pipeline.curate.screen`), attributed to a named reviewer and stage:

* ASReview: CSV with an ``included`` (or ``label_included``, ``final_included``,
  ``asreview_label``) column, 1 = include, 0 = exclude, empty/-1 = not screened; RIS with
  ``N1  - ASReview_relevant`` / ``ASReview_irrelevant`` / ``ASReview_not_seen`` notes.
* Rayyan: CSV whose ``notes`` hold ``RAYYAN-INCLUSION: {"Ann"=>"Included", "Bob"=>"Excluded"}``:
  one decision per named reviewer (``RAYYAN-EXCLUSION-REASONS`` become the reason).
* Covidence: CSV export of one list (``..._included_...``, ``..._excluded_...``,
  ``..._irrelevant_...``): the list names the decision (or ``decision=``).

Out: the decisions of one stage in ASReview's labelled-CSV layout, which ASReview imports
as prior knowledge.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.document import Document
from pipeline.errors import InputError
from pipeline.identifiers import norm_doi, normalise_title
from pipeline.store import Store

ASREVIEW_COLUMNS = ("included", "label_included", "final_included", "asreview_label", "label")
_RAYYAN = re.compile(r"RAYYAN-INCLUSION:\s*\{(?P<map>[^}]*)\}")
_RAYYAN_PAIR = re.compile(r'"(?P<who>(?:[^"\\]|\\.)*)"\s*=>\s*"(?P<what>[^"]*)"')
_RAYYAN_REASONS = re.compile(r"RAYYAN-EXCLUSION-REASONS:\s*(?P<reasons>[^|]*)")
_RAYYAN_DECISION = {"included": "include", "excluded": "exclude", "maybe": "maybe"}
_ASREVIEW_RIS = {"asreview_relevant": "include", "asreview_irrelevant": "exclude"}


@dataclass
class Label:
    """One reviewer's decision on one record of the file."""

    record: int  # index into the file's documents
    decision: str  # include | exclude | maybe
    reviewer: str | None = None  # named in the file (Rayyan); else the importer's reviewer
    reason: str | None = None


@dataclass
class LabelFile:
    tool: str
    documents: list[Document] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    unlabelled: int = 0
    problems: list[str] = field(default_factory=list)


def read_labels(path: Path, decision: str | None = None) -> LabelFile:
    """Records and labels of an ASReview/Rayyan/Covidence export (tool recognised from the file)."""
    from pipeline.sources import read_path

    result = read_path(path)
    docs = result.documents
    out = LabelFile("unknown", docs, problems=list(result.problems))
    if path.suffix.lower() == ".ris":
        out.tool = "asreview"
        for i, doc in enumerate(docs):
            raw = (doc.sources[0].raw or "").lower()
            found = [v for k, v in _ASREVIEW_RIS.items() if re.search(rf"^n1  - {k}\s*$", raw, re.M)]
            if found:
                out.labels.append(Label(i, found[0]))
            else:
                out.unlabelled += 1
        return out
    rows = [d.extra.get("row", {}) for d in docs]
    header = {k.lower(): k for r in rows[:1] for k in r}
    if any(_RAYYAN.search(r.get(header.get("notes", "notes"), "")) for r in rows):
        out.tool = "rayyan"
        for i, r in enumerate(rows):
            note = r.get(header.get("notes", "notes"), "")
            decisions = _RAYYAN.search(note)
            reasons = _RAYYAN_REASONS.search(note)
            reason = reasons.group("reasons").strip() if reasons else None
            pairs = list(_RAYYAN_PAIR.finditer(decisions.group("map"))) if decisions else []
            if not pairs:
                out.unlabelled += 1
            for m in pairs:
                what = _RAYYAN_DECISION.get(m.group("what").strip().lower())
                if what:
                    out.labels.append(Label(i, what, m.group("who").replace('\\"', '"'),
                                            reason if what == "exclude" else None))
        return out
    column = next((header[c] for c in ASREVIEW_COLUMNS if c in header), None)
    if column is not None:
        out.tool = "asreview"
        for i, r in enumerate(rows):
            value = r.get(column, "").strip()
            if value in ("1", "1.0", "true", "True"):
                out.labels.append(Label(i, "include"))
            elif value in ("0", "0.0", "false", "False"):
                out.labels.append(Label(i, "exclude"))
            else:
                out.unlabelled += 1
        return out
    if "covidence #" in header:
        out.tool = "covidence"
        what = decision or _covidence_decision(path.name)
        reason_col = next((header[c] for c in ("exclusion reason", "reason for exclusion") if c in header), None)
        for i, r in enumerate(rows):
            out.labels.append(Label(i, what, reason=(r.get(reason_col) or None) if reason_col else None))
        return out
    raise InputError(f"{path.name}: no screening labels found (an ASReview 'included' column, Rayyan "
                     "RAYYAN-INCLUSION notes, a Covidence export, or ASReview RIS notes)",
                     hint="to add the records without decisions, use `fedatlas ingest`")


def _covidence_decision(name: str) -> str:
    low = name.lower()
    if "irrelevant" in low or "excluded" in low:
        return "exclude"
    if "included" in low:
        return "include"
    if "maybe" in low or "conflict" in low:
        return "maybe"
    raise InputError(f"{name}: cannot tell which Covidence list this is (included, excluded, irrelevant)",
                     hint="give --decision include|exclude|maybe")


@dataclass
class LabelImport:
    tool: str
    written: dict[str, int] = field(default_factory=dict)  # decision -> count
    reviewers: list[str] = field(default_factory=list)
    not_found: list[str] = field(default_factory=list)
    unlabelled: int = 0
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        decided = ", ".join(f"{n} {d}" for d, n in sorted(self.written.items())) or "none"
        return (f"{self.tool}: decisions recorded: {decided} (by {', '.join(self.reviewers) or 'nobody'}); "
                f"{self.unlabelled} records without a label; {len(self.not_found)} labelled records not found")


def _paper_index(store: Store) -> tuple[dict[str, str], dict[str, str]]:
    rows = store.select("""SELECT ?p ?t ?d WHERE { GRAPH ?g { ?p a fa:Paper ; dcterms:title ?t }
                           OPTIONAL { GRAPH ?g2 { ?p bibo:doi ?d } } }""")
    by_doi = {norm_doi(r["d"]): r["p"] for r in rows if r["d"]}
    by_title = {normalise_title(r["t"]): r["p"] for r in rows}
    return by_doi, by_title


def import_labels(store: Store, path: Path, reviewer: str | None, stage: str = "title-abstract",
                  decision: str | None = None, proposer_names: list[str] | None = None) -> LabelImport:
    """Ingest the file's records and record its labels as screening decisions."""
    from pipeline import curate
    from pipeline.ingest.loop import ingest_paths

    labels = read_labels(path, decision)
    if labels.tool != "rayyan" and not (reviewer or "").strip():
        raise InputError(f"{labels.tool} exports do not say who screened: give --reviewer NAME")
    curate.screening.stage_name(stage)  # refuse a bad stage before writing anything
    summary = ingest_paths(store, [path], proposer_names=proposer_names, progress=False)
    report = LabelImport(labels.tool, unlabelled=labels.unlabelled,
                         problems=labels.problems + [p for _, p in summary.failed])
    with store.session():
        by_doi, by_title = _paper_index(store)
    names: set[str] = set()
    for label in labels.labels:
        who = label.reviewer or reviewer or ""  # never empty: a file without names needs --reviewer (above)
        if labels.tool == "rayyan" and reviewer and label.reviewer and label.reviewer != reviewer:
            continue  # only the named reviewer's decisions
        doc = labels.documents[label.record]
        paper = by_doi.get(norm_doi(doc.doi)) if doc.doi else None
        paper = paper or by_title.get(normalise_title(doc.title))
        if paper is None:
            report.not_found.append(doc.title)
            continue
        reason = label.reason
        if label.decision == "exclude" and curate.screening.stage_name(stage) == "FullText" and not reason:
            reason = f"excluded in {labels.tool} (no reason in the export)"
        curate.screen(store, who, paper, stage, label.decision, reason)
        report.written[label.decision] = report.written.get(label.decision, 0) + 1
        names.add(who)
    report.reviewers = sorted(names)
    return report


def export_asreview(store: Store, stage: str = "title-abstract") -> str:
    """The records with their final decision at ``stage`` as an ASReview labelled CSV
    (``included``: 1 include, 0 exclude, empty when undecided, maybe or in conflict)."""
    from pipeline.curate.screening import records, stage_name

    st = stage_name(stage)
    with store.session():
        recs = records(store)
        meta = {r["p"]: r for r in store.select("""
            SELECT ?p (SAMPLE(?a) AS ?authors) (SAMPLE(?d) AS ?doi) WHERE { GRAPH ?g { ?p a fa:Paper }
              OPTIONAL { GRAPH ?g1 { ?p bibo:authorList ?a } } OPTIONAL { GRAPH ?g2 { ?p bibo:doi ?d } } }
            GROUP BY ?p""")}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["record_id", "title", "abstract", "authors", "year", "doi", "included"])
    for i, r in enumerate(r for r in recs if not r["duplicate_of"]):
        final = r.get(st)
        included = {"include": "1", "exclude": "0"}.get(final or "", "")
        m = meta.get(r["paper"], {})
        writer.writerow([i + 1, r["title"], r["abstract"], m.get("authors") or "", r["year"][:4],
                         m.get("doi") or "", included])
    return out.getvalue()
