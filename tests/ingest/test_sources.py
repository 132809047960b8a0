"""BibTeX, RIS, Markdown/text readers, the registry, and bad input."""

from pathlib import Path

import pytest

from pipeline.errors import InputError, UnknownNameError
from pipeline.sources import get_backend, get_reader, read_path

BIB = r"""
@article{xu2021fednas,
  title = {Federated Neural Architecture Search},
  author = {Xu, Mengwei and Zhao, Yuxin and Bian, Kaigui},
  journal = {arXiv preprint arXiv:1910.06274},
  year = {2019},
  abstract = {To preserve user privacy we search architectures on decentralized data.},
  keywords = {federated learning; NAS}
}
@inproceedings{broken1,
  title = {Never closed,
  author = {Nobody}

@inproceedings{dai2021fbnetv3,
  title = {{FBNetV3}: Joint Architecture-Recipe Search using Predictor Pretraining},
  author = {Dai, Xiaoliang and Wan, Alvin and M{\"u}ller, Peter},
  booktitle = {CVPR},
  year = 2021,
  doi = {10.1109/CVPR46437.2021.01601}
}
@misc{liu2019darts, title = {DARTS}, author = {Liu, Hanxiao}, year = {2019}, eprint = {1806.09055}, archivePrefix = {arXiv}}
"""

RIS = """TY  - JOUR
AU  - Xu, Mengwei
AU  - Zhao, Yuxin
TI  - Federated Neural Architecture Search
T2  - arXiv
PY  - 2019
DO  - 10.48550/arXiv.1910.06274
UR  - https://arxiv.org/abs/1910.06274
AB  - Architectures are searched on decentralized data.
KW  - federated learning
KW  - NAS
ER  - 
TY  - CONF
AU  - Dai, Xiaoliang
PY  - 2021
ER  - 
TY  - CONF
AU  - Yu, Kaicheng
TI  - An Analysis of Super-Net Heuristics in Weight-Sharing NAS
PY  - 2021
ER  - 
"""


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return path


def test_bibtex_good_entries_survive_broken_one(tmp_path):
    docs, problems = read_path(write(tmp_path, "export.bib", BIB))
    assert [d.sources[0].record for d in docs] == ["xu2021fednas", "dai2021fbnetv3", "liu2019darts"]
    assert len(problems) == 1 and "export.bib: line" in problems[0] and "broken1" in problems[0]
    xu, dai, liu = docs
    assert xu.authors == ["Mengwei Xu", "Yuxin Zhao", "Kaigui Bian"] and xu.year == 2019
    assert xu.arxiv == "1910.06274" and xu.keywords == ["federated learning", "NAS"]
    assert xu.text == "Federated Neural Architecture Search\n\n" + xu.abstract
    assert dai.title.startswith("FBNetV3: Joint") and dai.authors[2] == "Peter Müller"
    assert dai.doi == "10.1109/CVPR46437.2021.01601" and dai.venue == "CVPR"
    assert liu.arxiv == "1806.09055"
    assert xu.sources[0].kind == "bibtex" and xu.sources[0].sha256 != dai.sources[0].sha256


def test_latin1_bibtex_is_read_with_a_note(tmp_path):
    data = "@article{k, title={Caf\u00e9 search}, author={M\u00fcller, Peter}, year={2020}}".encode("latin-1")
    result = read_path(write(tmp_path, "old.bib", data))
    docs, notes = result.documents, result.notes
    assert docs[0].title == "Café search" and docs[0].authors == ["Peter Müller"]
    assert result.problems == []  # read completely: a note, not a failure
    assert notes and "latin-1" in notes[0] and notes[0].startswith("old.bib:")


def test_utf8_bom_text(tmp_path):
    docs, problems = read_path(write(tmp_path, "bom.md", b"\xef\xbb\xbf# Title here\n\nBody."))
    assert docs[0].title == "Title here" and problems == []


def test_ris_records(tmp_path):
    docs, problems = read_path(write(tmp_path, "export.ris", RIS))
    assert [d.title for d in docs] == ["Federated Neural Architecture Search",
                                        "An Analysis of Super-Net Heuristics in Weight-Sharing NAS"]
    assert problems == ["export.ris: line 13: record 2: no title (TI/T1); skipped"]
    assert docs[0].authors == ["Xu, Mengwei", "Zhao, Yuxin"] and docs[0].arxiv == "1910.06274"
    assert docs[0].doi == "10.48550/arXiv.1910.06274" and docs[0].keywords == ["federated learning", "NAS"]
    assert docs[0].sources[0].kind == "ris" and docs[0].sources[0].record == "1"


def test_markdown_sections_and_abstract(tmp_path):
    md = "# A FedNAS Paper\n\n## Abstract\n\nWe search.\n\n## 1 Intro\n\nText.\n\n### 1.1 Sub\n\nMore.\n"
    doc = read_path(write(tmp_path, "p.md", md)).documents[0]
    assert doc.title == "A FedNAS Paper" and doc.abstract == "We search."
    assert [(s.heading, s.level) for s in doc.sections] == [("Abstract", 2), ("1 Intro", 2), ("1.1 Sub", 3)]
    intro = doc.sections[1]
    assert doc.text[intro.start:intro.end].rstrip().endswith("More.")
    assert doc.sources[0].kind == "markdown"


def test_plain_text_title_is_first_line(tmp_path):
    doc = read_path(write(tmp_path, "p.txt", "\n\nSome Title\nbody text.")).documents[0]
    assert doc.title == "Some Title" and doc.sources[0].kind == "text"


def test_registry_lookup_and_unknown_names(tmp_path):
    assert get_reader("bib").name == "bibtex" and get_reader(".ris").name == "ris"
    with pytest.raises(UnknownNameError, match="known: bibtex, csv, markdown, pdf, ris, text"):
        get_reader("docx")
    with pytest.raises(UnknownNameError, match="known: pymupdf, pymupdf-text"):
        get_backend("pdfminer")
    with pytest.raises(InputError, match="unknown file type '.docx'"):
        read_path(write(tmp_path, "x.docx", "hello"))


def test_sniffing_unknown_extension(tmp_path):
    docs, _ = read_path(write(tmp_path, "export.dat", RIS))
    assert len(docs) == 2


# -- bad PDFs: one clear line naming the file -------------------------------------------

def one_line(exc: pytest.ExceptionInfo, *words: str) -> None:
    msg = str(exc.value)
    assert "\n" not in msg and msg.startswith("E300: ")
    for word in words:
        assert word in msg


def test_empty_pdf(tmp_path):
    with pytest.raises(InputError) as exc:
        read_path(write(tmp_path, "empty.pdf", b""))
    one_line(exc, "empty.pdf", "empty (0 bytes)")


def test_not_a_pdf(tmp_path):
    with pytest.raises(InputError) as exc:
        read_path(write(tmp_path, "fake.pdf", "<html>not a pdf</html>"))
    one_line(exc, "fake.pdf", "not a PDF")


def test_truncated_pdf(tmp_path, typst_pdf):
    data = typst_pdf.read_bytes()
    with pytest.raises(InputError) as exc:
        read_path(write(tmp_path, "cut.pdf", data[: len(data) // 2]))
    one_line(exc, "cut.pdf", "truncated")


def test_encrypted_pdf(tmp_path, typst_pdf):
    import pymupdf

    doc = pymupdf.open(typst_pdf)
    out = tmp_path / "locked.pdf"
    doc.save(out, encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="u", owner_pw="o")
    with pytest.raises(InputError) as exc:
        read_path(out)
    one_line(exc, "locked.pdf", "encrypted")


def test_image_only_pdf(tmp_path):
    import pymupdf

    doc = pymupdf.open()
    page = doc.new_page()
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 200, 100), False)
    pix.clear_with(200)
    page.insert_image(pymupdf.Rect(50, 50, 450, 250), pixmap=pix)
    out = tmp_path / "scan.pdf"
    doc.save(out)
    with pytest.raises(InputError) as exc:
        read_path(out)
    one_line(exc, "scan.pdf", "no text layer")


def test_missing_file(tmp_path):
    with pytest.raises(InputError) as exc:
        read_path(tmp_path / "nope.pdf")
    one_line(exc, "nope.pdf", "no such file")


def test_bibtex_plain_values_skip_the_latex_decoder_with_the_same_result():
    """The fast path (no LaTeX syntax: the value is its own decoding) gives what the decoder gives."""
    import random

    from bibtexparser.middlewares.latex_encoding import LatexDecodingMiddleware

    from pipeline.sources.bibtex import LATEX_SYNTAX, _BoundedLatexDecoding

    full, fast = LatexDecodingMiddleware(), _BoundedLatexDecoding()
    rng = random.Random(0)
    alphabet = [chr(c) for c in range(32, 127)] + ["\n", "\t", "é", "–", "中", "\u00a0"]
    plain = 0
    for _ in range(3000):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24)))
        plain += not LATEX_SYNTAX.search(value)
        assert fast._transform_python_value_string(value) == full._transform_python_value_string(value), value
    assert plain > 300  # the fast path was taken, not only the decoder
    for latex in ("Caf\\'e", "x -- y", "50\\% of {NAS}", "``quoted''", "{NAS} search", "a~b"):
        assert fast._transform_python_value_string(latex)[0] != latex  # still decoded
