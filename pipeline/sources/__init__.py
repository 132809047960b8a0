"""Sources: files in, :class:`~pipeline.document.Document` objects out.

``read_path(path)`` picks a registered reader by extension (or by sniffing the
first bytes when the extension is unknown) and returns a :class:`ReadResult`
``(documents, problems)``. Readers are registered by name like plugins; PDF
parsing sits behind ``pdf_backends`` so the AGPL PyMuPDF can be swapped out.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.errors import InputError
from pipeline.sources.base import READERS, Reader, ReadResult, get_reader, known_suffixes, read_bytes, readers, register_reader
from pipeline.sources.bibtex import read_bibtex
from pipeline.sources.csv import read_csv
from pipeline.sources.pdf import read_pdf
from pipeline.sources.pdf_backends import DEFAULT_BACKEND, PdfBackend, get_backend, pdf_backends
from pipeline.sources.ris import read_ris
from pipeline.sources.text import read_text

__all__ = [
    "READERS", "Reader", "ReadResult", "DEFAULT_BACKEND", "PdfBackend", "get_backend", "get_reader",
    "known_suffixes", "pdf_backends", "read_path", "readers", "register_reader",
]

register_reader(Reader("pdf", "pdf", (".pdf",), read_pdf, sniff=lambda head: b"%PDF-" in head[:1024]))
register_reader(Reader("bibtex", "bibtex", (".bib", ".bibtex"), read_bibtex,
                       sniff=lambda head: head.lstrip()[:1] == b"@"))
register_reader(Reader("ris", "ris", (".ris",), read_ris, sniff=lambda head: head.lstrip().startswith(b"TY  -")))
register_reader(Reader("csv", "csv", (".csv", ".tsv"), read_csv))
register_reader(Reader("markdown", "markdown", (".md", ".markdown"), read_text))
register_reader(Reader("text", "text", (".txt", ".text"), read_text))


def read_path(path: str | Path, reader: str | None = None) -> ReadResult:
    """Read one file into Documents; ``reader`` forces a registered reader by name."""
    path = Path(path)
    if reader is not None:
        return get_reader(reader).read(path)
    for candidate in readers():
        if path.suffix.lower() in candidate.extensions:
            return candidate.read(path)
    head = read_bytes(path)[:2048]
    for candidate in readers():
        if candidate.sniff and candidate.sniff(head):
            return candidate.read(path)
    known = ", ".join(sorted(known_suffixes()))
    raise InputError(f"{path.name}: unknown file type {path.suffix or '(no extension)'!r}; known: {known}")
