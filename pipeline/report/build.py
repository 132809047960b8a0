"""Build the report directory: every artefact of the review from the store.

Each artefact (tables, PRISMA flow, taxonomy, gaps, network, or a plugin's) is
a function registered in :data:`ARTEFACTS` (entry-point group
``fedatlas.report_artefacts``). It gets a :class:`ReportContext` (the store,
the output folder, a ``write`` helper) and returns the sections it adds to
``index.html``. :func:`build_report` runs them all in one store session, in
registration order, then writes the page tying them together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pipeline import __version__
from pipeline.registry import Registry
from pipeline.report import html as H
from pipeline.store import Store

#: (anchor, title, html) of one part of index.html
Section = tuple[str, str, str]
Artefact = Callable[["ReportContext"], list[Section]]

ARTEFACTS: Registry[Artefact] = Registry("report_artefacts", key=lambda f: f.__name__.replace("_", "-"))

TABLE_STEMS = {"method": "method_x_challenge", "technique": "technique_x_challenge"}


@dataclass
class ReportContext:
    """What an artefact needs: the store (inside one read session) and where to write."""

    store: Store
    out: Path
    written: list[Path] = field(default_factory=list)

    def write(self, name: str, text: str) -> Path:
        path = self.out / name
        path.write_text(text, encoding="utf-8")
        self.written.append(path)
        return path

    def figure(self, fig, stem: str) -> Path:
        """Save a matplotlib figure as PNG + SVG; returns the PNG for embedding."""
        from pipeline.report import figures

        png, svg = figures.save(fig, self.out / stem)
        self.written += [png, svg]
        return png


@ARTEFACTS.register
def overview_tables(ctx: ReportContext) -> list[Section]:
    from pipeline.report import figures
    from pipeline.report.tables import overview_tables as tables
    from pipeline.report.tables import to_csv, to_latex, to_markdown

    sections = []
    for table in tables(ctx.store):
        stem = TABLE_STEMS[table.row_kind]
        ctx.write(f"{stem}.md", to_markdown(table))
        ctx.write(f"{stem}.csv", to_csv(table))
        ctx.write(f"{stem}.tex", to_latex(table))
        ctx.write(f"{stem}.html", H.page(table.title, [(stem, table.title, H.table_html(table))]))
        png = ctx.figure(figures.effect_heatmap(table), f"{stem}_heatmap")
        sections.append((stem, table.title, H.table_html(table) + H.img(png, f"Heatmap: {table.title}")))
    return sections


@ARTEFACTS.register
def prisma_flow(ctx: ReportContext) -> list[Section]:
    from pipeline.report import prisma

    counts = prisma.prisma_counts(ctx.store)
    ctx.write("prisma.json", prisma.to_json(counts))
    ctx.write("prisma.csv", prisma.to_prisma2020_csv(counts))
    png = ctx.figure(prisma.prisma_diagram(counts), "prisma")
    return [("prisma", "PRISMA 2020 flow", H.img(png, "PRISMA 2020 flow diagram")
             + H.prisma_html(dict(prisma.box_rows(counts))))]


@ARTEFACTS.register
def taxonomy(ctx: ReportContext) -> list[Section]:
    from pipeline.report import figures
    from pipeline.report.analysis import taxonomy as tree_of
    from pipeline.report.analysis import taxonomy_markdown

    tree = tree_of(ctx.store)
    ctx.write("taxonomy.md", taxonomy_markdown(tree))
    png = ctx.figure(figures.taxonomy_tree(tree), "taxonomy")
    return [("taxonomy", "Taxonomy of adaptation techniques", H.img(png, "Taxonomy tree") + H.taxonomy_html(tree))]


@ARTEFACTS.register
def gaps(ctx: ReportContext) -> list[Section]:
    from pipeline.report import figures
    from pipeline.report.analysis import gap_csv, gap_markdown, gap_matrix

    matrix = gap_matrix(ctx.store)
    ctx.write("gaps.md", gap_markdown(matrix))
    ctx.write("gaps.csv", gap_csv(matrix))
    png = ctx.figure(figures.gap_heatmap(matrix), "gaps")
    return [("gaps", "Gap analysis: challenge x NAS type", H.img(png, "Gap matrix") + H.gap_html(matrix))]


@ARTEFACTS.register
def cooccurrence(ctx: ReportContext) -> list[Section]:
    import networkx as nx

    from pipeline.report import figures
    from pipeline.report.analysis import cooccurrence_graph
    from pipeline.report.tables import overview_tables as tables

    tech_table = next(t for t in tables(ctx.store) if t.row_kind == "technique")
    graph = cooccurrence_graph(ctx.store, tech_table)
    graphml = ctx.out / "cooccurrence.graphml"
    nx.write_graphml(graph, graphml)
    ctx.written.append(graphml)
    png = ctx.figure(figures.network_figure(graph), "cooccurrence")
    return [("network", "Technique / challenge co-occurrence",
             H.img(png, "Co-occurrence network") +
             f"<p>{graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges; "
             "GraphML: <code>cooccurrence.graphml</code></p>\n")]


def build_report(store: Store, out_dir: str | Path = "report", only: list[str] | None = None) -> list[Path]:
    """Write the report into ``out_dir`` (created if needed); returns the files written.

    ``only`` names artefacts to build (unknown names are refused with the known ones).
    """
    ctx = ReportContext(store, Path(out_dir))
    ctx.out.mkdir(parents=True, exist_ok=True)
    names = only or list(_in_order())
    artefacts = [ARTEFACTS.get(n) for n in names]
    sections: list[Section] = []
    with store.session():
        for artefact in artefacts:
            sections += artefact(ctx)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    ctx.write("index.html", H.page("FedNAS Atlas report", sections,
                                   subtitle=f"Generated {stamp} by FedNAS Atlas {__version__} from {store.location}"))
    return ctx.written


def _in_order() -> list[str]:
    """Built-ins in the order a reader meets them in the report, then plugins by name."""
    builtin = ["overview-tables", "prisma-flow", "taxonomy", "gaps", "cooccurrence"]
    return builtin + [n for n in ARTEFACTS.names() if n not in builtin]
