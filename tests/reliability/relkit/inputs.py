"""Hostile inputs: broken, nested, encrypted and huge PDFs and bibliography files, fixed per seed."""

from __future__ import annotations

import random
from pathlib import Path


def _base_pdf() -> bytes:
    import pymupdf

    doc = pymupdf.open()
    for i in range(2):
        page = doc.new_page()
        page.insert_text((72, 72), f"Federated neural architecture search, page {i + 1}", fontsize=14)
        page.insert_text((72, 110), "Clients hold non-IID data and differ in hardware. We use a supernet.",
                         fontsize=10)
    doc.set_metadata({"title": "Hostile input base paper", "author": "A. Author"})
    data = doc.tobytes()
    doc.close()
    return data


def _encrypted_pdf() -> bytes:
    import pymupdf

    doc = pymupdf.open("pdf", _base_pdf())
    data = doc.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="secret", owner_pw="owner")
    doc.close()
    return data


def _flip(data: bytes, rng: random.Random, n: int) -> bytes:
    b = bytearray(data)
    for _ in range(n):
        i = rng.randrange(len(b))
        b[i] ^= 1 << rng.randrange(8)
    return bytes(b)


def _nested_pdf(depth: int) -> bytes:
    arr = b"[" * depth + b"]" * depth
    dicts = b"<< /A " * depth + b"1" + b" >>" * depth
    objs = [b"<< /Type /Catalog /Pages 2 0 R /X 4 0 R /Y 5 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>", arr, dicts]
    return _assemble(objs)


def _assemble(objs: list[bytes], count_override: bytes | None = None) -> bytes:
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def _huge_pages_pdf() -> bytes:
    # a page tree claiming 2^31-1 pages, and a real tree of 3000 empty pages
    claim = _assemble([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 2147483647 >>",
                       b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"])
    return claim


def _many_pages_pdf(n: int) -> bytes:
    import pymupdf

    doc = pymupdf.open()
    for _ in range(n):
        doc.new_page()
    data = doc.tobytes()
    doc.close()
    return data


def _wrong_xref(data: bytes) -> bytes:
    i = data.rfind(b"startxref")
    return data[:i] + b"startxref\n999999999\n%%EOF\n"


def _scrambled_xref(data: bytes, rng: random.Random) -> bytes:
    i = data.rfind(b"xref")
    j = data.find(b"trailer", i)
    if i < 0 or j < 0:
        return _wrong_xref(data)
    table = bytearray(data[i:j])
    for k in range(len(table)):
        if chr(table[k]).isdigit() and rng.random() < 0.3:
            table[k] = ord(str(rng.randrange(10)))
    return data[:i] + bytes(table) + data[j:]


BIB_OK = ("@article{xu2020,\n  title = {Federated Neural Architecture Search with Client Groups},\n"
          "  author = {Xu, Mengwei and Zhao, Yuxin},\n  year = {2020},\n"
          "  abstract = {Clients hold non-IID data and differ in hardware; we search a supernet.}\n}\n")
RIS_OK = ("TY  - JOUR\nTI  - Federated architecture search under heterogeneity\nAU  - Doe, Jane\nPY  - 2021\n"
          "AB  - We federate a supernet across heterogeneous clients.\nER  - \n")


HUGE_INPUTS = {"ten-mb-field.bib": "LaTeX decoding of a 10 MB field (pylatexenc) takes minutes",
               "many-pages.pdf": "the layout model runs on every one of 2000 pages"}


def hostile_inputs(seed: int = 20240611, scale: int = 1, big_field: int = 10 * 2**20,
                   many_pages: int = 2000) -> list[tuple[str, bytes]]:
    """(file name, bytes) of hostile inputs: a fixed corpus for a seed; ``scale`` repeats the random ones."""
    rng = random.Random(seed)
    pdf = _base_pdf()
    big = big_field
    out: list[tuple[str, bytes]] = [
        ("zero-byte.pdf", b""),
        ("truncated-half.pdf", pdf[: len(pdf) // 2]),
        ("truncated-header.pdf", pdf[:12]),
        ("wrong-startxref.pdf", _wrong_xref(pdf)),
        ("scrambled-xref.pdf", _scrambled_xref(pdf, rng)),
        ("encrypted.pdf", _encrypted_pdf()),
        ("huge-page-count.pdf", _huge_pages_pdf()),
        ("many-pages.pdf", _many_pages_pdf(many_pages)),
        ("deeply-nested.pdf", _nested_pdf(100_000)),
        ("not-a-pdf-text.pdf", b"Hello, I am plain text pretending to be a PDF.\n" * 20),
        ("not-a-pdf-png.pdf", b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(4096))),
        ("pdf-header-garbage.pdf", b"%PDF-1.7\n" + bytes(rng.randrange(256) for _ in range(8192))),
        # BibTeX
        ("unbalanced-open.bib", b"@article{k1,\n  title = {Never {closed,\n  year = {2020}\n"),
        ("unbalanced-close.bib", b"@article{k2,\n  title = {Too many}}}}},\n  year = 2020}\n" + BIB_OK.encode()),
        ("latin1.bib", BIB_OK.replace("Xu, Mengwei", "M\u00fcller, J\u00fcrgen").encode("latin-1")),
        ("utf16.bib", BIB_OK.encode("utf-16")),
        ("invalid-utf8.bib", BIB_OK.encode().replace(b"Client", b"Cl\xff\xfe\xc3nt")),
        ("ten-mb-field.bib", ("@article{big,\n  title = {Big field},\n  year = {2020},\n  abstract = {"
                              + "a" * big + "}\n}\n").encode()),
        ("nested-braces.bib", ("@article{deep,\n  title = {" + "{" * 20_000 + "x" + "}" * 20_000
                               + "},\n year={2020}}\n").encode()),
        ("no-key.bib", b"@article{,\n title={No key}, year={2020}}\n@misc{\n}\n@@@@{{{{\n"),
        # RIS
        ("no-er.ris", RIS_OK.replace("ER  - \n", "").encode() + RIS_OK.replace("ER  - \n", "").encode()),
        ("no-ty.ris", b"TI  - Orphan title\nAU  - Nobody\nER  - \n"),
        ("ten-mb-field.ris", ("TY  - JOUR\nTI  - Big\nAB  - " + "b" * big + "\nER  - \n").encode()),
        ("binary.ris", bytes(rng.randrange(256) for _ in range(8192))),
        ("latin1.ris", RIS_OK.replace("Doe, Jane", "D\u00f8e, J\u00e9r\u00f4me").encode("latin-1")),
        # odd text
        ("control-chars.txt", ("Federated NAS\n\n" + "".join(chr(c) for c in range(32) if c not in (10,)) * 50
                               + "\nclients\x00with\x07bells\x1b[31mred\n").encode()),
        ("rtl.md", ("# \u202eFederated \u05d7\u05d9\u05e4\u05d5\u05e9 \u0628\u062d\u062b\n\n"
                    "\u0627\u0644\u0639\u0645\u0644\u0627\u0621 \u202bnon-IID\u202c \u2067data\u2069 "
                    "\u200f\u200e\ufeff supernet.\n").encode()),
        ("long-line.txt", ("Federated architecture search. " + "x" * 100_000 + "\n").encode()),
        ("long-line-words.md", ("# Long\n\n" + "supernet client " * 7_000 + "\n").encode()),
        ("nul-only.txt", b"\x00" * 4096),
        ("whitespace-only.md", b"   \n\t\n  \r\n" * 100),
        ("surrogates.txt", "Federated \ud800 search".encode("utf-8", "surrogatepass")),
        ("crlf-mixed.md", b"# T\r\r\n\n\rbody\r" * 200),
        ("bom-only.md", b"\xef\xbb\xbf"),
        ("comment-only.bib", b"@comment{nothing here}\n@preamble{\"x\"}\n"),
    ]
    names = {n for n, _ in out}
    for r in range(scale):  # bit-flipped variants (more with a bigger scale)
        for kind, base in (("pdf", pdf), ("bib", BIB_OK.encode()), ("ris", RIS_OK.encode()),
                           ("md", b"# Title\n\nClients hold non-IID data.\n")):
            name = f"bitflip-{r}.{kind}"
            if name not in names:
                out.append((name, _flip(base, rng, max(1, len(base) // 200) if kind == "pdf" else 8)))
    extra = [("bitflip-heavy.pdf", _flip(pdf, rng, 500)),
             ("truncated-random.pdf", pdf[: rng.randrange(20, len(pdf))]),
             ("bib-garbage-tail.bib", BIB_OK.encode() + bytes(rng.randrange(256) for _ in range(2048)))]
    return out + extra


def write_inputs(directory: Path, inputs: list[tuple[str, bytes]]) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in inputs:
        p = directory / name
        p.write_bytes(data)
        paths.append(p)
    return paths
