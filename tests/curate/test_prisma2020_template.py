"""`fedatlas prisma --format csv` against the PRISMA2020 template file itself (not a memory of it).

The template (tests/curate/data/PRISMA2020_template.csv, see its README) is what ``PRISMA_data()`` of the
PRISMA2020 R package and Shiny app read: same columns, the same rows in the same order with the same
node and box ids, so a review's CSV loads there as the template does; ``n`` carries the counts.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from pipeline.report.prisma import to_prisma2020_csv

TEMPLATE = Path(__file__).parent / "data" / "PRISMA2020_template.csv"


def _counts(**total) -> dict:
    """A flow as prisma_counts returns it (one stream filled in by hand)."""
    boxes = dict.fromkeys(("identified", "duplicates", "awaiting_screening", "screened", "excluded_screening",
                           "conflicts_screening", "sought", "not_retrieved", "assessed", "excluded_reports",
                           "pending", "conflicts_full_text", "included"), 0)
    dbr = {**boxes, **total, "identified_by_source": {"database": total["identified"]},
           "exclusion_reasons": {"Not FedNAS": total["excluded_reports"]}, "included_papers": []}
    other = {**boxes, "identified_by_source": {}, "exclusion_reasons": {}, "included_papers": []}
    return {**dbr, "streams": {"dbr": dbr, "other": other}}


def test_csv_has_the_templates_rows_order_nodes_and_boxes():
    template = list(csv.DictReader(io.StringIO(TEMPLATE.read_text(encoding="utf-8"))))
    ours = list(csv.DictReader(io.StringIO(to_prisma2020_csv(_counts(
        identified=20, duplicates=3, screened=17, excluded_screening=9, sought=8, not_retrieved=1, assessed=7,
        excluded_reports=2, included=5)))))
    header = next(csv.reader(io.StringIO(TEMPLATE.read_text(encoding="utf-8"))))
    assert next(csv.reader(io.StringIO(to_prisma2020_csv(_counts(identified=0, excluded_reports=0))))) == header
    assert [(r["data"], r["node"], r["box"]) for r in ours] == [(r["data"], r["node"], r["box"]) for r in template]
    n = {r["data"]: r["n"] for r in ours}
    assert (n["database_results"], n["duplicates"], n["records_screened"], n["records_excluded"]) == ("20", "3", "17", "9")
    assert (n["dbr_sought_reports"], n["dbr_notretrieved_reports"], n["dbr_assessed"]) == ("8", "1", "7")
    assert (n["dbr_excluded"], n["total_studies"]) == ("Not FedNAS, 2", "5")
    # the template's own title-box texts, which PRISMA_data() shows as they are
    titles = {r["box"]: r["boxtext"] for r in template if not r["box"].startswith("box")}
    assert len(titles) == 6 and {r["box"]: r["boxtext"] for r in ours if not r["box"].startswith("box")} == titles
