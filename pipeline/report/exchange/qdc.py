"""REFI-QDA codebook (``.qdc``): export, validation against the official schema, parsing.

QualCoder, ATLAS.ti, MAXQDA, NVivo and Taguette exchange codebooks in this XML format
(namespace ``urn:QDA-XML:codebook:1.0``; the official ``Codebook.xsd`` is in
``schemas/``). A ``.qdpx`` project's codebook (``urn:QDA-XML:project:1.0``) is read the
same way. GUIDs are stable (see :mod:`.codebook`), so a file exported, edited in a QDA
tool and imported again maps onto the same concepts. Import: :mod:`.qdc_import`.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from pipeline import __version__
from pipeline.errors import InputError
from pipeline.report.exchange.codebook import Code, CodeSet, read_code_sets, read_codebook
from pipeline.store import Store

NS = "urn:QDA-XML:codebook:1.0"
PROJECT_NS = "urn:QDA-XML:project:1.0"
SCHEMAS = Path(__file__).with_name("schemas")
XSD_PATH = SCHEMAS / "Codebook.xsd"
PROJECT_XSD_PATH = SCHEMAS / "Project-mrt2019.xsd"
_Q = f"{{{NS}}}"


# ---- export ----------------------------------------------------------------------

def code_element(parent: ET.Element, code: Code, q: str = _Q) -> None:
    attrs = {"guid": code.guid, "name": code.name, "isCodable": "true" if code.codable else "false"}
    if code.color:
        attrs["color"] = code.color.upper()
    el = ET.SubElement(parent, f"{q}Code", attrs)
    if code.description:
        ET.SubElement(el, f"{q}Description").text = code.description
    for child in code.children:
        code_element(el, child, q)


def codebook_xml(codes: list[Code], sets: list[CodeSet] | None = None,
                 origin: str = f"FedNAS Atlas {__version__}") -> bytes:
    """A ``.qdc`` document for ``codes`` (and ``sets``), valid against Codebook.xsd."""
    ET.register_namespace("", NS)
    root = ET.Element(f"{_Q}CodeBook", {"origin": origin})
    codes_el = ET.SubElement(root, f"{_Q}Codes")
    for code in codes:
        code_element(codes_el, code)
    if sets:
        sets_el = ET.SubElement(root, f"{_Q}Sets")
        for s in sets:
            set_el = ET.SubElement(sets_el, f"{_Q}Set", {"guid": s.guid, "name": s.name})
            if s.description:
                ET.SubElement(set_el, f"{_Q}Description").text = s.description
            for member in s.members:
                ET.SubElement(set_el, f"{_Q}MemberCode", {"guid": member})
    ET.indent(root)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"


def export_qdc(store: Store) -> bytes:
    with store.session():
        return codebook_xml(read_codebook(store), read_code_sets(store))


# ---- validation ------------------------------------------------------------------

def _schema_errors(data: bytes, xsd: Path) -> list[str]:
    from lxml import etree

    schema = etree.XMLSchema(etree.parse(str(xsd)))
    try:
        doc = etree.fromstring(data)
    except etree.XMLSyntaxError as e:
        return [f"not well-formed XML: {e}"]
    if schema.validate(doc):
        return []
    return [f"line {err.line}: {err.message}" for err in schema.error_log]


def validate_qdc(data: bytes) -> list[str]:
    """Errors of a ``.qdc`` document against the official Codebook.xsd ([] when valid)."""
    return _schema_errors(data, XSD_PATH)


def validate_qde(data: bytes) -> list[str]:
    """Errors of a project document (``project.qde``) against Project-mrt2019.xsd."""
    return _schema_errors(data, PROJECT_XSD_PATH)


# ---- parsing ---------------------------------------------------------------------

@dataclass
class ParsedCodebook:
    codes: list[Code] = field(default_factory=list)
    sets: list[CodeSet] = field(default_factory=list)
    origin: str = ""
    notes: list[str] = field(default_factory=list)


_EMPTY_SETS = re.compile(rb"<(\w+:)?Sets\s*/>|<(\w+:)?Sets\s*>\s*</(\w+:)?Sets\s*>")


def parse_qdc(data: bytes, validate: bool = True) -> ParsedCodebook:
    """The codes and sets of a ``.qdc`` document, or of a ``.qdpx`` project (zip).

    InputError (one line, store untouched) if it is not a valid codebook. An empty
    ``<Sets/>`` (Taguette writes one; the schema wants at least one Set) is dropped with a note.
    """
    if data[:2] == b"PK":
        return parse_qdpx_codebook(data, validate)
    notes = []
    if _EMPTY_SETS.search(data):
        data = _EMPTY_SETS.sub(b"", data)
        notes.append("an empty <Sets/> element (not allowed by Codebook.xsd) was ignored")
    if validate:
        errors = validate_qdc(data)
        if errors:
            raise InputError("not a valid REFI-QDA codebook (Codebook.xsd): " + "; ".join(errors[:3]),
                             hint="the store was not changed")
    root = _root(data)
    if root.tag != f"{_Q}CodeBook":
        raise InputError(f"root element is {root.tag}, expected CodeBook in namespace {NS}")
    parsed = _codebook_of(root, _Q, "guid")
    parsed.notes = notes
    return parsed


def parse_qdpx_codebook(data: bytes, validate: bool = True) -> ParsedCodebook:
    """The codebook and sets inside a ``.qdpx`` (its ``project.qde``)."""
    qde = read_qde(data)
    if validate:
        errors = validate_qde(qde)
        if errors:
            raise InputError("not a valid REFI-QDA project (Project-mrt2019.xsd): " + "; ".join(errors[:3]),
                             hint="the store was not changed")
    root = _root(qde)
    q = f"{{{PROJECT_NS}}}"
    if root.tag != f"{q}Project":
        raise InputError(f"root element is {root.tag}, expected Project in namespace {PROJECT_NS}")
    book = root.find(f"{q}CodeBook")
    parsed = _codebook_of(book if book is not None else ET.Element("none"), q, "targetGUID")
    parsed.sets = _sets_of(root.find(f"{q}Sets"), q, "targetGUID")
    parsed.origin = root.get("origin", "")
    return parsed


def read_qde(data: bytes) -> bytes:
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            names = [n for n in archive.namelist() if n.lower().endswith(".qde")]
            if not names:
                raise InputError("the .qdpx archive has no project.qde")
            return archive.read(names[0])
    except zipfile.BadZipFile:
        raise InputError("not a .qdpx archive (bad zip file)", hint="the store was not changed") from None


def _root(data: bytes) -> ET.Element:
    try:
        return ET.fromstring(data)
    except ET.ParseError as e:
        raise InputError(f"not well-formed XML: {e}", hint="the store was not changed") from None


def _codebook_of(root: ET.Element, q: str, member_attr: str) -> ParsedCodebook:
    codes_el = root.find(f"{q}Codes")
    return ParsedCodebook(codes=[parse_code(el, q) for el in (codes_el if codes_el is not None else [])],
                          sets=_sets_of(root.find(f"{q}Sets"), q, member_attr), origin=root.get("origin", ""))


def _sets_of(sets_el: ET.Element | None, q: str, member_attr: str) -> list[CodeSet]:
    out = []
    for el in (sets_el if sets_el is not None else []):
        desc = el.find(f"{q}Description")
        members = [normal_guid(m.get(member_attr) or m.get("guid") or "") for m in el.findall(f"{q}MemberCode")]
        out.append(CodeSet(normal_guid(el.get("guid", "")), el.get("name", ""),
                           (desc.text or "") if desc is not None else "", [m for m in members if m]))
    return out


def normal_guid(guid: str) -> str:
    return guid.strip().strip("{}").lower()


def parse_code(el: ET.Element, q: str = _Q) -> Code:
    desc = el.find(f"{q}Description")
    return Code(guid=normal_guid(el.get("guid", "")), name=el.get("name", ""),
                description=(desc.text or "").strip() if desc is not None else "",
                codable=el.get("isCodable", "true") in ("true", "1"), color=(el.get("color") or "").upper(),
                children=[parse_code(c, q) for c in el.findall(f"{q}Code")])
