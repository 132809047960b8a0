"""Overview: heatmaps of the two overview tables, PRISMA flow, co-occurrence network, gap analysis."""

from __future__ import annotations

import hashlib
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import streamlit as st  # noqa: E402

from app.common import compact_table, read_model, start_page  # noqa: E402
from pipeline import curate  # noqa: E402
from pipeline.report import analysis as report_analysis  # noqa: E402
from pipeline.report import figures as report_figures  # noqa: E402
from pipeline.report.prisma import prisma_diagram  # noqa: E402
from pipeline.report.tables import SYMBOLS, overview_tables, to_csv, to_latex  # noqa: E402

store = start_page("Overview")


def _files(fig) -> dict[str, bytes]:
    out = {}
    for fmt in ("png", "svg"):
        buf = io.BytesIO()
        fig.savefig(buf, format=fmt, dpi=150, bbox_inches="tight")
        out[fmt] = buf.getvalue()
    plt.close(fig)
    return out


@st.cache_data(show_spinner=False, max_entries=32)
def _drawn(name: str, digest: str, _data) -> dict[str, bytes] | None:
    """PNG and SVG of one figure, drawn once per *content* (``digest``): a decision that leaves a table
    as it was (most screening decisions) redraws nothing."""
    if name == "table":
        return _files(report_figures.effect_heatmap(_data))
    if name == "prisma":
        return _files(prisma_diagram(_data))
    if name == "cooccurrence":
        return _files(report_figures.network_figure(_data)) if _data is not None and _data.number_of_nodes() else None
    return _files(report_figures.gap_heatmap(_data))  # "gaps"


def _digest(data) -> str:
    if hasattr(data, "edges"):  # a networkx graph
        data = (sorted(data.nodes(data=True), key=repr), sorted(data.edges(data=True), key=repr))
    return hashlib.sha1(repr(data).encode("utf-8")).hexdigest()


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
    return _drawn(name, _digest(data), data)


def show_figure(files: dict[str, bytes] | None, stem: str) -> None:
    if files is None:
        return
    st.image(files["png"])
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
