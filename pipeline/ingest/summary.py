"""What one ingest run did, record by record, and the one function that counts it.

Every record read ends in exactly one outcome; :meth:`IngestSummary.counts`
is the only place the numbers shown to the user are computed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

OUTCOMES = ("new", "merged", "updated", "unchanged", "failed")


@dataclass
class RecordOutcome:
    label: str  # file#entry
    outcome: str  # one of OUTCOMES
    key: str | None = None  # the paper it went to
    detail: str = ""  # merged: "doi" / "arxiv"; updated/unchanged: why
    in_run: bool = False  # merged into a paper first written by this same run (e.g. the same file)


@dataclass
class Suspect:
    label: str
    key: str  # the new record's paper
    other: str  # the paper it may duplicate
    score: float  # 0..1
    reason: str


@dataclass
class IngestSummary:
    records: list[RecordOutcome] = field(default_factory=list)
    suspected: list[Suspect] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (file, one-line reason)
    notes: list[str] = field(default_factory=list)  # read fine, worth a look (e.g. latin-1 fallback)
    proposals: dict[str, int] = field(default_factory=dict)  # paper key -> proposals written

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def ingested(self) -> list[str]:
        """Paper keys whose machine output was written (new or changed)."""
        return [r.key for r in self.records if r.outcome in ("new", "updated") and r.key]

    @property
    def merged(self) -> list[tuple[str, str]]:
        return [(r.label, r.key or "") for r in self.records if r.outcome == "merged"]

    @property
    def skipped(self) -> list[tuple[str, str]]:
        return [(r.label, r.detail or "unchanged") for r in self.records if r.outcome == "unchanged"]

    def counts(self) -> dict[str, int]:
        """new / merged (of which within this run) / updated / unchanged / suspected / failed."""
        c = Counter(r.outcome for r in self.records)
        out = {k: c.get(k, 0) for k in OUTCOMES if k != "failed"}
        out["merged_within_run"] = sum(r.outcome == "merged" and r.in_run for r in self.records)
        out["suspected"] = len({s.key for s in self.suspected})
        out["failed"] = len(self.failed)
        out["records"] = len(self.records)
        return out

    def as_dict(self) -> dict:
        """Plain data (JSON-ready): the counts, and each record's outcome."""
        from dataclasses import asdict

        return {"counts": self.counts(), "records": [asdict(r) for r in self.records],
                "suspected": [asdict(s) for s in self.suspected], "failed": [list(f) for f in self.failed],
                "notes": list(self.notes), "proposals": dict(self.proposals)}

    def lines(self) -> list[str]:
        n = self.counts()
        written = len(set(self.ingested))
        out = [f"ingested {written} paper(s) from {n['records']} record(s): {n['new']} new, {n['merged']} merged into existing papers "  # noqa: E501
               f"({n['merged_within_run']} within this run), {n['updated']} updated, {n['unchanged']} unchanged; "
               f"{n['suspected']} suspected duplicate(s) to confirm; {n['failed']} failed"]
        out += [f"  merged {r.label} into {r.key} (same {r.detail})" for r in self.records if r.outcome == "merged"]
        out += [f"  suspected {s.label} ({s.key}) duplicates {s.other}: {s.reason}" for s in self.suspected]
        out += [f"  note {note}" for note in self.notes]
        out += [f"  FAILED {reason}" for _, reason in self.failed]
        return out
