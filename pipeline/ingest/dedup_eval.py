"""Precision and recall of deduplication on labelled pairs of records.

A pair file is JSON lines: ``{"a": record, "b": record, "duplicate": bool, "kind": ...}``
with records as ``{"title", "year", "doi", "arxiv", "venue", "authors"}``. Each
pair is judged the way ingest judges it (record ``a`` known, ``b`` arriving):
``merge``, ``suspect`` (shown to the reviewer) or ``distinct``.

    python -m pipeline.ingest.dedup_eval tests/ingest/data/dedup_pairs.jsonl
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pipeline.document import Document, Source
from pipeline.ingest.dedup import DedupIndex


def record_doc(rec: dict, name: str) -> Document:
    return Document(title=rec.get("title", ""), authors=list(rec.get("authors") or []), year=rec.get("year"),
                    doi=rec.get("doi"), arxiv=rec.get("arxiv"), venue=rec.get("venue"),
                    sources=[Source(f"{name}.bib", "bibtex", name)])


def pair_verdict(a: dict, b: dict) -> str:
    """merge | suspect | distinct, for ``b`` arriving when ``a`` is known."""
    index = DedupIndex()
    index.add("a", record_doc(a, "a"))
    match = index.match(record_doc(b, "b"))
    if match.kind == "merge":
        return "merge"
    return "suspect" if any(k == "a" for k, _, _ in match.suspects) else "distinct"


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def score_pairs(pairs: list[dict]) -> dict:
    """Counts and ratios: automatic merges, and flags (merge or suspect) against the labels."""
    verdicts = [(p, pair_verdict(p["a"], p["b"])) for p in pairs]
    dup = [v for p, v in verdicts if p["duplicate"]]
    other = [v for p, v in verdicts if not p["duplicate"]]
    merged_true, merged_false = dup.count("merge"), other.count("merge")
    flagged_true = sum(v != "distinct" for v in dup)
    flagged_false = sum(v != "distinct" for v in other)
    return {
        "pairs": len(pairs), "duplicates": len(dup), "different": len(other),
        "merged_true": merged_true, "merged_false": merged_false,
        "suspected_true": dup.count("suspect"), "suspected_false": other.count("suspect"),
        "merge_precision": _ratio(merged_true, merged_true + merged_false),
        "merge_recall": _ratio(merged_true, len(dup)),
        "flag_precision": _ratio(flagged_true, flagged_true + flagged_false),
        "flag_recall": _ratio(flagged_true, len(dup)),
        "missed": [p["id"] for p, v in verdicts if p["duplicate"] and v == "distinct"],
        "wrong_merges": [p["id"] for p, v in verdicts if not p["duplicate"] and v == "merge"],
        "false_flags": [p["id"] for p, v in verdicts if not p["duplicate"] and v == "suspect"],
    }


def load_pairs(path: str | Path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    result = score_pairs(load_pairs(argv[0]))
    for k, v in result.items():
        print(f"{k:16} {v if not isinstance(v, float) else f'{v:.3f}'}")


if __name__ == "__main__":
    main()
