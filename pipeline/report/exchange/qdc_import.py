"""Import of a REFI-QDA codebook (``.qdc``, or the codebook of a ``.qdpx``) into the store.

The file is compared with the store's codebook (unchanged, changed, new, missing codes),
then every new code gets a place: under a code Atlas knows, it joins that code's scheme
(a category's children are techniques, a technique's too, a challenge's are challenges...);
a code with no parent Atlas knows (a new top-level code and what is nested in it) becomes
an *open code* (default) or, with ``unknown="category"``, a new taxonomy category whose
children are techniques. Nesting, GUIDs, colours, descriptions and sets are kept.

:func:`plan_import` decides everything; ``--dry-run`` reports that plan and the real run
writes exactly it (one transaction, graph ``fad:graph/codebook-import``), so the two agree.
Renames and deletions are curation decisions and stay with the reviewer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from pipeline.errors import InputError
from pipeline.report.exchange.codebook import COLOR, IMPORT_GRAPH_IRI, Code, CodeSet, read_codebook
from pipeline.report.exchange.qdc import ParsedCodebook, parse_qdc
from pipeline.store import Store
from pipeline.vocab import (
    CHALLENGE_SCHEME,
    DCTERMS,
    FA,
    ID_NS,
    NAS_TYPE_SCHEME,
    PROV,
    RDF,
    RDFS,
    SKOS,
    TECHNIQUE_SCHEME,
    XSD,
    iri,
    lit,
    slug,
)

IMPORT_GRAPH = iri("graph", "codebook-import")
assert IMPORT_GRAPH.value == IMPORT_GRAPH_IRI  # read_codebook reads imported open codes and sets there
UNKNOWN_CHOICES = ("open-code", "category")
_CLASS = {"category": FA.TaxonomyCategory, "technique": FA.AdaptationTechnique, "challenge": FA.Challenge,
          "nastype": FA.NASType, "opencode": FA.OpenCode}


@dataclass
class PlannedCode:
    """One new code and where it goes."""

    code: Code
    iri: str
    kind: str  # category | technique | challenge | nastype | opencode
    scheme: str | None = None
    broader: str | None = None  # parent IRI (skos:broader; dcterms:isPartOf for open codes)
    top_of: str | None = None  # scheme it is a top concept of


@dataclass
class ImportDiff:
    """How an imported codebook differs from the store's, and what importing it writes."""

    unchanged: list[Code] = field(default_factory=list)
    changed: list[tuple[Code, Code]] = field(default_factory=list)  # (store, file)
    new: list[tuple[Code, Code | None]] = field(default_factory=list)  # (file code, parent in file)
    missing: list[Code] = field(default_factory=list)  # in the store, not in the file
    planned: list[PlannedCode] = field(default_factory=list)
    sets: list[CodeSet] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def summary(self, applied: bool = True) -> str:
        verb = "added" if applied else "would add"
        kinds: dict[str, int] = {}
        for p in self.planned:
            kinds[p.kind] = kinds.get(p.kind, 0) + 1
        detail = ", ".join(f"{n} {k}{'s' if n != 1 else ''}" for k, n in sorted(kinds.items()))
        return (f"{len(self.unchanged)} unchanged, {len(self.changed)} changed, {len(self.new)} new, "
                f"{len(self.missing)} missing; {verb} {len(self.planned)} codes"
                + (f" ({detail})" if detail else "") + f" and {len(self.sets)} sets")


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


def _kind_under(parent_kind: str) -> str:
    return {"scheme-technique": "category", "category": "technique", "technique": "technique",
            "scheme-challenge": "challenge", "challenge": "challenge", "scheme-nastype": "nastype",
            "nastype": "nastype", "opencode": "opencode"}[parent_kind]


def _known_kinds(current: list[Code]) -> dict[str, tuple[str, str | None, str]]:
    """guid -> (kind, scheme, iri) of the store's codes."""
    out: dict[str, tuple[str, str | None, str]] = {}
    schemes = {TECHNIQUE_SCHEME.value: "technique", CHALLENGE_SCHEME.value: "challenge",
               NAS_TYPE_SCHEME.value: "nastype"}
    for root in current:
        if root.iri in schemes:
            out[root.guid] = (f"scheme-{schemes[root.iri]}", root.iri, root.iri)
            for child in root.children:
                first = "category" if root.iri == TECHNIQUE_SCHEME.value else schemes[root.iri]
                for code in child.walk():
                    kind = first if code is child else ("technique" if first == "category" else first)
                    out[code.guid] = (kind, root.iri, code.iri)
        else:
            for code in root.walk():
                out[code.guid] = ("opencode", None, code.iri)
    return out


def plan_import(current: list[Code], parsed: ParsedCodebook, unknown: str = "open-code",
                existing: set[str] | None = None) -> ImportDiff:
    """Everything an import of ``parsed`` would write into a store holding ``current``
    (``existing``: IRIs already used, deprecated codes included, that a new code must not take)."""
    if unknown not in UNKNOWN_CHOICES:
        raise InputError(f"unknown parents become one of {', '.join(UNKNOWN_CHOICES)}, not {unknown!r}")
    diff = diff_codebook(current, parsed.codes)
    diff.notes = list(parsed.notes)
    known = _known_kinds(current)
    taken = {iri for _, _, iri in known.values()} | set(existing or ())
    placed: dict[str, tuple[str, str | None, str]] = dict(known)
    for code, parent in diff.new:  # parents come before their children (pre-order)
        if parent is not None and parent.guid in placed:
            parent_kind, scheme, parent_iri = placed[parent.guid]
            kind = _kind_under(parent_kind)
            top_of = scheme if parent_kind.startswith("scheme-") else None
            broader = None if top_of else parent_iri
        else:
            kind = "opencode" if unknown == "open-code" else "category"
            scheme = None if kind == "opencode" else TECHNIQUE_SCHEME.value
            top_of, broader = (scheme, None)
        folder = {"nastype": "nastype", "opencode": "opencode"}.get(kind, kind)
        node_iri = f"{ID_NS}{folder}/{slug(code.name) or 'code'}"
        if node_iri in taken:
            node_iri += "-" + code.guid.replace("-", "")[:8]
        taken.add(node_iri)
        placed[code.guid] = (kind, scheme, node_iri)
        diff.planned.append(PlannedCode(code, node_iri, kind, scheme, broader, top_of))
    diff.sets = parsed.sets
    return diff


def import_qdc(store: Store, data: bytes, apply: bool = True, source: str = "",
               unknown: str = "open-code") -> ImportDiff:
    """Compare a codebook file with the store; with ``apply``, write the plan (one transaction)."""
    parsed = parse_qdc(data)
    with store.session(write=apply):
        current = read_codebook(store)
        used = {r["s"] for r in store.select(
            "SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s a ?t } FILTER(?t IN (skos:Concept, fa:OpenCode, "
            "fa:TaxonomyCategory, fa:AdaptationTechnique, fa:Challenge, fa:NASType, skos:Collection)) }")}
        diff = plan_import(current, parsed, unknown, used)
        if apply and (diff.planned or diff.sets):
            _write(store, current, diff, source)
    return diff


def _write(store: Store, current: list[Code], diff: ImportDiff, source: str) -> None:
    from pyoxigraph import NamedNode

    iri_of = {c.guid: c.iri for root in current for c in root.walk()}
    iri_of.update({p.code.guid: p.iri for p in diff.planned})
    now = lit(datetime.now(UTC).isoformat(timespec="seconds"), XSD.dateTime)
    g = IMPORT_GRAPH
    tx = store.transaction()
    for p in diff.planned:
        node = NamedNode(p.iri)
        code = p.code
        tx.add(node, RDF.type, _CLASS[p.kind], g)
        tx.add(node, DCTERMS.identifier, lit("urn:uuid:" + code.guid), g)
        if code.color:
            tx.add(node, NamedNode(COLOR), lit(code.color), g)
        if p.kind == "opencode":
            tx.add(node, RDFS.label, lit(code.name, lang="en"), g)
            if code.description:
                tx.add(node, SKOS.definition, lit(code.description, lang="en"), g)
            if p.broader:
                tx.add(node, DCTERMS.isPartOf, NamedNode(p.broader), g)
        else:
            tx.add(node, RDF.type, SKOS.Concept, g)
            tx.add(node, SKOS.inScheme, NamedNode(p.scheme or TECHNIQUE_SCHEME.value), g)
            tx.add(node, SKOS.prefLabel, lit(code.name, lang="en"), g)
            definition = code.description
            if not definition and p.kind == "challenge":  # the shapes want one; say where it came from
                definition = f"{code.name} (imported from {source or 'a codebook'} without a description)"
            if definition:
                tx.add(node, SKOS.definition, lit(definition, lang="en"), g)
            if p.kind in ("challenge", "nastype"):
                tx.add(node, FA.key, lit(p.iri.rsplit("/", 1)[-1]), g)
            if p.top_of:
                tx.add(node, SKOS.topConceptOf, NamedNode(p.top_of), g)
            if p.broader:
                tx.add(node, SKOS.broader, NamedNode(p.broader), g)
        tx.add(node, PROV.generatedAtTime, now, g)
        if source:
            tx.add(node, DCTERMS.source, lit(source), g)
    for s in diff.sets:
        node = iri("codeset", s.guid)
        tx.add(node, RDF.type, SKOS.Collection, g)
        tx.add(node, SKOS.prefLabel, lit(s.name, lang="en"), g)
        tx.add(node, DCTERMS.identifier, lit("urn:uuid:" + s.guid), g)
        if s.description:
            tx.add(node, SKOS.definition, lit(s.description, lang="en"), g)
        for member in s.members:
            if member in iri_of:
                tx.add(node, SKOS.member, NamedNode(iri_of[member]), g)
    store.commit(tx)

