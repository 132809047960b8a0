"""PRISMA 2020 flow: draws and exports the numbers of :func:`pipeline.curate.prisma.prisma_counts`.

Nothing here counts: the diagram, ``prisma.json``, ``fedatlas prisma`` and the
PRISMA2020 R package / Shiny app CSV all show the one function's numbers.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import FancyBboxPatch  # noqa: E402

from pipeline.curate.prisma import prisma_counts  # noqa: E402,F401  (re-exported: report callers count here)
from pipeline.curate.screening import included_papers  # noqa: E402,F401

SOURCE_LABELS = {"database": "Databases", "register": "Registers", "backward": "Citation searching (backward)",
                 "forward": "Citation searching (forward)", "manual": "Manual additions", "website": "Websites",
                 "organisation": "Organisations"}


def to_json(counts: dict[str, Any]) -> str:
    return json.dumps(counts, indent=2, ensure_ascii=False) + "\n"


def box_rows(counts: dict[str, Any]) -> list[tuple[str, Any]]:
    """The diagram's boxes top-down as (label, n) for tables (HTML report, app)."""
    c = counts
    rows: list[tuple[str, Any]] = [(f"Records identified: {SOURCE_LABELS.get(s, s)}", n)
                                   for s, n in c["identified_by_source"].items()]
    rows += [("Records identified (total)", c["identified"]), ("Duplicate records removed", c["duplicates"]),
             ("Records awaiting screening (not yet screened)", c["awaiting_screening"]),
             ("Records screened", c["screened"]), ("Records excluded", c["excluded_screening"]),
             ("Title/abstract conflicts awaiting resolution", c["conflicts_screening"]),
             ("Reports sought for retrieval", c["sought"]), ("Reports not retrieved", c["not_retrieved"]),
             ("Reports assessed for eligibility", c["assessed"])]
    rows += [(f"Reports excluded: {reason}", n) for reason, n in c["exclusion_reasons"].items()]
    rows += [("Reports excluded (total)", c["excluded_reports"]),
             ("Reports pending a full-text decision", c["pending"]),
             ("  of which full-text conflicts", c["conflicts_full_text"]),
             ("Studies included in review", c["included"])]
    return rows


# ---- the PRISMA2020 R package / Shiny app CSV ---------------------------------------------

CSV_COLUMNS = ("data", "node", "box", "description", "boxtext", "tooltips", "url", "n")


def _reasons(d: dict[str, int]) -> str:
    return "; ".join(f"{r.replace(',', ' ').replace(';', ' ')}, {n}" for r, n in d.items())


def to_prisma2020_csv(counts: dict[str, Any]) -> str:
    """The counts in the column layout of the PRISMA2020 package's template CSV (``PRISMA_data()`` reads it).

    ``dbr_*`` rows come from the databases/registers stream, ``other_*`` rows
    from the other-methods stream; reasons are written "reason, n; reason, n"
    as in the template. ``database_results`` counts every record of a paper found in a
    database (also a corpus record merged into it), so the column reads top-down.
    Manual additions go under ``organisation_results``
    (its box text says so). The template has no box for records awaiting
    screening or pending decisions; their numbers are in the tooltips.
    """
    d, o = counts["streams"]["dbr"], counts["streams"]["other"]
    ds, os_ = d["identified_by_source"], o["identified_by_source"]
    other_manual = sum(n for s, n in os_.items() if s not in ("backward", "forward", "website"))
    titles = [  # title and side boxes: no data, named in the box column (PRISMA_data() reads their boxtext)
        ("prevstud", "Grey title box; Previous studies", "Previous studies"),
        ("newstud", "Yellow title box; Identification of new studies via databases and registers",
         "Identification of new studies via databases and registers"),
        ("othstud", "Grey title box; Identification of new studies via other methods",
         "Identification of new studies via other methods"),
        ("identification", "Blue side box; Identification", "Identification"),
        ("screening", "Blue side box; Screening", "Screening"),
        ("included", "Blue side box; Included", "Included"),
    ]
    rows = [
        ("previous_studies", "Previous studies", "Studies included in previous version of review", "", ""),
        ("previous_reports", "Previous reports", "Reports of studies included in previous version of review", "", ""),
        ("database_results", "Databases", "Databases",
         "Records of the databases stream: " + ", ".join(f"{k} {v}" for k, v in ds.items() if k != "register")
         + " (a paper found in a database counts here with every record merged into it)",
         d["identified"] - ds.get("register", 0)),
        ("database_specific_results", "Specific databases", "Databases", "", ""),
        ("register_results", "Registers", "Registers", "Records identified from registers", ds.get("register", 0)),
        ("register_specific_results", "Specific registers", "Registers", "", ""),
        ("website_results", "Websites", "Websites", "Records identified from websites", os_.get("website", 0)),
        ("organisation_results", "Organisations", "Organisations and manual additions",
         "Records added by hand (e.g. known papers, the bundled corpus)", other_manual),
        ("citations_results", "Citation searching", "Citation searching",
         "Backward and forward snowballing", os_.get("backward", 0) + os_.get("forward", 0)),
        ("duplicates", "Duplicates", "Duplicate records removed",
         f"Merged at ingest or marked duplicate; other methods: {o['duplicates']}", d["duplicates"]),
        ("excluded_automatic", "Automatically excluded", "Records marked as ineligible by automation tools", "", 0),
        ("excluded_other", "Other exclusions", "Records removed for other reasons", "", 0),
        ("records_screened", "Records screened", "Records screened",
         f"Awaiting screening (not counted): {d['awaiting_screening']}; "
         f"conflicts awaiting resolution: {d['conflicts_screening']}", d["screened"]),
        ("records_excluded", "Records excluded", "Records excluded", "", d["excluded_screening"]),
        ("dbr_sought_reports", "Reports sought", "Reports sought for retrieval", "", d["sought"]),
        ("dbr_notretrieved_reports", "Reports not retrieved", "Reports not retrieved", "", d["not_retrieved"]),
        ("other_sought_reports", "Reports sought", "Reports sought for retrieval",
         f"After title/abstract screening of {o['screened']} records (excluded {o['excluded_screening']}, "
         f"awaiting {o['awaiting_screening']}, conflicts {o['conflicts_screening']})", o["sought"]),
        ("other_notretrieved_reports", "Reports not retrieved", "Reports not retrieved", "", o["not_retrieved"]),
        ("dbr_assessed", "Reports assessed", "Reports assessed for eligibility",
         f"Pending a decision: {d['pending']}", d["assessed"]),
        ("dbr_excluded", "Reports excluded", "Reports excluded:", "", _reasons(d["exclusion_reasons"])),
        ("other_assessed", "Reports assessed", "Reports assessed for eligibility",
         f"Pending a decision: {o['pending']}", o["assessed"]),
        ("other_excluded", "Reports excluded", "Reports excluded:", "", _reasons(o["exclusion_reasons"])),
        ("new_studies", "New studies", "New studies included in review", "", counts["included"]),
        ("new_reports", "New reports", "Reports of new included studies", "", counts["included"]),
        ("total_studies", "Total studies", "Total studies included in review", "", counts["included"]),
        ("total_reports", "Total reports", "Reports of total included studies", "", counts["included"]),
    ]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for i, (box, desc, boxtext) in enumerate(titles, 1):
        w.writerow(("NA", f"node{i}", box, desc, boxtext, desc, f"{box}.html", "NA"))
    for i, (data, desc, boxtext, tip, n) in enumerate(rows, len(titles) + 1):
        w.writerow((data, f"node{i}", f"box{i - len(titles)}", desc, boxtext, tip, f"{data}.html", n))
    return buf.getvalue()


# ---- the diagram -------------------------------------------------------------------------

def _box(ax, x, y, w, h, text, colour="#f7f7f7", dashed=False):
    ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.02", facecolor=colour,
                                edgecolor="#777777" if dashed else "#333333", linestyle="--" if dashed else "-"))
    ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=7)


def _arrow(ax, x0, y0, x1, y1):
    ax.annotate("", xy=(x1, y1), xytext=(x0, y0), arrowprops={"arrowstyle": "->", "color": "#333333"})


def _column(ax, c: dict, x: float, title: str, sources: str) -> None:
    """One identification stream: main boxes at ``x``, exclusion and in-progress boxes to its right."""
    w, sx, sw = 2.7, x + 3.0, 2.9
    reasons = "".join(f"\n{r[:38]}: n = {n}" for r, n in c["exclusion_reasons"].items())
    ax.text(x + 2.8, 13.6, title, ha="center", fontsize=8, fontweight="bold",
            bbox={"boxstyle": "round", "facecolor": "#fde9b6", "edgecolor": "#333333"})
    main = [(11.6, 1.5, f"Records identified from:\n{sources}\n(n = {c['identified']})"),
            (8.6, 1.0, f"Records screened\n(n = {c['screened']})"),
            (6.5, 1.0, f"Reports sought for retrieval\n(n = {c['sought']})"),
            (4.4, 1.0, f"Reports assessed for eligibility\n(n = {c['assessed']})")]
    for y, h, text in main:
        _box(ax, x, y, w, h, text, "#dbe9f6" if y > 11 else "#f7f7f7")
    for (y0, _h0, _), (y1, h1, _) in zip(main, main[1:]):
        _arrow(ax, x + w / 2, y0, x + w / 2, y1 + h1)
    _arrow(ax, x + w / 2, 4.4, x + w / 2, 1.6)
    side = [(11.9, 0.9, f"Records removed before screening:\nDuplicate records removed (n = {c['duplicates']})", 12.35),
            (8.6, 1.0, f"Records excluded\n(n = {c['excluded_screening']})", 9.1),
            (6.5, 1.0, f"Reports not retrieved\n(n = {c['not_retrieved']})", 7.0),
            (3.6, 1.8, f"Reports excluded (n = {c['excluded_reports']}):{reasons}", 4.9)]
    for y, h, text, ay in side:
        _box(ax, sx, y, sw, h, text)
        _arrow(ax, x + w, ay, sx, ay)
    grey = "#eeeeee"
    _box(ax, sx, 10.2, sw, 0.9, f"In progress: awaiting screening\n(n = {c['awaiting_screening']})", grey, True)
    _box(ax, sx, 7.7, sw, 0.7, f"In progress: title/abstract conflicts\n(n = {c['conflicts_screening']})", grey, True)
    _box(ax, sx, 2.3, sw, 1.0, f"In progress: pending full-text decision\n(n = {c['pending']}; "
         f"conflicts {c['conflicts_full_text']})", grey, True)


def prisma_diagram(counts: dict[str, Any]) -> Figure:
    """The PRISMA 2020 flow diagram for new reviews with databases, registers and other methods."""
    fig, ax = plt.subplots(figsize=(13, 10))
    ax.set_xlim(-0.6, 12.8)
    ax.set_ylim(0, 14.2)
    ax.axis("off")
    label = lambda c, keys: "\n".join(f"{SOURCE_LABELS.get(s, s)} (n = {n})"  # noqa: E731
                                      for s, n in c["identified_by_source"].items() if not keys or s in keys) or "none"
    d, o = counts["streams"]["dbr"], counts["streams"]["other"]
    _column(ax, d, 0.0, "Identification of new studies via databases and registers", label(d, ()))
    _column(ax, o, 6.4, "Identification of new studies via other methods", label(o, ()))
    _box(ax, 0.6, 0.2, 8.0, 1.4, f"Studies included in review (n = {counts['included']})\n"
         f"Reports of included studies (n = {counts['included']})", "#d9f0d3")
    for y, text in ((12.3, "Identification"), (7.0, "Screening"), (0.9, "Included")):
        ax.text(-0.45, y, text, rotation=90, fontsize=9, fontweight="bold", va="center")
    return fig
