"""Overview: heatmaps of the two overview tables, PRISMA flow, co-occurrence network, gap analysis."""

from __future__ import annotations

import streamlit as st

from app.common import compact_table, read_model, start_page
from app.figures import drawn
from pipeline import curate
from pipeline.report import analysis as report_analysis
from pipeline.report.tables import SYMBOLS, overview_tables, to_csv, to_latex

store = start_page("Overview")


def _cooccurrence(store):
    return report_analysis.cooccurrence_graph(store, read_model(overview_tables)[1])


def _figure(store, name: str, index: int = 0) -> dict[str, bytes] | None:
    """One overview figure: its data once per store revision (``read_model``), its drawing once per content."""
    if name == "table":
        data = read_model(overview_tables)[index]
    elif name == "prisma":
        data = read_model(curate.prisma_counts)
    elif name == "cooccurrence":
        data = read_model(_cooccurrence)
    else:
        data = read_model(report_analysis.gap_matrix)
    return drawn(name, data)


def show_figure(files: dict[str, bytes] | None, stem: str) -> None:
    if files is None:
        return
    st.image(files["view"])
    c1, c2 = st.columns(2)
    for col, fmt, mime in ((c1, "png", "image/png"), (c2, "svg", "image/svg+xml")):
        col.download_button(f"{stem}.{fmt}", files[fmt], f"{stem}.{fmt}", mime, key=f"dl_{stem}_{fmt}")


def symbols(table):
    return lambda r, c: SYMBOLS[table.value(r, c)]


tables = read_model(overview_tables)  # once per store revision; PRISMA counts only in their section

section = st.segmented_control("Section", ["Tables", "PRISMA", "Co-occurrence", "Gaps"], default="Tables",
                               key="ov_section") or "Tables"
if section == "Tables":
    for i, (table, stem) in enumerate(zip(tables, ("method-x-challenge", "technique-x-challenge"))):
        st.subheader(table.title)
        st.markdown(compact_table(table.row_kind.capitalize(), table.rows, [(c, lab) for c, _, lab in table.columns],
                                  symbols(table)))
        show_figure(_figure(store, "table", i), stem)
        c1, c2 = st.columns(2)
        c1.download_button("CSV", to_csv(table), f"{stem}.csv", "text/csv", key=f"csv_{stem}")
        c2.download_button("LaTeX", to_latex(table), f"{stem}.tex", "text/x-tex", key=f"tex_{stem}")
if section == "PRISMA":
    show_figure(_figure(store, "prisma"), "prisma")
if section == "Co-occurrence":
    files = _figure(store, "cooccurrence")
    if files is not None:
        show_figure(files, "cooccurrence")
    else:
        st.caption("The co-occurrence network needs coded methods.")
if section == "Gaps":
    gaps = read_model(report_analysis.gap_matrix)
    if gaps is not None:
        st.caption("Number of methods per NAS type and challenge; 0 = not tried yet (a gap).")
        st.markdown(compact_table("NAS type", gaps.nas_types, gaps.challenges,
                                  lambda n, c: str(gaps.count(c, n))))
        empty = gaps.empty_cells()
        with st.expander(f"Candidate research directions ({len(empty)} empty cells)"):
            st.text("\n".join(f"{cl} × {nl}" for cl, nl in empty))
        show_figure(_figure(store, "gaps"), "gaps")
