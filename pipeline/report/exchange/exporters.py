"""Every exchange format Atlas writes, in one registry (kind ``exporters``).

An exporter turns the store into one file's bytes; a plugin adds a format with an entry
point in the group ``fedatlas.exporters`` (an :class:`Exporter` object). Its ``topic`` names
the command that offers it as a ``--format`` (see :data:`TOPIC_COMMANDS`), so the CLI's
choices are read from here and a plugin format is usable like a built-in one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pipeline.registry import Registry
from pipeline.store import Store

#: topic -> the command whose ``--format`` lists the exporters of that topic
TOPIC_COMMANDS = {"bibliography": "export-bib", "codebook": "codebook export", "labels": "labels export",
                  "other": "export-as"}


@dataclass(frozen=True)
class Exporter:
    """``write(store, **options)`` gives the file's text or bytes.

    ``options`` names the keyword options ``write`` accepts (``stage`` for labels,
    ``papers`` for bibliographies); a caller's other options are not passed, so a
    plugin need not accept options it has no use for."""

    name: str
    suffix: str  # the file name extension it writes
    what: str  # one line for listings
    write: Callable[..., bytes | str]
    topic: str = "other"  # a key of TOPIC_COMMANDS
    options: tuple[str, ...] = ()

    def output(self, store: Store, **options: Any) -> bytes | str:
        return self.write(store, **{k: v for k, v in options.items() if k in self.options})

    def bytes(self, store: Store, **options: Any) -> bytes:
        out = self.output(store, **options)
        return out.encode("utf-8") if isinstance(out, str) else out


EXPORTERS: Registry[Exporter] = Registry("exporters", builtins=("pipeline.report.exchange.exporters",))


def exporter_names(topic: str) -> list[str]:
    """The formats of one topic, built-ins and plugins: a command's ``--format`` choices."""
    return [name for name, exporter in EXPORTERS.items() if exporter.topic == topic]


def exporter(name: str, topic: str = "") -> Exporter:
    """The exporter ``name`` of ``topic`` (any topic when empty); an unknown name is answered
    with that topic's names."""
    if name in EXPORTERS.broken or (name in EXPORTERS and topic in ("", EXPORTERS.get(name).topic)):
        return EXPORTERS.get(name)  # a broken plugin is reported as broken by the registry
    from pipeline.errors import UnknownNameError

    known = exporter_names(topic) if topic else EXPORTERS.names()
    raise UnknownNameError(f"unknown {topic or 'export'} format {name!r}", hint="known: " + ", ".join(known))


def _bib(writer: str) -> Callable[..., str]:
    def write(store: Store, papers: list[str] | None = None) -> str:
        from pipeline.report.exchange import bib

        return bib.bibliography(store, getattr(bib, writer), papers)
    return write


def _qdc(store: Store) -> bytes:
    from pipeline.report.exchange.qdc import export_qdc

    return export_qdc(store)


def _qdpx(store: Store) -> bytes:
    from pipeline.report.exchange.qdpx import export_qdpx

    return export_qdpx(store)


def _skos(store: Store) -> bytes:
    from pipeline.report.exchange.skos import export_skos

    return export_skos(store)


def _orkg(store: Store) -> str:
    from pipeline.report.exchange.orkg import export_orkg_csv

    return export_orkg_csv(store)


def _asreview(store: Store, stage: str = "title-abstract") -> str:
    from pipeline.report.exchange.labels import export_asreview

    return export_asreview(store, stage)


for _exporter in (
    Exporter("bibtex", ".bib", "included papers as BibTeX (ingested entries as written)", _bib("to_bibtex"),
             "bibliography", ("papers",)),
    Exporter("ris", ".ris", "included papers as RIS", _bib("to_ris"), "bibliography", ("papers",)),
    Exporter("csl-json", ".json", "included papers as CSL-JSON (Zotero, pandoc --citeproc)", _bib("to_csl_json"),
             "bibliography", ("papers",)),
    Exporter("qdc", ".qdc", "the codebook as a REFI-QDA codebook", _qdc, "codebook"),
    Exporter("qdpx", ".qdpx", "the coding as a REFI-QDA project", _qdpx),
    Exporter("skos", ".ttl", "the codebook as SKOS Turtle", _skos, "codebook"),
    Exporter("orkg", ".csv", "an ORKG-style comparison, one row per method", _orkg),
    Exporter("asreview", ".csv", "screening decisions as an ASReview labelled CSV", _asreview, "labels", ("stage",)),
):
    EXPORTERS.register(_exporter)
