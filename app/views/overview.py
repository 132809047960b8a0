"""Overview: heatmaps of the two overview tables, PRISMA flow, co-occurrence network, gap analysis."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import streamlit as st  # noqa: E402

from app.common import compact_table, read_model, start_page  # noqa: E402
from pipeline import curate  # noqa: E402
from pipeline.report.tables import SYMBOLS, overview_tables, to_csv, to_latex  # noqa: E402

try:  # the report package draws the review's figures; fall back to simple local ones
    from pipeline.report import analysis as report_analysis
    from pipeline.report import figures as report_figures
    from pipeline.report.prisma import prisma_diagram
except ImportError:  # pragma: no cover - depends on what is installed
    report_analysis = report_figures = prisma_diagram = None

VALUE = {"towards": 1.0, "none": 0.0, "against": -1.0, "mixed": 0.5, "disputed": -0.5, "": float("nan")}

store = start_page("Overview")


def _local_heatmap(table):
    import numpy as np

    data = np.array([[VALUE[table.value(r, c)] for c, _, _ in table.columns] for r, _ in table.rows] or [[0.0]])
    fig, ax = plt.subplots(figsize=(1 + 0.6 * len(table.columns), 1 + 0.35 * max(1, len(table.rows))))
    ax.imshow(data, cmap="RdYlGn", vmin=-1, vmax=1, aspect="auto")
    ax.set_xticks(range(len(table.columns)), [lab for _, _, lab in table.columns], rotation=60, ha="right")
    ax.set_yticks(range(len(table.rows)), [lab for _, lab in table.rows])
    for i, (r, _) in enumerate(table.rows):
        for j, (c, _, _) in enumerate(table.columns):
            ax.text(j, i, SYMBOLS[table.value(r, c)], ha="center", va="center")
    ax.set_title(table.title)
    fig.tight_layout()
    return fig


def _files(fig) -> dict[str, bytes]:
    out = {}
    for fmt in ("png", "svg"):
        buf = io.BytesIO()
        fig.savefig(buf, format=fmt, dpi=150, bbox_inches="tight")
        out[fmt] = buf.getvalue()
    plt.close(fig)
    return out


def _figure(store, name: str, index: int = 0) -> dict[str, bytes] | None:
    """PNG and SVG of one overview figure, drawn once per store revision (through ``read_model``)."""
    if name == "table":
        table = read_model(overview_tables)[index]
        return _files(report_figures.effect_heatmap(table) if report_figures else _local_heatmap(table))
    if name == "prisma":
        return _files(prisma_diagram(read_model(curate.prisma_counts)))
    if name == "cooccurrence":
        graph = report_analysis.cooccurrence_graph(store, read_model(overview_tables)[1])
        return _files(report_figures.network_figure(graph)) if graph is not None and graph.number_of_nodes() else None
    return _files(report_figures.gap_heatmap(read_model(report_analysis.gap_matrix)))


def show_figure(files: dict[str, bytes], stem: str) -> None:
    st.image(files["png"])
    c1, c2 = st.columns(2)
    for col, fmt, mime in ((c1, "png", "image/png"), (c2, "svg", "image/svg+xml")):
        col.download_button(f"{stem}.{fmt}", files[fmt], f"{stem}.{fmt}", mime, key=f"dl_{stem}_{fmt}")


tables = read_model(overview_tables)  # once per store revision; PRISMA counts only in their section

section = st.segmented_control("Section", ["Tables", "PRISMA", "Co-occurrence", "Gaps"], default="Tables",
                               key="ov_section") or "Tables"
if section == "Tables":
    for i, (table, stem) in enumerate(zip(tables, ("method-x-challenge", "technique-x-challenge"))):
        st.subheader(table.title)
        st.markdown(compact_table(table.row_kind.capitalize(), table.rows, [(c, lab) for c, _, lab in table.columns],
                                  lambda r, c, t=table: SYMBOLS[t.value(r, c)]))
        show_figure(read_model(_figure, "table", i), stem)
        c1, c2 = st.columns(2)
        c1.download_button("CSV", to_csv(table), f"{stem}.csv", "text/csv", key=f"csv_{stem}")
        c2.download_button("LaTeX", to_latex(table), f"{stem}.tex", "text/x-tex", key=f"tex_{stem}")
if section == "PRISMA":
    if prisma_diagram:
        show_figure(read_model(_figure, "prisma"), "prisma")
if section == "Co-occurrence":
    files = read_model(_figure, "cooccurrence") if report_analysis else None
    if files is not None:
        show_figure(files, "cooccurrence")
    else:
        st.caption("The co-occurrence network needs pipeline.report and coded methods.")
if section == "Gaps":
    gaps = read_model(report_analysis.gap_matrix) if report_analysis else None
    if gaps is not None:
        st.caption("Number of methods per NAS type and challenge; 0 = not tried yet (a gap).")
        st.markdown(compact_table("NAS type", gaps.nas_types, gaps.challenges,
                                  lambda n, c: str(gaps.count(c, n))))
        empty = gaps.empty_cells()
        with st.expander(f"Candidate research directions ({len(empty)} empty cells)"):
            st.text("\n".join(f"{cl} × {nl}" for cl, nl in empty))
        show_figure(read_model(_figure, "gaps"), "gaps")
    else:
        st.caption("Gap analysis needs pipeline.report.")
