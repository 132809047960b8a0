"""A paper's own DOI and arXiv id come from its front matter, never from what it cites."""

from __future__ import annotations

import pytest

from atlas_testing import SHARED

SHARED_PDFS = SHARED / "pdfs"

CITING = r"""
#set page(paper: "a4")
#align(center, text(17pt, weight: "bold")[Heterogeneity-Aware Federated Architecture Search for Wearables])
#align(center)[Ana Lima and Bo Chen \ University of Somewhere]
#heading(numbering: none)[Abstract]
We search architectures for wearable clients under tight memory budgets, extending FedNAS.

= Introduction
He et al. introduced FedNAS (arXiv:2004.08546) and Zhu and Jin (doi:10.1109/TEVC.2021.3099448) searched architectures with evolution. Our method differs in the budget model.

#heading(numbering: none)[References]
\[1\] C. He, M. Annavaram, and S. Avestimehr. FedNAS: Federated deep learning via neural architecture search. arXiv:2004.08546 \[cs.LG\], 2020.

\[2\] H. Zhu and Y. Jin. Real-time federated evolutionary neural architecture search. IEEE TEVC, 2022. https://doi.org/10.1109/TEVC.2021.3099448
"""

OWN = r"""
#set page(paper: "a4", header: align(right, text(8pt)[arXiv:2101.00001v2 \[cs.LG\] 3 Jan 2021]), footer: text(8pt)[DOI: 10.1145/1234567.7654321])
#align(center, text(17pt, weight: "bold")[Budget-Constrained Federated Architecture Search])
#align(center)[Ana Lima and Bo Chen \ University of Somewhere]
#heading(numbering: none)[Abstract]
We search architectures for wearable clients under tight memory budgets, extending FedNAS.

= Introduction
He et al. introduced FedNAS (arXiv:2004.08546) and we build on it with a budget model for every client.
"""


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory):
    typst = pytest.importorskip("typst")
    d = tmp_path_factory.mktemp("ids")
    out = {}
    for name, src in (("citing", CITING), ("own", OWN)):
        (d / f"{name}.typ").write_text(src, encoding="utf-8")
        typst.compile(str(d / f"{name}.typ"), output=str(d / f"{name}.pdf"))
        out[name] = d / f"{name}.pdf"
    return out


def test_cited_ids_on_page_one_are_not_the_papers_own(pdfs):
    from pipeline.sources import read_path

    doc = read_path(pdfs["citing"]).documents[0]
    assert doc.title.startswith("Heterogeneity-Aware")
    assert {r.arxiv for r in doc.references} >= {"2004.08546"}
    assert doc.arxiv is None and doc.doi is None


def test_own_ids_from_header_and_footer(pdfs):
    from pipeline.sources import read_path

    doc = read_path(pdfs["own"]).documents[0]
    assert doc.arxiv == "2101.00001" and doc.doi == "10.1145/1234567.7654321"


def test_acm_sample_takes_no_id_from_its_references():
    from pipeline.sources import read_path

    path = SHARED_PDFS / "sample-acmsmall.pdf"
    if not path.exists():
        pytest.skip(f"{path} not available")
    doc = read_path(path).documents[0]
    cited = {r.doi for r in doc.references if r.doi} | {r.arxiv for r in doc.references if r.arxiv}
    assert cited, "the sample cites DOIs and arXiv ids"
    assert doc.doi is None and doc.arxiv is None  # its own DOI is the placeholder XXXXXXX.XXXXXXX
