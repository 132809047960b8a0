"""The review's two overview tables: technique x challenge and method x challenge.

Technique cells come from the current effect assessments (any graph; an
assessment is current until a later decision invalidates it with
``prov:invalidatedAtTime``). When the current assessments of different coders
disagree, the cell is *disputed* until they resolve it.

Methods are every method of the review, bundled or curated: the methods read
model (``pipeline.curate.methods``) keeps ``fad:graph/methods`` current, so a
paper included at full text whose technique codes were accepted gets a row.
The method table has one row per method with at least one coded technique.

Aggregation rule for a method (documented in README): a method's effect on a
challenge combines the cells of the techniques it uses for that challenge:

* no technique cell coded                -> blank (not coded)
* every coded cell is ``none``           -> none (0)
* the non-none cells are all ``towards`` -> towards (+)
* the non-none cells are all ``against`` -> against (−)
* both towards and against occur         -> mixed (±): the method helps the
  challenge with one technique and hurts it with another, as the review's
  practitioners need to see, rather than a net score that hides the trade-off
* any disputed technique cell            -> disputed (?) until coders agree
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field

from pipeline.curate.effects import POLARITY_BY_IRI, current_assessments
from pipeline.store import Store
from pipeline.vocab import CURATION_GRAPH

SYMBOLS = {"towards": "+", "against": "−", "none": "0", "mixed": "±", "disputed": "?", "": ""}
LATEX_SYMBOLS = {"towards": "$+$", "against": "$-$", "none": "$0$", "mixed": "$\\pm$", "disputed": "?", "": ""}


@dataclass
class Table:
    """Rows x challenges with one value per cell (towards/against/none/mixed/disputed/'')."""

    title: str
    row_kind: str  # "technique" | "method"
    rows: list[tuple[str, str]]  # (iri, label)
    columns: list[tuple[str, str, str]]  # (iri, key, label)
    cells: dict[tuple[str, str], str] = field(default_factory=dict)

    def value(self, row_iri: str, col_iri: str) -> str:
        return self.cells.get((row_iri, col_iri), "")

    def to_dict(self) -> dict:
        return {
            "title": self.title,
            "row_kind": self.row_kind,
            "columns": [{"iri": c, "key": k, "label": lab} for c, k, lab in self.columns],
            "rows": [
                {"iri": r, "label": lab, "effects": {k: self.value(r, c) for c, k, _ in self.columns}}
                for r, lab in self.rows
            ],
        }


def challenges(store: Store) -> list[tuple[str, str, str]]:
    rows = store.select("""
        SELECT ?c ?key ?label ?n WHERE { GRAPH ?g {
          ?c a fa:Challenge ; fa:key ?key ; skos:prefLabel ?label ; skos:notation ?n } }""")
    rows.sort(key=lambda r: int(str(r["n"]).lstrip("C")))
    return [(r["c"], r["key"], r["label"]) for r in rows]




def technique_cells(store: Store) -> dict[tuple[str, str], str]:
    """(technique, challenge) -> polarity, 'disputed' where current coders disagree."""
    latest: dict[tuple[str, str, str], tuple[str, str]] = {}
    for r in current_assessments(store):
        pol = POLARITY_BY_IRI[r["pol"].rsplit("#", 1)[-1]]
        key = (r["t"], r["c"], r["coder"] or "")
        time = str(r["time"] or "")
        if key not in latest or time >= latest[key][0]:
            latest[key] = (time, pol)
    by_cell: dict[tuple[str, str], set[str]] = {}
    for (t, c, _coder), (_time, pol) in latest.items():
        by_cell.setdefault((t, c), set()).add(pol)
    return {cell: (pols.pop() if len(pols) == 1 else "disputed") for cell, pols in by_cell.items()}


def aggregate(values: list[str]) -> str:
    """The method-level rule (module docstring) over its techniques' cells."""
    coded = [v for v in values if v]
    if not coded:
        return ""
    if "disputed" in coded:
        return "disputed"
    effective = {v for v in coded if v != "none"}
    if not effective:
        return "none"
    if effective == {"towards"}:
        return "towards"
    if effective == {"against"}:
        return "against"
    return "mixed"


def _labels(store: Store, cls: str, prop: str) -> dict[str, str]:
    """IRI -> label; a label set by curation (a rename) wins over the corpus one."""
    # sparql: rendered (code constants)
    rows = store.select(f"SELECT ?x ?g ?l WHERE {{ GRAPH ?g0 {{ ?x a {cls} }} GRAPH ?g {{ ?x {prop} ?l }} }}")
    out: dict[str, str] = {}
    for r in rows:
        if r["g"] == CURATION_GRAPH.value or r["x"] not in out:
            out[r["x"]] = r["l"]
    return out


def replacements(store: Store) -> dict[str, str]:
    """Merged (deprecated) technique -> the technique it now lives in (chains followed)."""
    direct = {r["t"]: r["into"] for r in store.select(
        "SELECT ?t ?into WHERE { GRAPH ?g { ?t dcterms:isReplacedBy ?into } }")}
    out = {}
    for t in direct:
        seen, cur = {t}, direct[t]
        while cur in direct and cur not in seen:
            seen.add(cur)
            cur = direct[cur]
        out[t] = cur
    return out


def techniques(store: Store) -> list[tuple[str, str]]:
    deprecated = {r["t"] for r in store.select("SELECT ?t WHERE { GRAPH ?g { ?t owl:deprecated true } }")}
    labels = _labels(store, "fa:AdaptationTechnique", "skos:prefLabel")
    return sorted(((t, lab) for t, lab in labels.items() if t not in deprecated), key=lambda x: x[1].lower())


def methods(store: Store) -> list[tuple[str, str, list[str]]]:
    """Methods with their techniques (a merged technique counts as the one it merged into)."""
    labels = _labels(store, "fa:FedNASMethod", "rdfs:label")
    uses: dict[str, set[str]] = {m: set() for m in labels}
    moved = replacements(store)
    for r in store.select("SELECT ?m ?t WHERE { GRAPH ?g { ?m fa:usesTechnique ?t } }"):
        technique: str = r["t"]
        if r["m"] in uses:
            uses[r["m"]].add(moved.get(technique, technique))
    return sorted(((m, labels[m], sorted(uses[m])) for m in labels), key=lambda x: x[1].lower())


def technique_table(store: Store) -> Table:
    cols = challenges(store)
    cells = technique_cells(store)
    rows = techniques(store)
    table = Table("Adaptation technique x FedNAS challenge", "technique", rows, cols)
    for t, _ in rows:
        for c, _, _ in cols:
            if (t, c) in cells:
                table.cells[(t, c)] = cells[(t, c)]
    return table


def method_table(store: Store) -> Table:
    cols = challenges(store)
    cells = technique_cells(store)
    ms = [m for m in methods(store) if m[2]]  # a row for every method with coded techniques
    table = Table("FedNAS method x FedNAS challenge", "method", [(m, lab) for m, lab, _ in ms], cols)
    for m, _, ts in ms:
        for c, _, _ in cols:
            table.cells[(m, c)] = aggregate([cells.get((t, c), "") for t in ts])
    return table


def overview_tables(store: Store) -> list[Table]:
    with store.session():
        return [method_table(store), technique_table(store)]


# ---- renderers ---------------------------------------------------------------

LEGEND = "+ towards · − against · 0 none · ± mixed · ? disputed · blank: not coded"


def to_markdown(table: Table) -> str:
    head = [table.row_kind.capitalize()] + [lab for _, _, lab in table.columns]
    lines = [f"### {table.title}", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r, label in table.rows:
        vals = [SYMBOLS[table.value(r, c)] for c, _, _ in table.columns]
        lines.append("| " + " | ".join([label.replace("|", "\\|")] + vals) + " |")
    lines += ["", LEGEND, ""]
    return "\n".join(lines)


def to_csv(table: Table) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([table.row_kind, f"{table.row_kind}_iri"] + [k for _, k, _ in table.columns])
    for r, label in table.rows:
        w.writerow([label, r] + [table.value(r, c) for c, _, _ in table.columns])
    return buf.getvalue()


_TEX_ESCAPES = {"\\": "\\textbackslash{}", "&": "\\&", "%": "\\%", "$": "\\$", "#": "\\#", "_": "\\_",
                "{": "\\{", "}": "\\}", "~": "\\textasciitilde{}", "^": "\\^{}",
                "−": "$-$", "±": "$\\pm$", "·": "\\textperiodcentered{}", "×": "$\\times$"}


def _tex(text: str) -> str:
    """Escape LaTeX specials and map the table's Unicode symbols, so pdflatex compiles it."""
    return "".join(_TEX_ESCAPES.get(ch, ch) for ch in text)


def to_latex(table: Table) -> str:
    """A booktabs table ready for a paper (needs \\usepackage{booktabs,graphicx})."""
    ncol = len(table.columns)
    lines = [
        "% FedNAS Atlas overview table; requires \\usepackage{booktabs,graphicx}",
        "\\begin{table}[t]", "\\centering", "\\small",
        f"\\caption{{{_tex(table.title)}. {_tex(LEGEND)}}}",
        "\\begin{tabular}{l" + "c" * ncol + "}", "\\toprule",
        _tex(table.row_kind.capitalize()) + " & "
        + " & ".join(f"\\rotatebox{{90}}{{{_tex(lab)}}}" for _, _, lab in table.columns) + " \\\\",
        "\\midrule",
    ]
    for r, label in table.rows:
        lines.append(_tex(label) + " & " + " & ".join(LATEX_SYMBOLS[table.value(r, c)] for c, _, _ in table.columns) + " \\\\")
    lines += ["\\bottomrule", "\\end{tabular}", "\\end{table}", ""]
    return "\n".join(lines)


def render(tables: list[Table], fmt: str) -> str:
    if fmt == "markdown":
        return "\n".join(to_markdown(t) for t in tables)
    if fmt == "csv":
        return "\n".join(to_csv(t) for t in tables)
    if fmt == "latex":
        return "\n".join(to_latex(t) for t in tables)
    if fmt == "json":
        return json.dumps([t.to_dict() for t in tables], indent=2, ensure_ascii=False)
    raise ValueError(fmt)
