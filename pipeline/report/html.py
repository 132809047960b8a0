"""HTML rendering: overview tables as HTML, and the one self-contained report page.

All text from the store is escaped; images are embedded as ``data:`` URIs, so
the page is a single file that opens offline.
"""

from __future__ import annotations

import base64
from html import escape
from pathlib import Path
from typing import Any

from pipeline.report.analysis import GapMatrix, TaxonNode
from pipeline.report.tables import LEGEND, SYMBOLS, Table

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;
color:#222}
h1{border-bottom:2px solid #444}h2{margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;font-size:.85em;margin:1em 0;max-width:100%}
th,td{border:1px solid #bbb;padding:.25em .5em;overflow-wrap:anywhere}
thead th:not(:first-child){writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;
vertical-align:bottom;text-align:left}
th{background:#f2f2f2}td.c{text-align:center;font-weight:bold}
td.towards{background:#cfe8cc}td.against{background:#f6c6c6}td.mixed{background:#ffe0b3}
td.none{background:#eee}td.disputed{background:#e3d3ea}td.gap{color:#b30000}
img{max-width:100%;height:auto;border:1px solid #eee}nav a{margin-right:1em}.legend{color:#555;font-size:.85em}
"""


def table_html(table: Table) -> str:
    """An overview table as an HTML ``<table>`` (cells carry their effect as a class)."""
    head = "".join(f"<th>{escape(lab)}</th>" for _, _, lab in table.columns)
    rows = []
    for r, label in table.rows:
        cells = "".join(
            f'<td class="c {table.value(r, c)}" title="{escape(table.value(r, c) or "not coded")}">'
            f"{escape(SYMBOLS[table.value(r, c)])}</td>" for c, _, _ in table.columns)
        rows.append(f"<tr><th scope=\"row\">{escape(label)}</th>{cells}</tr>")
    return (f"<table>\n<caption>{escape(table.title)}</caption>\n<thead><tr><th>{escape(table.row_kind.capitalize())}"
            f"</th>{head}</tr></thead>\n<tbody>\n" + "\n".join(rows) + f"\n</tbody>\n</table>\n"
            f'<p class="legend">{escape(LEGEND)}</p>\n')


def gap_html(gaps: GapMatrix) -> str:
    head = "".join(f"<th>{escape(lab)}</th>" for _, lab in gaps.nas_types)
    rows = []
    for c, label in gaps.challenges:
        cells = "".join(
            f'<td class="c{"" if gaps.count(c, n) else " gap"}">{gaps.count(c, n) or "·"}</td>' for n, _ in gaps.nas_types)
        rows.append(f"<tr><th scope=\"row\">{escape(label)}</th>{cells}</tr>")
    empty = gaps.empty_cells()
    items = "".join(f"<li>{escape(cl)} × {escape(nl)}</li>" for cl, nl in empty)
    return (f"<table><thead><tr><th>Challenge \\ NAS type</th>{head}</tr></thead><tbody>" + "".join(rows)
            + f"</tbody></table>\n<details><summary>Candidate research directions: {len(empty)} empty cells</summary>"
            f"<ul>{items}</ul></details>\n")


def taxonomy_html(tree: list[TaxonNode]) -> str:
    def item(node: TaxonNode) -> str:
        kids = "".join(item(k) for k in node.children)
        desc = f": <span class=\"legend\">{escape(node.definition)}</span>" if node.definition else ""
        return f"<li><strong>{escape(node.label)}</strong>{desc}" + (f"<ul>{kids}</ul>" if kids else "") + "</li>"

    return "<ul>" + "".join(item(c) for c in tree) + "</ul>\n"


def prisma_html(counts: dict[str, Any]) -> str:
    rows = "".join(f"<tr><th scope=\"row\">{escape(str(k))}</th><td>{escape(_fmt(v))}</td></tr>"
                   for k, v in counts.items())
    return f"<table><tbody>{rows}</tbody></table>\n"


def _fmt(value: Any) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items()) or "—"
    return str(value)


def data_uri(path: Path) -> str:
    media = {".png": "image/png", ".svg": "image/svg+xml"}[path.suffix]
    return f"data:{media};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def img(path: Path, alt: str) -> str:
    return (f'<figure><img src="{data_uri(path)}" alt="{escape(alt)}">'
            f'<figcaption class="legend">{escape(alt)}</figcaption></figure>\n')


def page(title: str, sections: list[tuple[str, str, str]], subtitle: str = "") -> str:
    """``sections``: (anchor, heading, HTML body) in order."""
    nav = "".join(f'<a href="#{a}">{escape(h)}</a>' for a, h, _ in sections)
    body = "".join(f'<section id="{a}"><h2>{escape(h)}</h2>\n{html}</section>\n' for a, h, html in sections)
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{escape(title)}</title>"
            f"<style>{CSS}</style></head><body>\n<h1>{escape(title)}</h1>\n<p class=\"legend\">{escape(subtitle)}</p>\n"
            f"<nav>{nav}</nav>\n{body}</body></html>\n")
