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
# (data, node, box) of every row of the template PRISMA.csv, in its order (checked against the template file
# shipped by the PRISMA2020 project's Python port, prisma-flowchart 0.1.1: tests/curate/data/PRISMA2020_template.csv)
TEMPLATE_ROWS = (
    ("NA", "node4", "prevstud"), ("previous_studies", "node5", "box1"), ("previous_reports", "NA", "box1"),
    ("NA", "node6", "newstud"), ("database_results", "node7", "box2"), ("database_specific_results", "NA", "box2"),
    ("register_results", "NA", "box2"), ("register_specific_results", "NA", "box2"), ("NA", "node16", "othstud"),
    ("website_results", "node17", "box11"), ("organisation_results", "", "box11"), ("citations_results", "NA", "box11"),
    ("duplicates", "node8", "box3"), ("excluded_automatic", "NA", "box3"), ("excluded_other", "NA", "box3"),
    ("records_screened", "node9", "box4"), ("records_excluded", "node10", "box5"),
    ("dbr_sought_reports", "node11", "box6"), ("dbr_notretrieved_reports", "node12", "box7"),
    ("other_sought_reports", "node18", "box12"), ("other_notretrieved_reports", "node19", "box13"),
    ("dbr_assessed", "node13", "box8"), ("dbr_excluded", "node14", "box9"), ("other_assessed", "node20", "box14"),
    ("other_excluded", "node21", "box15"), ("new_studies", "node15", "box10"), ("new_reports", "NA", "box10"),
    ("total_studies", "node22", "box16"), ("total_reports", "NA", "box16"), ("identification", "node1", "identification"),
    ("screening", "node2", "screening"), ("included", "node3", "included"), ("total_studies_ma", "node23", "box17"),
    ("total_reports_ma", "NA", "box17"),
)
TITLE_BOXES = {  # box -> (description, boxtext), as in the template
    "prevstud": ("Grey title box; Previous studies", "Previous studies"),
    "newstud": ("Yellow title box; Identification of new studies via databases and registers",
                "Identification of new studies via databases and registers"),
    "othstud": ("Grey title box; Identification of new studies via other methods",
                "Identification of new studies via other methods"),
    "identification": ("Blue identification box", "Identification"),
    "screening": ("Blue screening box", "Screening"),
    "included": ("Blue included box", "Included"),
}


def _reasons(d: dict[str, int]) -> str:
    return "; ".join(f"{r.replace(',', ' ').replace(';', ' ')}, {n}" for r, n in d.items())


def to_prisma2020_csv(counts: dict[str, Any]) -> str:
    """The counts as the PRISMA2020 package's template CSV (``PRISMA_data()`` reads it): its rows, order,
    node and box ids, with Atlas's numbers in ``n``.

    ``dbr_*`` rows come from the databases/registers stream, ``other_*`` rows
    from the other-methods stream; reasons are written "reason, n; reason, n"
    as in the template. ``database_results`` counts every record of a paper found in a
    database (also a corpus record merged into it), so the column reads top-down.
    Manual additions go under ``organisation_results``
    (its box text says so). The template has no box for records awaiting
    screening or pending decisions; their numbers are in the tooltips. Atlas
    does no meta-analysis: its rows keep the template's 0.
    """
    d, o = counts["streams"]["dbr"], counts["streams"]["other"]
    ds, os_ = d["identified_by_source"], o["identified_by_source"]
    other_manual = sum(n for s, n in os_.items() if s not in ("backward", "forward", "website"))
    rows = {  # data -> (description, boxtext, tooltip, n)
        "previous_studies": ("Studies included in previous version of review",
                             "Studies included in previous version of review", "", ""),
        "previous_reports": ("Reports of studies included in previous version of review",
                             "Reports of studies included in previous version of review", "", ""),
        "database_results": ("Records identified from: Databases", "Databases",
                             "Records of the databases stream: " + ", ".join(f"{k} {v}" for k, v in ds.items()
                                                                             if k != "register")
                             + " (a paper found in a database counts here with every record merged into it)",
                             d["identified"] - ds.get("register", 0)),
        "database_specific_results": ("Records identified from: specific databases", "Specific Databases", "", ""),
        "register_results": ("Records identified from: Registers", "Registers", "Records identified from registers",
                             ds.get("register", 0)),
        "register_specific_results": ("Records identified from: specific registers", "Specific Registers", "", ""),
        "website_results": ("Records identified from: Websites", "Websites", "Records identified from websites",
                            os_.get("website", 0)),
        "organisation_results": ("Records identified from: Organisations", "Organisations and manual additions",
                                 "Records added by hand (e.g. known papers, the bundled corpus)", other_manual),
        "citations_results": ("Records identified from: Citation searching", "Citation searching",
                              "Backward and forward snowballing", os_.get("backward", 0) + os_.get("forward", 0)),
        "duplicates": ("Duplicate records", "Duplicate records removed",
                       f"Merged at ingest or marked duplicate; other methods: {o['duplicates']}", d["duplicates"]),
        "excluded_automatic": ("Records marked as ineligible by automation tools",
                               "Records marked as ineligible by automation tools", "", 0),
        "excluded_other": ("Records removed for other reasons", "Records removed for other reasons", "", 0),
        "records_screened": ("Records screened (databases and registers)", "Records screened",
                             f"Awaiting screening (not counted): {d['awaiting_screening']}; "
                             f"conflicts awaiting resolution: {d['conflicts_screening']}", d["screened"]),
        "records_excluded": ("Records excluded (databases and registers)", "Records excluded", "",
                             d["excluded_screening"]),
        "dbr_sought_reports": ("Reports sought for retrieval (databases and registers)",
                               "Reports sought for retrieval", "", d["sought"]),
        "dbr_notretrieved_reports": ("Reports not retrieved (databases and registers)", "Reports not retrieved", "",
                                     d["not_retrieved"]),
        "other_sought_reports": ("Reports sought for retrieval (other)", "Reports sought for retrieval",
                                 f"After title/abstract screening of {o['screened']} records (excluded "
                                 f"{o['excluded_screening']}, awaiting {o['awaiting_screening']}, conflicts "
                                 f"{o['conflicts_screening']})", o["sought"]),
        "other_notretrieved_reports": ("Reports not retrieved (other)", "Reports not retrieved", "",
                                       o["not_retrieved"]),
        "dbr_assessed": ("Reports assessed for eligibility (databases and registers)",
                         "Reports assessed for eligibility", f"Pending a decision: {d['pending']}", d["assessed"]),
        "dbr_excluded": ("Reports excluded (databases and registers)", "Reports excluded:", "",
                         _reasons(d["exclusion_reasons"])),
        "other_assessed": ("Reports assessed for eligibility (other)", "Reports assessed for eligibility",
                           f"Pending a decision: {o['pending']}", o["assessed"]),
        "other_excluded": ("Reports excluded (other)", "Reports excluded:", "", _reasons(o["exclusion_reasons"])),
        "new_studies": ("New studies included in review", "New studies included in review", "", counts["included"]),
        "new_reports": ("Reports of new included studies", "Reports of new included studies", "",
                        counts["included"]),
        "total_studies": ("Total studies included in review", "Total studies included in review", "",
                          counts["included"]),
        "total_reports": ("Reports of total included studies", "Reports of total included studies", "",
                          counts["included"]),
        "total_studies_ma": ("Total studies included in meta-analysis", "Total studies included in meta-analysis",
                             "", 0),
        "total_reports_ma": ("Reports of total included studies in meta-analysis",
                             "Reports of total included studies in meta-analysis", "", 0),
    }
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for data, nd, box in TEMPLATE_ROWS:
        if box in TITLE_BOXES:
            desc, text = TITLE_BOXES[box]
            w.writerow((data, nd, box, desc, text, desc, f"{box}.html", 0))
        else:
            desc, text, tip, n = rows[data]
            w.writerow((data, nd, box, desc, text, tip or "NA", f"{data}.html", n))
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
