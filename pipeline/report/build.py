"""Build the report directory: every artefact of the review from the store.

:func:`build_report` reads the store in one session, then writes the overview
tables (Markdown, CSV, LaTeX, HTML) with heatmaps, the PRISMA 2020 flow
diagram, the taxonomy, the gap analysis, the co-occurrence network (figure and
GraphML) and ``index.html``, a single self-contained page tying them together.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import networkx as nx

from pipeline import __version__
from pipeline.store import Store
from pipeline.report.tables import overview_tables, to_csv, to_latex, to_markdown
from pipeline.report import figures
from pipeline.report import html as H
from pipeline.report.analysis import (
    cooccurrence_graph, gap_csv, gap_markdown, gap_matrix, taxonomy, taxonomy_markdown,
)
from pipeline.report import prisma
from pipeline.report.prisma import prisma_counts

TABLE_STEMS = {"method": "method_x_challenge", "technique": "technique_x_challenge"}


def build_report(store: Store, out_dir: str | Path = "report") -> list[Path]:
    """Write the report into ``out_dir`` (created if needed); returns the files written."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with store.session():
        tables = overview_tables(store)
        counts = prisma_counts(store)
        tree = taxonomy(store)
        gaps = gap_matrix(store)
        tech_table = next(t for t in tables if t.row_kind == "technique")
        graph = cooccurrence_graph(store, tech_table)
    written: list[Path] = []

    def write(name: str, text: str) -> Path:
        path = out / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
        return path

    sections: list[tuple[str, str, str]] = []
    for table in tables:
        stem = TABLE_STEMS[table.row_kind]
        write(f"{stem}.md", to_markdown(table))
        write(f"{stem}.csv", to_csv(table))
        write(f"{stem}.tex", to_latex(table))
        write(f"{stem}.html", H.page(table.title, [(stem, table.title, H.table_html(table))]))
        png, svg = figures.save(figures.effect_heatmap(table), out / f"{stem}_heatmap")
        written += [png, svg]
        sections.append((stem, table.title, H.table_html(table) + H.img(png, f"Heatmap: {table.title}")))

    write("prisma.json", prisma.to_json(counts))
    write("prisma.csv", prisma.to_prisma2020_csv(counts))
    png, svg = figures.save(prisma.prisma_diagram(counts), out / "prisma")
    written += [png, svg]
    sections.append(("prisma", "PRISMA 2020 flow", H.img(png, "PRISMA 2020 flow diagram")
                     + H.prisma_html(dict(prisma.box_rows(counts)))))

    write("taxonomy.md", taxonomy_markdown(tree))
    png, svg = figures.save(figures.taxonomy_tree(tree), out / "taxonomy")
    written += [png, svg]
    sections.append(("taxonomy", "Taxonomy of adaptation techniques",
                     H.img(png, "Taxonomy tree") + H.taxonomy_html(tree)))

    write("gaps.md", gap_markdown(gaps))
    write("gaps.csv", gap_csv(gaps))
    png, svg = figures.save(figures.gap_heatmap(gaps), out / "gaps")
    written += [png, svg]
    sections.append(("gaps", "Gap analysis: challenge x NAS type", H.img(png, "Gap matrix") + H.gap_html(gaps)))

    graphml = out / "cooccurrence.graphml"
    nx.write_graphml(graph, graphml)
    written.append(graphml)
    png, svg = figures.save(figures.network_figure(graph), out / "cooccurrence")
    written += [png, svg]
    sections.append(("network", "Technique / challenge co-occurrence",
                     H.img(png, "Co-occurrence network") +
                     f"<p>{graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges; "
                     "GraphML: <code>cooccurrence.graphml</code></p>\n"))

    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    write("index.html", H.page("FedNAS Atlas report", sections,
                               subtitle=f"Generated {stamp} by FedNAS Atlas {__version__} from {store.location}"))
    return written
