"""`fedatlas report`: the review's tables, figures and flow diagram from the store.

:func:`build_report` writes the overview tables (Markdown, CSV, LaTeX, HTML)
with heatmaps, the PRISMA 2020 flow diagram, the taxonomy, the gap analysis,
the co-occurrence network (figure and GraphML) and ``index.html``, one
self-contained page tying them together. Plotting libraries load only when a
report is built, so :func:`included_papers` and :func:`prisma_counts` stay cheap.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.report.prisma import included_papers, prisma_counts

if TYPE_CHECKING:
    from pipeline.store import Store

__all__ = ["build_report", "included_papers", "prisma_counts"]


def build_report(store: Store, out_dir: str | Path = "report", only: list[str] | None = None) -> list[Path]:
    """Write the report into ``out_dir`` (created if needed); returns the files written."""
    from pipeline.report.build import build_report as build

    return build(store, out_dir, only=only)
