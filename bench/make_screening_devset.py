"""Build the labelled DEVELOPMENT set for `fedatlas simulate-screening` from ../shared (CSV, ASReview layout).

Relevant (label_included = 1): the 10 dev-gold FedNAS abstracts and the seed corpus papers included at
full text. Irrelevant (0): the ASReview demo RIS records (medicine/psychology), the NAS bibliography
(centralised NAS and hyperparameter optimisation: the hard negatives) and the seed corpus papers
excluded at full text. Records are de-duplicated by normalised title. Figures on this set are
development figures: it is small and easy next to a real database search.

    python bench/make_screening_devset.py [--shared ../shared] [-o devset.csv]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.identifiers import normalise_title  # noqa: E402
from pipeline.sources.bibtex import read_bibtex  # noqa: E402
from pipeline.sources.ris import read_ris  # noqa: E402


def default_shared() -> Path:
    return next((p for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared") if p.is_dir()), ROOT / "shared")


def build(shared: Path) -> list[dict]:
    rows: list[dict] = []
    seen: set[str] = set()

    def add(title, abstract, authors, year, label, origin):
        key = normalise_title(title)[:60]
        if key and key not in seen:
            seen.add(key)
            rows.append({"title": title, "abstract": abstract or "", "authors": "; ".join(authors or []),
                         "year": year or "", "label_included": label, "origin": origin})

    for line in (shared / "dev-gold" / "abstracts.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            add(r["title"], r.get("abstract"), r.get("authors"), r.get("year"), 1, "dev-gold")
    spec = json.loads((ROOT / "corpus" / "seed_corpus.json").read_text(encoding="utf-8"))
    for p in spec["papers"]:
        if p.get("screening") in ("included", "excluded"):
            add(p["title"], "", p.get("authors"), p.get("year"), int(p["screening"] == "included"), "seed corpus")
    for ris in sorted((shared / "realworld" / "ris").glob("*.ris")):
        for d in read_ris(ris).documents:
            add(d.title, d.abstract, d.authors, d.year, 0, ris.name)
    for bib in sorted((shared / "realworld" / "bib").glob("*.bib")):
        for d in read_bibtex(bib).documents:
            add(d.title, d.abstract, d.authors, d.year, 0, bib.name)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=default_shared())
    ap.add_argument("-o", "--output", type=Path, default=Path("screening-devset.csv"))
    args = ap.parse_args()
    rows = build(args.shared)
    with args.output.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    print(f"{args.output}: {len(rows)} records, {sum(r['label_included'] for r in rows)} relevant")


if __name__ == "__main__":
    main()
