"""REFI-QDA project (``.qdpx``): the review's coding for QualCoder, ATLAS.ti, MAXQDA, NVivo.

Export: a zip with ``project.qde`` (valid against Project-mrt2019.xsd) and each paper's text
as ``sources/<guid>.txt``. Users are the reviewers; the codebook is Atlas's (same GUIDs as
the ``.qdc``); every accepted code (accepted or edited proposal, or a code a reviewer added)
is a coded segment, a ``PlainTextSelection`` over its evidence span, by the reviewer who
decided it; memos are ``Notes`` referenced from their codes.

Import: the codebook (as ``.qdc`` import does), then each coded segment onto the paper the
source names (by IRI in its description, else by title) as an accepted code with that
evidence span, attributed to the coding's user; segments already in the store are skipped.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from io import BytesIO

from pipeline import __version__
from pipeline.errors import InputError
from pipeline.identifiers import normalise_title
from pipeline.report.exchange.codebook import Code, read_codebook
from pipeline.report.exchange.qdc import PROJECT_NS, normal_guid, read_qde, validate_qde
from pipeline.store import Store
from pipeline.vocab import sparql_iri

_P = f"{{{PROJECT_NS}}}"
KIND_OF_SCHEME = {"challenges": "challenge", "nas-types": "nas_type", "techniques": "technique"}


def _guid(iri: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, iri))


def _code_kinds(codes: list[Code]) -> dict[str, str]:
    """code IRI -> proposal kind (challenge, nas_type, technique), from the scheme it is under."""
    out = {}
    for root in codes:
        kind = KIND_OF_SCHEME.get(root.iri.rsplit("/", 1)[-1])
        if kind:
            for code in root.walk():
                if code is not root:
                    out[code.iri] = kind
    return out


def _segments(store: Store) -> list[dict]:
    from pipeline.curate.proposals import proposals

    views = [v for v in proposals(store) if v.status in ("accepted", "edited") and v.start is not None
             and v.end is not None and v.end > v.start]
    deciders = {}
    latest = [v.latest for v in views if v.latest]
    if latest:
        rows = store.select("SELECT ?d ?name ?who WHERE { GRAPH ?g { ?d prov:wasAssociatedWith ?who } "
                            "OPTIONAL { GRAPH ?g2 { ?who foaf:name ?name } } VALUES ?d { "
                            + " ".join(sparql_iri(d) for d in latest) + " } }")
        deciders = {r["d"]: (r["who"], r["name"] or r["who"].rsplit("/", 1)[-1]) for r in rows}
    out = []
    for v in views:
        who = deciders.get(v.latest or "")
        if who is None and v.manual:
            rows = store.select(f"SELECT ?who ?name WHERE {{ GRAPH ?g {{ {sparql_iri(v.iri)} prov:wasAttributedTo ?who }} "
                                f"OPTIONAL {{ GRAPH ?g2 {{ ?who foaf:name ?name }} }} }}")
            who = (rows[0]["who"], rows[0]["name"] or rows[0]["who"]) if rows else None
        out.append({"view": v, "who": who})
    return out


def _texts(store: Store, papers: list[str]) -> dict[str, tuple[str, str]]:
    if not papers:
        return {}
    rows = store.select("SELECT ?p (SAMPLE(?t) AS ?title) (SAMPLE(?x) AS ?text) WHERE { VALUES ?p { "
                        + " ".join(sparql_iri(p) for p in papers) + " } "
                        "GRAPH ?g { ?p dcterms:title ?t } OPTIONAL { GRAPH ?g2 { ?p fa:text ?x } } } GROUP BY ?p")
    return {r["p"]: (r["title"], r["text"] or "") for r in rows}


def _memos(store: Store) -> list[dict]:
    return store.select("""SELECT ?m ?text ?target ?who ?name ?time WHERE { GRAPH ?g {
        ?m a fa:Memo ; fa:memo ?text ; fa:target ?target ; prov:wasAttributedTo ?who ; prov:generatedAtTime ?time }
        OPTIONAL { GRAPH ?g2 { ?who foaf:name ?name } } } ORDER BY ?time ?m""")


def export_qdpx(store: Store, name: str = "FedNAS Atlas review") -> bytes:
    """The review as a ``.qdpx`` archive (bytes); InputError when no paper has an accepted code."""
    from pipeline.curate.screening import included_papers

    with store.session():
        codes = read_codebook(store)
        segments = _segments(store)
        papers = sorted({s["view"].paper for s in segments} | set(included_papers(store)))
        texts = _texts(store, papers)
        memos = _memos(store)
    guid_of = {c.iri: c.guid for root in codes for c in root.walk()}
    now = datetime.now(UTC).isoformat(timespec="seconds")
    users = {}
    for s in segments:
        if s["who"]:
            users[s["who"][0]] = s["who"][1]
    for m in memos:
        users[m["who"]] = m["name"] or m["who"].rsplit("/", 1)[-1]

    ET.register_namespace("", PROJECT_NS)
    root = ET.Element(f"{_P}Project", {"name": name, "origin": f"FedNAS Atlas {__version__}",
                                       "creationDateTime": now})
    if users:
        users_el = ET.SubElement(root, f"{_P}Users")
        for iri_, label in sorted(users.items()):
            ET.SubElement(users_el, f"{_P}User", {"guid": _guid(iri_), "name": label})
    notes_of: dict[str, list[str]] = {}
    for m in memos:
        notes_of.setdefault(m["target"], []).append(_guid(m["m"]))
    book = ET.SubElement(root, f"{_P}CodeBook")
    codes_el = ET.SubElement(book, f"{_P}Codes")
    for code in codes:
        _project_code(codes_el, code, notes_of)
    files: dict[str, str] = {}
    sources_el = ET.SubElement(root, f"{_P}Sources")
    by_paper: dict[str, list[dict]] = {}
    for s in segments:
        by_paper.setdefault(s["view"].paper, []).append(s)
    for paper in papers:
        title, text = texts.get(paper, (paper, ""))
        sguid = _guid(paper)
        files[f"sources/{sguid}.txt"] = text
        src = ET.SubElement(sources_el, f"{_P}TextSource", {"guid": sguid, "name": title,
                                                             "plainTextPath": f"internal://{sguid}.txt"})
        ET.SubElement(src, f"{_P}Description").text = paper
        for s in sorted(by_paper.get(paper, []), key=lambda s: (s["view"].start, s["view"].iri)):
            v = s["view"]
            code_guid = guid_of.get(v.code)
            if code_guid is None or v.end > len(text):
                continue  # a code no longer in the codebook, or a span outside the stored text
            attrs = {"guid": _guid(v.iri + "#selection"), "name": text[v.start:v.end][:200],
                     "startPosition": str(v.start), "endPosition": str(v.end)}
            coding = {"guid": _guid(v.iri)}
            if s["who"]:
                attrs["creatingUser"] = coding["creatingUser"] = _guid(s["who"][0])
            sel = ET.SubElement(src, f"{_P}PlainTextSelection", attrs)
            c = ET.SubElement(sel, f"{_P}Coding", coding)
            ET.SubElement(c, f"{_P}CodeRef", {"targetGUID": code_guid})
    if not list(sources_el):
        root.remove(sources_el)
    if memos:
        notes_el = ET.SubElement(root, f"{_P}Notes")
        for m in memos:
            note = ET.SubElement(notes_el, f"{_P}Note", {"guid": _guid(m["m"]), "name": "Memo",
                                                         "creatingUser": _guid(m["who"]),
                                                         "creationDateTime": str(m["time"])})
            ET.SubElement(note, f"{_P}PlainTextContent").text = m["text"]
    ET.indent(root)
    qde = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", qde)
        for path, text in files.items():
            archive.writestr(path, text.encode("utf-8"))
    return out.getvalue()


def _project_code(parent: ET.Element, code: Code, notes_of: dict[str, list[str]]) -> None:
    attrs = {"guid": code.guid, "name": code.name, "isCodable": "true" if code.codable else "false"}
    if code.color:
        attrs["color"] = code.color.upper()
    el = ET.SubElement(parent, f"{_P}Code", attrs)
    if code.description:
        ET.SubElement(el, f"{_P}Description").text = code.description
    for note in notes_of.get(code.iri, []):
        ET.SubElement(el, f"{_P}NoteRef", {"targetGUID": note})
    for child in code.children:
        _project_code(el, child, notes_of)


# ---- import -------------------------------------------------------------------------
@dataclass
class QdpxImport:
    codebook_summary: str = ""
    added: int = 0
    already: int = 0
    skipped: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"codebook: {self.codebook_summary}; coded segments: {self.added} added, "
                f"{self.already} already in the store, {len(self.skipped)} skipped")


def import_qdpx(store: Store, data: bytes, reviewer: str | None = None, source: str = "",
                unknown: str = "open-code") -> QdpxImport:
    """Import a ``.qdpx``'s codebook and coded segments (see the module docstring)."""
    from pipeline import curate
    from pipeline.curate.proposals import proposals as all_proposals
    from pipeline.report.exchange.qdc_import import import_qdc

    qde = read_qde(data)
    errors = validate_qde(qde)
    if errors:
        raise InputError("not a valid REFI-QDA project (Project-mrt2019.xsd): " + "; ".join(errors[:3]),
                         hint="the store was not changed")
    root = ET.fromstring(qde)
    result = QdpxImport(import_qdc(store, data, source=source, unknown=unknown).summary())
    users = {normal_guid(u.get("guid", "")): u.get("name") or "" for u in root.iter(f"{_P}User")}
    with store.session():
        codes = read_codebook(store)
        known = {(v.paper, v.code, v.start, v.end) for v in all_proposals(store)
                 if v.status in ("accepted", "edited")}
        papers = store.select("SELECT ?p ?t WHERE { GRAPH ?g { ?p a fa:Paper ; dcterms:title ?t } }")
    iri_of = {c.guid: c.iri for r in codes for c in r.walk()}
    kinds = _code_kinds(codes)
    by_iri = {r["p"]: r["p"] for r in papers}
    by_title = {normalise_title(r["t"]): r["p"] for r in papers}
    for src in root.iter(f"{_P}TextSource"):
        desc = src.find(f"{_P}Description")
        paper = by_iri.get((desc.text or "").strip() if desc is not None else "") \
            or by_title.get(normalise_title(src.get("name", "")))
        selections = src.findall(f"{_P}PlainTextSelection")
        if paper is None:
            if selections:
                result.skipped.append(f"source {src.get('name')!r}: no such paper in the store")
            continue
        for sel in selections:
            start, end = int(sel.get("startPosition", 0)), int(sel.get("endPosition", 0))
            for coding in sel.findall(f"{_P}Coding"):
                ref = coding.find(f"{_P}CodeRef")
                code = iri_of.get(normal_guid(ref.get("targetGUID", "") if ref is not None else ""))
                kind = kinds.get(code or "")
                if code is None or kind is None:
                    result.skipped.append(f"{src.get('name')!r} {start}-{end}: code is not a challenge, "
                                          "NAS type or technique")
                    continue
                if (paper, code, start, end) in known:
                    result.already += 1
                    continue
                who = users.get(normal_guid(coding.get("creatingUser") or sel.get("creatingUser") or "")) or reviewer
                if not who:
                    raise InputError("the project does not say who coded a segment: give --reviewer NAME")
                curate.add_code(store, who, paper, kind, code, start=start, end=end)
                known.add((paper, code, start, end))
                result.added += 1
    return result
