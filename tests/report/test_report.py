"""`fedatlas report`: every file is produced and non-empty; the LaTeX compiles where TeX exists."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

EXPECTED = [
    *(f"{stem}.{ext}" for stem in ("method_x_challenge", "technique_x_challenge") for ext in ("md", "csv", "tex", "html")),
    *(f"{stem}_heatmap.{ext}" for stem in ("method_x_challenge", "technique_x_challenge") for ext in ("png", "svg")),
    "prisma.png", "prisma.svg", "prisma.json", "prisma.csv", "taxonomy.md", "taxonomy.png", "taxonomy.svg",
    "gaps.md", "gaps.csv", "gaps.png", "gaps.svg", "cooccurrence.graphml", "cooccurrence.png", "cooccurrence.svg",
    "index.html",
]


@pytest.fixture(scope="module")
def report_dir(evidence_template, tmp_path_factory):
    from pipeline.report import build_report
    from pipeline.store import open_store

    out = tmp_path_factory.mktemp("report")
    files = build_report(open_store(evidence_template), out)
    assert sorted(p.name for p in files) == sorted(EXPECTED)
    return out


@pytest.mark.parametrize("name", EXPECTED)
def test_file_written_and_not_empty(report_dir, name):
    path = report_dir / name
    assert path.is_file() and path.stat().st_size > 0
    if name.endswith(".png"):
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if name.endswith((".svg", ".graphml")):
        ET.parse(path)  # well-formed XML


def test_tables_in_every_format_show_the_symbols(report_dir):
    md = (report_dir / "method_x_challenge.md").read_text()
    assert "| FedNAS (Xu et al.) |" in md and "±" in md  # Xu: groups towards, early dropping against non-IID
    assert "mixed" in (report_dir / "method_x_challenge.csv").read_text()
    tex = (report_dir / "technique_x_challenge.tex").read_text()
    assert "\\toprule" in tex and "\\bottomrule" in tex and "$+$" in tex
    html = (report_dir / "technique_x_challenge.html").read_text()
    assert '<td class="c towards"' in html and '<td class="c against"' in html


def test_prisma_counts_from_screening_records(report_dir):
    import json

    counts = json.loads((report_dir / "prisma.json").read_text())
    assert counts["included"] == 3
    assert counts["excluded_reports"] == 3
    assert counts["exclusion_reasons"] == {"Not a FedNAS method (centralised NAS)": 3}
    assert counts["screened"] == 6


def test_taxonomy_is_nested_markdown(report_dir):
    md = (report_dir / "taxonomy.md").read_text()
    assert "- **Candidate evaluation budgeting**" in md
    assert "  - Early dropping of inferior candidates" in md


def test_gap_analysis_lists_empty_cells(report_dir):
    md = (report_dir / "gaps.md").read_text()
    assert "Candidate research directions (117 empty cells)" in md
    assert "- Privacy × Gradient-based / differentiable" in md


def test_graphml_is_the_cooccurrence_network(report_dir):
    import networkx as nx

    g = nx.read_graphml(report_dir / "cooccurrence.graphml")
    edge = g.edges["https://w3id.org/fedatlas/id/technique/early-candidate-dropping",
                   "https://w3id.org/fedatlas/id/challenge/non_iid_data"]
    assert edge["effect"] == "against" and edge["claims"] >= 1
    assert {d["kind"] for _, d in g.nodes(data=True)} == {"technique", "challenge"}


def test_index_html_is_self_contained(report_dir):
    html = (report_dir / "index.html").read_text()
    assert html.count('src="data:image/png;base64,') == 6
    assert not re.search(r'(src|href)="(https?:)?//', html)  # nothing fetched from the network
    assert "<script" not in html
    for anchor in ("method_x_challenge", "technique_x_challenge", "prisma", "taxonomy", "gaps", "network"):
        assert f'id="{anchor}"' in html


def test_html_escapes_store_text(tmp_path):
    from pipeline.report.html import table_html
    from pipeline.report.tables import Table

    t = Table("<b>T</b>", "technique", [("x", "<script>alert(1)</script>")], [("c", "k", "A & B")], {("x", "c"): "none"})
    html = table_html(t)
    assert "<script>" not in html and "&lt;script&gt;" in html and "A &amp; B" in html


def test_latex_compiles_as_a_fragment(report_dir, tmp_path):
    engine = shutil.which("pdflatex") or shutil.which("tectonic")
    if not engine:
        pytest.skip("no TeX engine (pdflatex or tectonic) on this machine")
    doc = tmp_path / "check.tex"
    doc.write_text("\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage[utf8]{inputenc}\n"
                   "\\usepackage{booktabs,graphicx}\n\\begin{document}\n"
                   f"\\input{{{report_dir / 'method_x_challenge.tex'}}}\n"
                   f"\\input{{{report_dir / 'technique_x_challenge.tex'}}}\n\\end{{document}}\n")
    cmd = ([engine, "-interaction=nonstopmode", "-halt-on-error", doc.name] if "pdflatex" in engine
           else [engine, doc.name])
    result = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-2000:]
    assert (tmp_path / "check.pdf").stat().st_size > 0


def test_report_command_prints_the_files(seed_store, invoke, tmp_path):
    from pipeline.commands.report import report_cmd

    out = tmp_path / "rep"
    result = invoke(report_cmd, seed_store, "--out", str(out))
    assert result.exit_code == 0, result.output
    listed = [line for line in result.stdout.splitlines() if line.startswith(str(out))]
    assert len(listed) == len(EXPECTED) and str(out / "index.html") in listed
