"""Report figures (matplotlib, headless): heatmaps, taxonomy tree, gaps, network (PRISMA: ``prisma.py``).

Every function returns a ``Figure``; :func:`save` writes it as PNG and SVG.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import networkx as nx  # noqa: E402
from matplotlib.colors import ListedColormap  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from pipeline.report.analysis import GapMatrix, TaxonNode  # noqa: E402
from pipeline.report.tables import SYMBOLS, Table  # noqa: E402

# value -> (colour index, colour); '' = not coded
EFFECT_COLOURS = {
    "": "#ffffff", "none": "#e6e6e6", "towards": "#4daf4a", "against": "#e41a1c",
    "mixed": "#ff9f1c", "disputed": "#984ea3",
}
EFFECT_NAMES = {"towards": "towards (+)", "against": "against (−)", "none": "none (0)",
                "mixed": "mixed (±)", "disputed": "disputed (?)", "": "not coded"}
plt.rcParams["svg.hashsalt"] = "fedatlas"  # reproducible SVG ids


def save(fig: Figure, stem: Path) -> list[Path]:
    """Write ``stem.png`` and ``stem.svg``; returns both paths."""
    paths = []
    for ext in ("png", "svg"):
        path = stem.with_suffix(f".{ext}")
        fig.savefig(path, dpi=150, bbox_inches="tight", metadata={"Date": None} if ext == "svg" else None)
        paths.append(path)
    plt.close(fig)
    return paths


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def effect_heatmap(table: Table) -> Figure:
    """Rows x challenges, coloured by effect, with the table's symbols in the cells."""
    order = list(EFFECT_COLOURS)
    grid = [[order.index(table.value(r, c)) for c, _, _ in table.columns] for r, _ in table.rows] or [[0]]
    height = 1.6 + 0.45 * max(1, len(table.rows))
    fig, ax = plt.subplots(figsize=(2.5 + 0.6 * len(table.columns), height))
    ax.imshow(grid, cmap=ListedColormap(list(EFFECT_COLOURS.values())), vmin=0, vmax=len(order) - 1, aspect="auto")
    for i, (r, _) in enumerate(table.rows):
        for j, (c, _, _) in enumerate(table.columns):
            sym = SYMBOLS[table.value(r, c)]
            if sym:
                ax.text(j, i, sym, ha="center", va="center", fontsize=11, fontweight="bold",
                        color="white" if table.value(r, c) in ("towards", "against", "disputed") else "black")
    ax.set_xticks(range(len(table.columns)), [_wrap(lab, 18) for _, _, lab in table.columns],
                  rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(len(table.rows)), [_wrap(lab, 40) for _, lab in table.rows], fontsize=8)
    ax.set_xticks([x - 0.5 for x in range(1, len(table.columns))], minor=True)
    ax.set_yticks([y - 0.5 for y in range(1, len(table.rows))], minor=True)
    ax.grid(which="minor", color="#999999", linewidth=0.5)
    ax.tick_params(which="minor", length=0)
    ax.set_title(table.title, fontsize=10)
    handles = [Patch(facecolor=EFFECT_COLOURS[k], edgecolor="#999999", label=EFFECT_NAMES[k]) for k in EFFECT_COLOURS]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=7, frameon=False)
    return fig


def taxonomy_tree(tree: list[TaxonNode], title: str = "Adaptation techniques") -> Figure:
    """Root -> categories -> techniques, left to right."""
    leaves = sum(max(1, len(c.children)) for c in tree) or 1
    fig, ax = plt.subplots(figsize=(11, 1.0 + 0.55 * leaves))
    ax.axis("off")
    ax.set_xlim(0, 10)
    ax.set_ylim(-0.5, leaves - 0.5)
    y = leaves - 1.0
    cat_ys = []
    for cat in tree:
        n = max(1, len(cat.children))
        ys = [y - i for i in range(n)]
        cy = sum(ys) / n
        cat_ys.append(cy)
        for child, ty in zip(cat.children, ys):
            ax.plot([4.6, 5.6], [cy, ty], color="#777777", linewidth=0.8)
            ax.text(5.65, ty, _wrap(child.label, 60), va="center", fontsize=8,
                    bbox={"boxstyle": "round", "facecolor": "#eef5e9", "edgecolor": "#777777"})
        ax.text(2.4, cy, _wrap(cat.label, 28), va="center", fontsize=8.5, fontweight="bold",
                bbox={"boxstyle": "round", "facecolor": "#dbe9f6", "edgecolor": "#777777"})
        y -= n
    root_y = sum(cat_ys) / len(cat_ys) if cat_ys else (leaves - 1) / 2
    for cy in cat_ys:
        ax.plot([1.6, 2.4], [root_y, cy], color="#777777", linewidth=0.8)
    ax.text(0.0, root_y, _wrap(title, 16), va="center", fontsize=9, fontweight="bold",
            bbox={"boxstyle": "round", "facecolor": "#f7f7f7", "edgecolor": "#333333"})
    return fig


def gap_heatmap(gaps: GapMatrix) -> Figure:
    grid = [[gaps.count(c, n) for n, _ in gaps.nas_types] for c, _ in gaps.challenges] or [[0]]
    fig, ax = plt.subplots(figsize=(2.5 + 0.7 * len(gaps.nas_types), 1.5 + 0.4 * len(gaps.challenges)))
    ax.imshow(grid, cmap="Blues", vmin=0, vmax=max(1, max(max(r) for r in grid)), aspect="auto")
    for i, row in enumerate(grid):
        for j, v in enumerate(row):
            ax.text(j, i, str(v) if v else "·", ha="center", va="center", fontsize=8,
                    color="#b30000" if not v else "black")
    ax.set_xticks(range(len(gaps.nas_types)), [_wrap(lab, 16) for _, lab in gaps.nas_types],
                  rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(len(gaps.challenges)), [lab for _, lab in gaps.challenges], fontsize=8)
    ax.set_title("Methods per challenge x NAS type (· = gap)", fontsize=10)
    return fig


def network_figure(graph: nx.Graph) -> Figure:
    techniques = [n for n, d in graph.nodes(data=True) if d.get("kind") == "technique"]
    fig, ax = plt.subplots(figsize=(11, 1.5 + 0.5 * max(len(techniques), graph.number_of_nodes() - len(techniques))))
    ax.axis("off")
    pos = nx.bipartite_layout(graph, techniques, align="vertical") if techniques else nx.spring_layout(graph, seed=1)
    colours = [("#dbe9f6" if d.get("kind") == "technique" else "#fde0c5") for _, d in graph.nodes(data=True)]
    edge_colours = [EFFECT_COLOURS.get(d.get("effect", ""), "#999999") if d.get("effect") not in ("", "none")
                    else "#999999" for _, _, d in graph.edges(data=True)]
    widths = [0.8 + 1.2 * d.get("weight", 1) for _, _, d in graph.edges(data=True)]
    nx.draw_networkx_edges(graph, pos, ax=ax, edge_color=edge_colours, width=widths, alpha=0.8)
    nx.draw_networkx_nodes(graph, pos, ax=ax, node_color=colours, node_size=120, edgecolors="#555555")
    for node, (x, y) in pos.items():
        left = graph.nodes[node].get("kind") == "technique"
        ax.text(x + (-0.04 if left else 0.04), y, _wrap(graph.nodes[node]["label"], 42), fontsize=7.5,
                ha="right" if left else "left", va="center")
    ax.set_xlim(-1.6, 1.6)
    ax.set_title("Technique / challenge co-occurrence (edge width: methods + claims; colour: coded effect)",
                 fontsize=9)
    return fig
