"""Real typeset sample papers (template filler text, real layouts)."""

ACM_AUTHORS = ["Ben Trovato", "G.K.M. Tobin", "Lars Thørväld", "Valerie Béranger", "Aparna Patel",
               "Huifen Chan", "Charles Palmer", "John Smith", "Julius P. Kumquat"]


def test_acm_sigconf_two_column(real_pdf):
    doc = real_pdf("sample-sigconf")
    assert doc.title == "The Name of the Title Is Hope"
    assert sorted(doc.authors) == sorted(ACM_AUTHORS)
    assert doc.abstract.startswith("A clear and well-documented")
    assert doc.keywords == ["datasets", "neural networks", "gaze detection", "text tagging"]
    headings = [s.heading for s in doc.sections]
    assert headings[:3] == ["Abstract", "1 INTRODUCTION", "2 TEMPLATE OVERVIEW"]
    assert {"2.1 Template Styles": 2, "11.2 Display Equations": 2}.items() <= {s.heading: s.level for s in doc.sections}.items()
    assert len(doc.references) == 38
    assert doc.references[1].authors == ["Patricia S. Abril", "Robert Plant"]
    assert doc.references[1].year == 2007 and doc.references[1].doi == "10.1145/1188913.1188915"
    assert doc.references[2].title == "Predicate Path expressions"
    assert len(doc.page_starts) == 6 and doc.page_starts == sorted(doc.page_starts)
    # running headers, page footers and the permission block are not body text
    assert "Woodstock, NY" not in doc.text and "Permission to make digital" not in doc.text
    assert "[1] Rafal Ablamowicz" not in doc.text


def test_acm_small_single_column(real_pdf):
    doc = real_pdf("sample-acmsmall")
    assert doc.title == "The Name of the Title Is Hope"
    assert sorted(doc.authors) == sorted(ACM_AUTHORS)
    assert doc.abstract.startswith("A clear and well-documented")
    assert len(doc.references) == 38
    assert "J. ACM, Vol. 37" not in doc.text and "Trovato et al." not in doc.text


def test_lncs(real_pdf):
    doc = real_pdf("example_llncs_nocrop")
    assert doc.title.startswith("A Simple Example of the llncsconf Package for L")
    assert doc.authors == ["Achim D. Brucker"]
    assert doc.abstract.startswith("Lorem ipsum dolor sit amet")
    assert [s.heading for s in doc.sections] == ["Abstract", "1 Introduction", "2 Contribution", "3 Conclusion"]
    assert doc.references == [] and len(doc.page_starts) == 4


def test_elsevier_double_column(real_pdf):
    doc = real_pdf("dc-sample")
    assert doc.title == "This is a specimen title"
    assert doc.authors == ["Sir J.K. Krishnan", "Han Thane", "William J. Hansen Jr", "T. Rafeeq"]
    assert [s.heading for s in doc.sections][:2] == ["1. Introduction", "2. Installation"]


def test_aip_revtex_unheaded_references(real_pdf):
    doc = real_pdf("aipsamp")
    assert doc.title == "Sample Title: with Forced Linebreak"
    assert doc.authors == ["A. Author", "B. Author", "C. Author"]
    assert doc.abstract.startswith("An article usually includes an abstract")
    assert doc.keywords == ["Suggested keywords"]
    assert len(doc.references) >= 40
    assert doc.references[1].arxiv == "hep-th/0106109"
    assert any(r.doi == "10.1029/2002JD002268" for r in doc.references)
    levels = {s.heading: s.level for s in doc.sections}
    assert levels["II. MATH AND EQUATIONS"] == 1 and levels["A. Multiline equations"] == 2


def test_sentences_carry_pages(real_pdf):
    from pipeline.propose.nlp import annotate

    doc = annotate(real_pdf("sample-sigconf"))
    assert len(doc.sentences) > 100
    assert {s.page for s in doc.sentences} == {1, 2, 3, 4, 5, 6}
    assert all(doc.text[s.start:s.end] == s.text for s in doc.sentences)
