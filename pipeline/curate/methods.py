"""FedNAS methods from included papers: the one methods read model.

A paper included at full text presents a FedNAS method: Atlas gives it a
default method ``fad:method/paper/<key>`` named from the paper's acronym or
short title, unless the paper already presents one in the bundled corpus or a
reviewer marked it as presenting none (a survey). A reviewer can rename a
method, add further methods of a paper (a split) and choose the method an
accepted code belongs to; each is a decision (attributed, undoable).

The accepted challenge, NAS-type and technique codes of a paper attach to its
method (the chosen one, else the paper's first). An accepted technique
proposal becomes an open code (label and evidence) in the codebook; the
method uses the refined technique the open code is merged into, and follows
later merges and splits.

Everything here is *derived* from the decisions: :func:`refresh` rewrites the
graph ``fad:graph/methods`` from :func:`method_views` after every committed
decision, so the tables, the gap matrix, the saved queries and the report read
one state with plain SPARQL, and undoing any decision undoes its consequences.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from pyoxigraph import NamedNode

from pipeline.curate import events, readmodel
from pipeline.curate.events import CG, LATEST, Op, Reviewer, commit, curated, node, reviewer, write
from pipeline.errors import InputError
from pipeline.store import Store
from pipeline.vocab import FA, ID_NS, PROV, RDF, RDFS, iri, lit, local_name, slug, sparql_iri

METHODS_GRAPH = NamedNode(ID_NS + "graph/methods")
CORPUS = ID_NS + "graph/corpus"
CODED = ("accepted", "edited")


@dataclass
class MethodView:
    """A method as the review sees it: its paper and the codes attached to it."""

    iri: str
    label: str
    paper: str
    origin: str  # "corpus" | "default" | "added"
    nas_types: list[str] = field(default_factory=list)
    challenges: list[str] = field(default_factory=list)
    techniques: list[str] = field(default_factory=list)
    open_codes: list[str] = field(default_factory=list)  # open codes (from proposals) of the method
    proposals: list[str] = field(default_factory=list)


def default_name(title: str) -> str:
    """A method name from a title: the acronym before a colon, a CamelCase/upper token, else a short title."""
    title = " ".join((title or "").split())
    head = title.split(":", 1)[0].strip() if ":" in title else ""
    if head and len(head.split()) <= 3:
        return head
    for tok in re.findall(r"[A-Za-z][A-Za-z0-9-]*", title):
        if sum(ch.isupper() for ch in tok) >= 2 and len(tok) <= 20:
            return tok
    words = title.split()
    return " ".join(words[:5]) + (" ..." if len(words) > 5 else "") if words else "Unnamed method"


def default_method(paper: str | NamedNode) -> NamedNode:
    return iri("method", "paper/" + local_name(node(paper)))


def open_code_of(proposal: str) -> NamedNode:
    """The stable open-code IRI of an accepted technique proposal."""
    return iri("opencode", "proposal/" + hashlib.sha1(proposal.encode()).hexdigest()[:16])


def _included(store: Store) -> list[str]:
    from pipeline.curate.screening import included_papers

    return included_papers(store)


def _resolved_labels(store: Store) -> dict[str, str]:
    """method -> label, a curated label (rename) winning over corpus/derived ones."""
    out: dict[str, str] = {}
    for r in store.select(f"""SELECT ?m ?g ?l WHERE {{ GRAPH ?g {{ ?m rdfs:label ?l }}
                               FILTER(?g IN (<{CG}>, <{CORPUS}>) && STRSTARTS(STR(?m), "{ID_NS}method/")) }}"""):
        if r["g"] == CG or r["m"] not in out:
            out[r["m"]] = r["l"]
    return out


def method_views(store: Store) -> list[MethodView]:
    """Every method (bundled, default, added) with the codes of its paper attached."""
    with store.session():
        included = set(_included(store))
        rows = store.select(f"""SELECT ?p ?m ?g WHERE {{ GRAPH ?g {{ ?p fa:presentsMethod ?m }}
                                 FILTER(?g IN (<{CG}>, <{CORPUS}>)) }}""")
        none = {r["p"] for r in store.select(f"SELECT ?p WHERE {{ GRAPH <{CG}> {{ ?p fa:presentsNoMethod true }} }}")}
        values = " ".join(sparql_iri(p) for p in sorted(included))
        titles = {r["p"]: r["t"] for r in store.select(
            "SELECT ?p (SAMPLE(?t0) AS ?t) WHERE { VALUES ?p { " + values + " } "
            "GRAPH ?g { ?p a fa:Paper ; dcterms:title ?t0 } } GROUP BY ?p")} if included else {}
        labels = _resolved_labels(store)
        chosen = {r["p"]: r["m"] for r in store.select(
            f"SELECT ?p ?m WHERE {{ GRAPH <{CG}> {{ ?p fa:ofMethod ?m }} }}")}
        refined = _open_code_techniques(store)
        views = [v for v in coded_proposals(store) if v.paper in included]
    by_paper: dict[str, list[MethodView]] = {}
    for r in sorted(rows, key=lambda r: (r["g"] != CORPUS, r["m"])):
        p, m = r["p"], r["m"]
        if r["g"] == CORPUS:
            origin = "corpus"
        elif p in included and p not in none:
            origin = "added"
        else:
            continue
        by_paper.setdefault(p, []).append(MethodView(m, labels.get(m, local_name(m)), p, origin))
    for p in sorted(included - none):
        if not any(v.origin == "corpus" for v in by_paper.get(p, [])):
            m = default_method(p).value
            by_paper.setdefault(p, []).insert(0, MethodView(m, labels.get(m) or default_name(titles.get(p, "")),
                                                             p, "default"))
    for v in views:
        ms = by_paper.get(v.paper) or []
        if not ms:
            continue
        target = next((m for m in ms if m.iri == chosen.get(v.iri)), ms[0])
        target.proposals.append(v.iri)
        if v.kind == "challenge" and v.code:
            target.challenges.append(v.code)
        elif v.kind == "nas_type" and v.code:
            target.nas_types.append(v.code)
        elif v.kind == "technique":
            oc = open_code_of(v.iri).value
            target.open_codes.append(oc)
            tech = refined.get(oc, v.code or None)
            if tech:
                target.techniques.append(tech)
    out = [m for ms in by_paper.values() for m in ms]
    for m in out:
        m.nas_types, m.challenges, m.techniques = (sorted(set(x)) for x in (m.nas_types, m.challenges, m.techniques))
    return sorted(out, key=lambda m: m.label.lower())


def methods_of(store: Store, paper: str | NamedNode) -> list[MethodView]:
    p = node(paper).value
    return [m for m in readmodel.get(store, method_views) if m.paper == p]


def _open_code_techniques(store: Store) -> dict[str, str]:
    """open code -> the refined technique a reviewer merged it into (curation graph only)."""
    return {r["oc"]: r["t"] for r in store.select(
        f"SELECT ?oc ?t WHERE {{ GRAPH <{CG}> {{ ?oc fa:refinedAs ?t }} }}")}


def coded_proposals(store: Store) -> list[Any]:
    """Accepted or edited proposals (read per paper: only papers with a curated verdict are loaded)."""
    from pipeline.curate.proposals_model import proposals as paper_proposals  # per paper, cached

    papers = [r["paper"] for r in store.select(f"""
        SELECT DISTINCT ?paper WHERE {{ GRAPH <{CG}> {{ ?p fa:status ?s FILTER(?s IN (fa:StatusAccepted, fa:StatusEdited)) }}
                                        GRAPH ?g {{ ?p fa:aboutPaper ?paper }} }}""")]
    return [v for paper in sorted(papers) for v in paper_proposals(store, paper) if v.status in CODED]


def _technique_proposals(store: Store) -> list[Any]:
    return [v for v in coded_proposals(store) if v.kind == "technique"]


def derived_triples(store: Store) -> list[tuple]:
    """The triples of ``fad:graph/methods``: methods, their codes, and open codes from proposals."""
    with store.session():
        ms = readmodel.get(store, method_views)
        moved = _replacements(store)
        labels = {r["p"]: r["l"] for r in store.select(
            "SELECT ?p (SAMPLE(?l0) AS ?l) WHERE { GRAPH ?g { ?p a fa:Proposal ; rdfs:label ?l0 } } GROUP BY ?p")}
        techs = _technique_proposals(store)
    out: list[tuple] = []
    method_of: dict[str, str] = {}
    for m in ms:
        mn = NamedNode(m.iri)
        out += [(mn, RDF.type, FA.FedNASMethod), (mn, RDFS.label, lit(m.label)), (mn, FA.shortName, lit(m.label)),
                (NamedNode(m.paper), FA.presentsMethod, mn)]
        out += [(mn, FA.usesNASType, NamedNode(x)) for x in m.nas_types]
        out += [(mn, FA.addressesChallenge, NamedNode(x)) for x in m.challenges]
        out += [(mn, FA.usesTechnique, NamedNode(moved.get(x, x))) for x in m.techniques]
        for code in m.open_codes:
            method_of[code] = m.iri
    for v in techs:
        oc = open_code_of(v.iri)
        label = labels.get(v.iri) or (v.text[:80] if v.text else local_name(v.iri))
        out += [(oc, RDF.type, FA.OpenCode), (oc, RDFS.label, lit(label)), (oc, FA.codedIn, NamedNode(v.paper)),
                (oc, PROV.wasDerivedFrom, NamedNode(v.iri))]
        if v.excerpt:
            out.append((oc, FA.evidence, NamedNode(v.excerpt)))
        if v.code:
            out.append((oc, FA.refinedAs, NamedNode(v.code)))  # the machine's match; a merge overrides it
        if oc.value in method_of:
            out.append((oc, FA.ofMethod, NamedNode(method_of[oc.value])))
    return out


def _replacements(store: Store) -> dict[str, str]:
    direct = {r["t"]: r["into"] for r in store.select("SELECT ?t ?into WHERE { GRAPH ?g { ?t dcterms:isReplacedBy ?into } }")}
    out = {}
    for t, cur in direct.items():
        seen = {t}
        while cur in direct and cur not in seen:
            seen.add(cur)
            cur = direct[cur]
        out[t] = cur
    return out


UNRELATED = {"effect", "resolve_effect", "memo", "define", "categorise", "create_category", "rename",
             "set_exclusion_reasons", "reasons"}


SCREENING = frozenset({"screen", "resolve"})  # change a record's decisions only: the methods follow the included set
_DERIVED: dict[str, tuple[str, frozenset[str]]] = {}  # location -> (revision, included papers) the graph is derived at


def _after_commit(store: Store, actions: set[str]) -> None:
    if actions - UNRELATED and not _still_derived(store):
        refresh(store)


def _still_derived(store: Store) -> bool:
    """Whether the methods graph derived before this process's last decision still holds after it: the decision
    (or the undo of one) only screened records and the set of included papers, all the graph reads of
    screening, is the same. A write in between that this process did not note means a rewrite."""
    last = readmodel.last_changes(store)
    derived = _DERIVED.get(store.location)
    if last is None or derived is None or derived[0] != last[0] or any(a not in SCREENING for a, _ in last[1]):
        return False
    if frozenset(_included(store)) != derived[1]:
        return False
    _DERIVED[store.location] = (store.revision() or "", derived[1])
    return True


def refresh(store: Store) -> int:
    """Rewrite ``fad:graph/methods`` from the decisions; returns its triple count."""
    with store.session():  # the lock is held from the read to the rewrite (store.commit bumps the revision)
        included = frozenset(_included(store))
        triples = derived_triples(store)
        tx = store.transaction()
        tx.clear_graph(METHODS_GRAPH)
        for s, p, o in triples:
            tx.add(s, p, o, METHODS_GRAPH)
        store.commit(tx)
        if store.revision():
            _DERIVED[store.location] = (store.revision() or "", included)
    return len(triples)


_after_commit.changes = [("derive_methods", frozenset())]  # type: ignore[attr-defined]  # read models: see readmodel
events.AFTER_COMMIT.append(_after_commit)
# the methods graph is not read by method_views: its rewrite and decisions beside methods keep it
readmodel.register(method_views, keep={"derive_methods", "effect", "resolve_effect", "reasons", "memo", "define"})


# ---- decisions ---------------------------------------------------------------------

def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise InputError("a method needs a name")
    if len(name) > 200:
        raise InputError("a method name is longer than 200 characters")
    return name


def _method_of_paper(store: Store, paper: str, method: str | NamedNode | None) -> MethodView:
    ms = methods_of(store, paper)
    if not ms:
        raise InputError(f"{local_name(paper)} presents no method",
                         hint="include it at full text first (or undo 'presents none')")
    if method is None:
        return ms[0]
    for m in ms:
        if m.iri == node(method).value:
            return m
    raise InputError(f"{local_name(method)} is not a method of {local_name(paper)}")


def rename_method(store: Store, who: str | Reviewer, method: str | NamedNode, name: str,
                  based_on: Any = LATEST) -> str:
    """Give a method a new name (bundled, default or added)."""
    m = node(method)
    name = _clean_name(name)
    with store.session():
        if not any(v.iri == m.value for v in method_views(store)):
            raise InputError(f"no method {m.value}")
        return write(store, who, Op("rename_method", m, {"label": name}, based_on,
                                    adds=[(m, RDFS.label, lit(name))], removes=curated(store, m, RDFS.label)))


def add_method(store: Store, who: str | Reviewer, paper: str | NamedNode, name: str) -> str:
    """A further method presented by ``paper`` (a split); returns the new method's IRI."""
    who = reviewer(who)
    p = node(paper)
    name = _clean_name(name)
    m = iri("method", f"{local_name(p)}/{slug(name)}")
    with store.session():
        if p.value not in set(_included(store)):
            raise InputError(f"{local_name(p)} is not included at full text", hint="include it first")
        if any(v.iri == m.value for v in method_views(store)):
            raise InputError(f"{local_name(p)} already presents a method named {name!r}")
        write(store, who, Op("add_method", m, {"paper": p.value, "label": name}, None,
                             adds=[(p, FA.presentsMethod, m), (m, RDFS.label, lit(name)), (m, FA.key, lit(slug(name))),
                                   (m, PROV.wasAttributedTo, who.iri)],
                             requires=[(f"ASK {{ GRAPH <{CG}> {{ {p} fa:presentsMethod {m} }} }}",
                                        f"{m.value} exists already", False)]))
    return m.value


def mark_no_method(store: Store, who: str | Reviewer, paper: str | NamedNode, none: bool = True,
                   based_on: Any = LATEST) -> str:
    """Record that ``paper`` presents no FedNAS method (e.g. a survey), or take that back."""
    p = node(paper)
    with store.session():
        removes = curated(store, p, FA.presentsNoMethod)
        adds = [(p, FA.presentsNoMethod, lit(True))] if none else []
        if not adds and not removes:
            raise InputError(f"{local_name(p)} is not marked as presenting no method")
        return write(store, who, Op("no_method" if none else "has_method", p, {"none": none}, based_on,
                                    adds=adds, removes=removes))


def assign(store: Store, who: str | Reviewer, proposal: str | NamedNode, method: str | NamedNode,
           based_on: Any = LATEST) -> str:
    """Attach a proposal's code to ``method`` (one of its paper's methods) instead of the first one."""
    from pipeline.curate.proposals import get

    pr = node(proposal)
    with store.session():
        view = get(store, pr)
        m = _method_of_paper(store, view.paper, method)
        return write(store, who, _assign_op(store, pr, NamedNode(m.iri), based_on))


def _assign_op(store: Store, pr: NamedNode, m: NamedNode, based_on: Any) -> Op:
    return Op("assign_method", pr, {"method": m.value}, based_on, adds=[(pr, FA.ofMethod, m)],
              removes=curated(store, pr, FA.ofMethod))


def accept_into(store: Store, who: str | Reviewer, proposal: str | NamedNode, method: str | NamedNode | None,
                based_on: Any = LATEST) -> list[str]:
    """Accept a proposal and attach it to ``method`` in one transaction (the app's "code goes to" choice)."""
    from pipeline.curate.proposals import _status_op, get

    pr = node(proposal)
    with store.session():
        ops = [_status_op(store, pr, "accept", "accepted", based_on)]
        if method:
            view = get(store, pr)
            m = _method_of_paper(store, view.paper, method)
            ops.append(_assign_op(store, pr, NamedNode(m.iri), LATEST))
        return commit(store, who, ops)
