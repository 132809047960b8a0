"""Markdown/plain-text reader: the reference list goes to ``doc.references``, not ``doc.text``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from atlas_testing import ROOT
from pipeline.sources import read_path
from pipeline.sources.references import parse_reference

SEEDS = ROOT / "corpus" / "seeds"


@pytest.fixture(scope="module")
def xu():
    return read_path(SEEDS / "001-xu-fednas.md").documents[0]


@pytest.fixture(scope="module")
def coetzee():
    return read_path(SEEDS / "000-coetzee-review-method.md").documents[0]


def _marker_count(path: Path, heading: str) -> int:
    """Entries "[n]" at the start of list items after the reference heading (ground truth)."""
    text = path.read_text(encoding="utf-8")
    tail = text[text.rindex(heading):]
    numbers = [int(n) for n in re.findall(r"^- \[(\d+)\]", tail, re.M)]
    assert numbers == list(range(1, len(numbers) + 1))
    return len(numbers)


def test_xu_reference_count_and_text(xu):
    # the brief said 36; the file numbers them [1]..[37]
    assert _marker_count(SEEDS / "001-xu-fednas.md", "## REFERENCES") == 37
    assert len(xu.references) == 37
    assert [r.raw.split("]")[0] for r in xu.references] == [f"[{i}" for i in range(1, 38)]
    assert "REFERENCES" not in xu.text and "BENDER, G." not in xu.text and "[37] ZOPH" not in xu.text
    assert xu.text.rstrip().endswith("with tolerable computational and communication cost on clients.")
    assert [s.heading for s in xu.sections][-1] == "6 CONCLUSION"
    assert xu.sections[-1].end == len(xu.text)
    assert xu.title == "Federated Neural Architecture Search" and xu.abstract


def test_xu_reference_fields(xu):
    refs = xu.references
    r4 = refs[3]
    assert r4.authors[:2] == ["G. BENDER", "P. KINDERMANS"] and r4.authors[-1] == "Q. V. LE"
    assert r4.title == "Understanding and simplifying one-shot architecture search" and r4.year == 2018
    assert r4.venue.startswith("Proceedings of the 35th International Conference on Machine Learning")
    assert "*" not in r4.raw  # markdown emphasis removed
    assert refs[4].title == "Towards federated learning at scale: System design" and "ET AL" not in refs[4].authors
    assert refs[6].arxiv == "1708.05344" and refs[6].year == 2017
    assert refs[6].title == "Smash: one-shot model architecture search through hypernetworks"
    assert refs[8].authors == ["H. CAI", "L. ZHU", "S. HAN"]
    assert refs[23].arxiv == "1602.05629"
    assert refs[23].title == "Communication-efficient learning of deep networks from decentralized data"
    assert refs[35].authors == ["B. ZOPH", "Q. V. LE"] and refs[35].year == 2017
    assert refs[35].title == "Neural architecture search with reinforcement learning"
    assert (refs[0].authors, refs[0].title, refs[0].year) == ([], "Ai benchmark", 2019)
    assert refs[10].title == "Imagenet: A large-scale hierarchical image database" and refs[10].year == 2009
    assert sum(r.arxiv is not None for r in refs) == 10  # 9 "arXiv:" + CoRR abs/1704.04861
    assert refs[15].arxiv == "1704.04861"


def test_coetzee_plain_bibliography_heading(coetzee):
    # "Bibliography" is a line of its own (no '#'); the table-of-contents line "Bibliography\t18" is not it
    assert _marker_count(SEEDS / "000-coetzee-review-method.md", "\nBibliography\n") == 25
    assert len(coetzee.references) == 25
    assert "Bibliography\t18" in coetzee.text and "\nBibliography\n" not in coetzee.text
    assert "Arbaoui" not in coetzee.text and "Galtier" not in coetzee.text


def test_coetzee_reference_fields(coetzee):
    refs = coetzee.references
    assert refs[0].doi == "10.1145/3678182" and refs[0].year == 2024
    assert refs[0].title == ("Federated learning survey: A multi-level taxonomy of aggregation techniques, "
                             "experimental insights, and future frontiers")
    assert refs[0].authors[:2] == ["M. Arbaoui", "M.-A. Brahmia"]
    fedoras = refs[4]
    assert fedoras.raw.startswith("[5] L. Dudziak")
    assert fedoras.title == "FedorAS: Federated architecture search under system heterogeneity"
    assert fedoras.arxiv == "2206.11239" and fedoras.year == 2022
    assert fedoras.authors == ["L. Dudziak", "S. Laskaridis", "J. Fernandez-Marques"]
    assert refs[8].title == ("Towards Non-I.I.D. and invisible data with FedNAS: Federated deep learning via "
                             "neural architecture search")  # italic span kept whole across "I.I.D."
    assert refs[8].arxiv == "2004.08546"
    assert refs[13].doi == "10.1016/j.compeleceng.2023.108867"  # from <https://doi.org/...>
    assert refs[15].raw.endswith("arXiv: 2210.08871 [cs.LG].") and "M. Galtier" in refs[15].authors  # split item
    assert refs[15].title == "Industry-scale orchestrated federated learning for drug discovery"
    assert refs[16].doi == "10.1136/bmj.n71" and refs[16].year == 2020
    assert refs[23].authors == ["B. Zoph", "Q. V. Le"] and refs[23].arxiv == "1611.01578"
    assert refs[24].doi == "10.1109/CVPR.2018.00907" and refs[24].year == 2018
    assert sum(r.doi is not None for r in refs) == 11


def test_small_markdown_variants(tmp_path):
    md = ("# A Paper\n\n## Abstract\n\nWe search.\n\n## 1 Intro\n\nBody text [1].\n\n"
          "### References\n\n1. Smith, J., Doe, A.: Federated search. In: Proc. X (2020)\n"
          "2. Roe, B.: Another title. Journal Y 3, 1-2 (2019). https://doi.org/10.1000/xyz\n\n"
          "## Appendix A\n\nExtra text.\n")
    path = tmp_path / "p.md"
    path.write_text(md)
    doc = read_path(path).documents[0]
    assert [r.title for r in doc.references] == ["Federated search", "Another title"]
    assert doc.references[1].doi == "10.1000/xyz" and doc.references[0].year == 2020
    assert "Smith, J." not in doc.text and "Extra text." in doc.text and "Body text [1]." in doc.text
    assert [s.heading for s in doc.sections] == ["Abstract", "1 Intro", "Appendix A"]
    appendix = doc.sections[-1]
    assert doc.text[appendix.start:appendix.end].startswith("## Appendix A")


def test_no_reference_heading_keeps_everything(tmp_path):
    path = tmp_path / "p.txt"
    path.write_text("Some Title\n\nWe cite the references of [2] in section References below.\n")
    doc = read_path(path).documents[0]
    assert doc.references == [] and "cite the references" in doc.text


def test_parser_shapes_unchanged_for_common_styles():
    acm = parse_reference("[2] Patricia S. Abril and Robert Plant. 2007. The patent holder's dilemma. Commun. ACM 50, 1")
    assert acm.authors == ["Patricia S. Abril", "Robert Plant"] and acm.title == "The patent holder's dilemma"
    lncs = parse_reference("3. Liu, H., Simonyan, K., Yang, Y.: DARTS: Differentiable architecture search. In: ICLR (2019)")
    assert lncs.authors == ["H. Liu", "K. Simonyan", "Y. Yang"] and lncs.title == "DARTS: Differentiable architecture search"
    ieee = parse_reference('[1] H. Liu, K. Simonyan, and Y. Yang, "DARTS: Differentiable architecture search," in ICLR, 2019.')
    assert ieee.title == "DARTS: Differentiable architecture search" and ieee.year == 2019


def test_seed_texts_titles_and_abstracts():
    from atlas_testing import ROOT
    from pipeline.sources import read_path

    expect = {
        "000-coetzee-review-method.md": ("Adaptation Techniques for using NAS Methods in the FL Setting", "Applying techniques"),
        "001-xu-fednas.md": ("Federated Neural Architecture Search", "To preserve user privacy"),
        "003-yu-supernet-heuristics.md": ("An Analysis of Super-Net Heuristics in Weight-Sharing NAS", "Weight sharing promises"),
        "004-dai-fbnetv3.md": ("FBNetV3: Joint Architecture-Recipe Search using Predictor Pretraining", "Neural Architecture Search (NAS) yields"),
    }
    for name, (title, abstract_start) in expect.items():
        doc = read_path(ROOT / "corpus" / "seeds" / name).documents[0]
        assert doc.title == title, name
        assert doc.abstract.startswith(abstract_start), (name, doc.abstract[:80])
        assert "Index Terms" not in doc.abstract
