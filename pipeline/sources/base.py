"""The Source interface: a reader turns one file into Documents plus problems.

Readers are registered by name with the file extensions they handle, like
plugins; ``read_path`` picks one by extension, or by sniffing the first bytes.
A database export with one broken entry should still yield the good ones, so
readers report per-record problems as one-line strings instead of raising.
Whole-file failures (an encrypted PDF) raise :class:`InputError`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.document import Document
from pipeline.errors import InputError, UnknownNameError
from pipeline.registry import Registry


@dataclass
class ReadResult:
    """What a reader got out of a file: documents, one line per problem (a record
    skipped), and notes (everything was read, but a person may want to check)."""

    documents: list[Document] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def __iter__(self) -> Iterator:  # allows ``docs, problems = read_path(p)``
        return iter((self.documents, self.problems))


ReaderFn = Callable[[Path], ReadResult]


@dataclass(frozen=True)
class Reader:
    name: str  # registered name, e.g. "pdf"
    kind: str  # Source.kind it writes: pdf | bibtex | ris | markdown | text
    extensions: tuple[str, ...]
    read: ReaderFn
    sniff: Callable[[bytes], bool] | None = None  # recognises a file by its first bytes


#: readers by name; built-ins are registered in ``pipeline.sources``, plugins through the
#: entry-point group ``fedatlas.readers`` (a :class:`Reader`)
READERS: Registry[Reader] = Registry("readers", builtins=("pipeline.sources",), key=lambda r: r.name)


def register_reader(reader: Reader) -> Reader:
    READERS.register(reader)
    return reader


def readers() -> list[Reader]:
    """Every registered reader, built-ins first in registration order, then plugins."""
    return [r for _, r in READERS.items()]


def known_suffixes() -> set[str]:
    """The file suffixes some reader handles (what a folder ingest picks up, what uploads accept)."""
    return {ext for r in readers() for ext in r.extensions}


def get_reader(name: str) -> Reader:
    """The reader registered as ``name`` (or handling extension ``.name``)."""
    key = name.lower().lstrip(".")
    if key in READERS:
        return READERS.get(key)
    for reader in readers():
        if f".{key}" in reader.extensions:
            return reader
    known = ", ".join(READERS.names())
    raise UnknownNameError(f"unknown source reader {name!r}; known: {known}")


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_text(text: str) -> str:
    return sha256_bytes(text.encode("utf-8"))


def decode_text(data: bytes, name: str) -> tuple[str, list[str]]:
    """Decode file bytes: utf-8, utf-8-sig, else latin-1; returns (text, notes)."""
    try:
        return data.decode("utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"), []
    except UnicodeDecodeError as exc:
        note = f"{name}: byte {exc.start}: not valid UTF-8; read as latin-1, check accented characters"
        return data.decode("latin-1"), [note]


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None
