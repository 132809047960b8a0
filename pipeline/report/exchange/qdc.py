"""REFI-QDA codebook (``.qdc``): export, validation, import.

QualCoder, ATLAS.ti, MAXQDA and NVivo exchange codebooks in this XML format
(namespace ``urn:QDA-XML:codebook:1.0``; schema in ``refi_qda_codebook.xsd``
beside this module). Atlas exports one root code per concept scheme; GUIDs are
stable (see :mod:`.codebook`), so a file exported, edited in a QDA tool and
imported again maps onto the same concepts.

Import compares the file with the store's codebook and reports codes that are
unchanged, changed (name or description), new and missing. Applying it writes
only the *new* codes, as SKOS concepts in the parent's scheme, into the graph
``fad:graph/codebook-import`` (one transaction); renames and deletions are
curation decisions and stay with the reviewer.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from pipeline import __version__
from pipeline.errors import InputError
from pipeline.store import Store
from pipeline.vocab import (
    DCTERMS, FA, ID_NS, PROV, RDF, SKOS, TECHNIQUE_SCHEME, XSD, iri, lit, slug,
)
from pipeline.report.exchange.codebook import Code, read_codebook

NS = "urn:QDA-XML:codebook:1.0"
XSD_PATH = Path(__file__).with_name("refi_qda_codebook.xsd")
IMPORT_GRAPH = iri("graph", "codebook-import")
_Q = f"{{{NS}}}"


# ---- export ----------------------------------------------------------------------

def _code_element(parent: ET.Element, code: Code) -> None:
    attrs = {"guid": code.guid, "name": code.name, "isCodable": "true" if code.codable else "false"}
    if code.color:
        attrs["color"] = code.color
    el = ET.SubElement(parent, f"{_Q}Code", attrs)
    if code.description:
        ET.SubElement(el, f"{_Q}Description").text = code.description
    for child in code.children:
        _code_element(el, child)


def codebook_xml(codes: list[Code], origin: str = f"FedNAS Atlas {__version__}") -> bytes:
    """A ``.qdc`` document for ``codes``."""
    ET.register_namespace("", NS)
    root = ET.Element(f"{_Q}CodeBook", {"origin": origin})
    codes_el = ET.SubElement(root, f"{_Q}Codes")
    for code in codes:
        _code_element(codes_el, code)
    ET.indent(root)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"


def export_qdc(store: Store) -> bytes:
    return codebook_xml(read_codebook(store))


# ---- validation ------------------------------------------------------------------

def validate_qdc(data: bytes) -> list[str]:
    """Schema errors of a ``.qdc`` document ([] when valid). Needs lxml."""
    try:
        from lxml import etree
    except ImportError:  # pragma: no cover - lxml is a declared dependency
        raise InputError("validating a .qdc file needs lxml", hint="pip install lxml") from None
    schema = etree.XMLSchema(etree.parse(str(XSD_PATH)))
    try:
        doc = etree.fromstring(data)
    except etree.XMLSyntaxError as e:
        return [f"not well-formed XML: {e}"]
    if schema.validate(doc):
        return []
    return [f"line {err.line}: {err.message}" for err in schema.error_log]


# ---- import ----------------------------------------------------------------------

def parse_qdc(data: bytes, validate: bool = True) -> list[Code]:
    """The code tree of a ``.qdc`` document; InputError if it is not a valid codebook."""
    if validate:
        try:
            errors = validate_qdc(data)
        except InputError:
            errors = []  # no lxml: fall back to the structural checks below
        if errors:
            raise InputError("not a valid REFI-QDA codebook: " + "; ".join(errors[:3]),
                             hint="the store was not changed")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as e:
        raise InputError(f"not well-formed XML: {e}", hint="the store was not changed") from None
    if root.tag != f"{_Q}CodeBook":
        raise InputError(f"root element is {root.tag}, expected CodeBook in namespace {NS}")
    codes_el = root.find(f"{_Q}Codes")
    return [_parse_code(el) for el in (codes_el if codes_el is not None else [])]


def _parse_code(el: ET.Element) -> Code:
    desc = el.find(f"{_Q}Description")
    guid = el.get("guid", "").strip("{}").lower()
    return Code(guid=guid, name=el.get("name", ""), description=(desc.text or "") if desc is not None else "",
                codable=el.get("isCodable", "true") in ("true", "1"), color=el.get("color", ""),
                children=[_parse_code(c) for c in el.findall(f"{_Q}Code")])


@dataclass
class ImportDiff:
    """How an imported codebook differs from the store's."""

    unchanged: list[Code] = field(default_factory=list)
    changed: list[tuple[Code, Code]] = field(default_factory=list)  # (store, file)
    new: list[tuple[Code, Code | None]] = field(default_factory=list)  # (file code, parent in file)
    missing: list[Code] = field(default_factory=list)  # in the store, not in the file

    def summary(self) -> str:
        return (f"{len(self.unchanged)} unchanged, {len(self.changed)} changed, "
                f"{len(self.new)} new, {len(self.missing)} missing")


def diff_codebook(current: list[Code], imported: list[Code]) -> ImportDiff:
    known = {c.guid: c for root in current for c in root.walk()}
    diff = ImportDiff()
    seen: set[str] = set()

    def visit(code: Code, parent: Code | None) -> None:
        seen.add(code.guid)
        mine = known.get(code.guid)
        if mine is None:
            diff.new.append((code, parent))
        elif (mine.name, mine.description) != (code.name, code.description):
            diff.changed.append((mine, code))
        else:
            diff.unchanged.append(code)
        for child in code.children:
            visit(child, code)

    for root in imported:
        visit(root, None)
    diff.missing = [c for c in known.values() if c.guid not in seen]
    return diff


def import_qdc(store: Store, data: bytes, apply: bool = True, source: str = "") -> ImportDiff:
    """Compare a ``.qdc`` codebook with the store; with ``apply``, add its new codes."""
    imported = parse_qdc(data)
    with store.session():
        current = read_codebook(store)
        diff = diff_codebook(current, imported)
        if apply and diff.new:
            _write_new(store, current, diff, source)
    return diff


def _write_new(store: Store, current: list[Code], diff: ImportDiff, source: str) -> None:
    from pyoxigraph import NamedNode

    by_guid = {c.guid: c for root in current for c in root.walk()}
    scheme_of: dict[str, str] = {}
    for root in current:
        for c in root.walk():
            scheme_of[c.guid] = root.iri
    taken = {c.iri for c in by_guid.values()}
    now = lit(datetime.now(timezone.utc).isoformat(timespec="seconds"), XSD.dateTime)
    tx = store.transaction()
    g = IMPORT_GRAPH
    for code, parent in diff.new:
        parent_known = by_guid.get(parent.guid) if parent is not None else None
        if parent is None or (parent_known is None and parent.guid not in scheme_of):
            raise InputError(f"code {code.name!r} has no parent Atlas knows (a new top-level code or scheme)",
                             hint="add new codes under one of Atlas's codes; the store was not changed")
        scheme = scheme_of[parent.guid]
        is_root = parent_known is not None and parent_known.iri == scheme
        kind = ("category" if is_root else "technique") if scheme == TECHNIQUE_SCHEME.value else \
            "challenge" if scheme.endswith("/challenges") else "nastype"
        node_iri = f"{ID_NS}{kind}/{slug(code.name)}"
        if node_iri in taken:
            node_iri += "-" + code.guid[:8]
        taken.add(node_iri)
        node = NamedNode(node_iri)
        scheme_of[code.guid] = scheme
        by_guid[code.guid] = Code(code.guid, code.name, code.description, iri=node_iri)
        tx.add(node, RDF.type, SKOS.Concept, g)
        tx.add(node, RDF.type, {"category": FA.TaxonomyCategory, "technique": FA.AdaptationTechnique,
                                "challenge": FA.Challenge, "nastype": FA.NASType}[kind], g)
        tx.add(node, SKOS.inScheme, NamedNode(scheme), g)
        tx.add(node, SKOS.prefLabel, lit(code.name, lang="en"), g)
        tx.add(node, DCTERMS.identifier, lit("urn:uuid:" + code.guid), g)
        if code.description:
            tx.add(node, SKOS.definition, lit(code.description, lang="en"), g)
        parent_iri = by_guid[parent.guid].iri
        if is_root:
            tx.add(node, SKOS.topConceptOf, NamedNode(scheme), g)
        else:
            tx.add(node, SKOS.broader, NamedNode(parent_iri), g)
        tx.add(node, PROV.generatedAtTime, now, g)
        if source:
            tx.add(node, DCTERMS.source, lit(source), g)
    store.commit(tx)
