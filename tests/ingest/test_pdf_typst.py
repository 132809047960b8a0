"""Ground truth: a two-column paper typeset here with typst (see typst_paper.py)."""

import typst_paper as gt


def test_metadata(typst_doc):
    assert typst_doc.title == gt.TITLE
    assert typst_doc.authors == gt.AUTHORS
    assert typst_doc.abstract == gt.ABSTRACT
    assert typst_doc.sources[0].kind == "pdf" and len(typst_doc.sources[0].sha256) == 64


def test_sections(typst_doc):
    assert [(s.heading, s.level) for s in typst_doc.sections] == [("Abstract", 1)] + [
        (h, 2 if "." in h.split()[0] else 1) for h in gt.HEADINGS]
    intro = typst_doc.sections[1]
    assert typst_doc.text[intro.start:intro.end].startswith("1 Introduction\n\n" + gt.MARKERS[0])


def test_reading_order_across_columns_and_pages(typst_doc):
    text = typst_doc.text
    positions = [text.index(m) for m in gt.MARKERS]
    assert positions == sorted(positions)
    for k in range(len(gt.MARKERS)):  # every paragraph survives column breaks whole
        start = text.index(gt.MARKERS[k])
        assert f"Paragraph {k + 1} ends here" in text[start:start + 2000]
        assert "\n" not in text[start:text.index(f"Paragraph {k + 1} ends here")]
    assert len(typst_doc.page_starts) == 2 and typst_doc.page_of(text.index(gt.MARKERS[-1])) == 2


def test_headers_captions_footnotes_stay_out(typst_doc):
    assert "Preprint" not in typst_doc.text and "FedNAS on Mobile Clients" not in typst_doc.text
    assert "Overview of the client groups" not in typst_doc.text
    assert "must not reach the body" not in typst_doc.text
    assert typst_doc.extra["captions"] == ["Figure 1: Overview of the client groups."]
    assert "A footnote that must not reach the body." in typst_doc.extra["footnotes"][0]
    assert "References" not in [s.heading for s in typst_doc.sections]


def test_references(typst_doc):
    refs = typst_doc.references
    assert [r.title for r in refs] == gt.REF_TITLES
    assert refs[0].authors == ["B. McMahan", "E. Moore", "D. Ramage"]
    assert refs[0].doi == "10.48550/arXiv.1602.05629" and refs[0].year == 2017
    assert refs[1].arxiv == "1806.09055" and refs[1].year == 2019
    assert refs[3].venue == "Proceedings of Machine Learning and Systems"
    assert refs[4].doi == "10.1109/TMC.2021.1234567"


def test_plain_backend_is_swappable(typst_pdf):
    from pipeline.sources.pdf import read_pdf

    doc = read_pdf(typst_pdf, backend="pymupdf-text").documents[0]
    assert doc.title == gt.TITLE and gt.MARKERS[0] in doc.text
