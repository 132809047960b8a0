"""Every exchange format Atlas writes, in one registry (kind ``exporters``).

An exporter turns the store into one file's bytes; a plugin adds a format with an entry
point in the group ``fedatlas.exporters`` (an :class:`Exporter` object).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pipeline.registry import KNOWN_REGISTRY_MODULES, Registry
from pipeline.store import Store


@dataclass(frozen=True)
class Exporter:
    name: str
    suffix: str  # the file name extension it writes
    what: str  # one line for listings
    write: Callable[[Store], bytes | str]

    def bytes(self, store: Store) -> bytes:
        out = self.write(store)
        return out.encode("utf-8") if isinstance(out, str) else out


EXPORTERS: Registry[Exporter] = Registry("exporters", builtins=("pipeline.report.exchange.exporters",))
if __name__ not in KNOWN_REGISTRY_MODULES:
    KNOWN_REGISTRY_MODULES.append(__name__)


def _bib(fmt: str) -> Callable[[Store], str]:
    def write(store: Store) -> str:
        from pipeline.report.exchange.bib import export_bibliography

        return export_bibliography(store, fmt)
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


def _asreview(store: Store) -> str:
    from pipeline.report.exchange.labels import export_asreview

    return export_asreview(store)


for _exporter in (
    Exporter("bibtex", ".bib", "included papers as BibTeX (ingested entries as written)", _bib("bibtex")),
    Exporter("ris", ".ris", "included papers as RIS", _bib("ris")),
    Exporter("csl-json", ".json", "included papers as CSL-JSON (Zotero, pandoc --citeproc)", _bib("csl-json")),
    Exporter("qdc", ".qdc", "the codebook as a REFI-QDA codebook", _qdc),
    Exporter("qdpx", ".qdpx", "the coding as a REFI-QDA project", _qdpx),
    Exporter("skos", ".ttl", "the codebook as SKOS Turtle", _skos),
    Exporter("orkg", ".csv", "an ORKG-style comparison, one row per method", _orkg),
    Exporter("asreview", ".csv", "title/abstract decisions as an ASReview labelled CSV", _asreview),
):
    EXPORTERS.register(_exporter)
