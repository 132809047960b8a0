"""The Store interface: one small API over an embedded or a remote RDF store.

Reads are SPARQL queries; writes are :class:`Transaction` objects that collect
inserts, deletes, graph clears and preconditions and apply them as ONE SPARQL
Update request, which both Oxigraph and any SPARQL 1.1 server execute
atomically: a failing write leaves the store exactly as before.
"""

from __future__ import annotations

import abc
import contextlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QuerySolutions,
    Triple,
    parse,
    serialize,
)

from pipeline.errors import QueryError, StaleWriteError
from pipeline.store.rdf_formats import rdf_format, rdf_names, rdf_syntax
from pipeline.vocab import sparql_iri, sparql_prefixes

Term = NamedNode | BlankNode | Literal
Subject = NamedNode | BlankNode | Triple  # what pyoxigraph accepts as a quad subject
Object = NamedNode | BlankNode | Literal | Triple  # ... and as a quad object
TermRow = dict[str, Term | None]  # one SELECT solution: variable -> term (None when unbound)
ValueRow = dict[str, Any]  # the same with plain Python values (see term_value)
QueryResult = list[TermRow] | bool | list[Triple]  # what a query of unknown form gives (console, CLI)

def term_value(term: Any) -> Any:
    """A plain Python value for an RDF term (str, int, float, bool or None)."""
    if term is None:
        return None
    if isinstance(term, Literal):
        dt = term.datatype.value if term.datatype else ""
        if dt.endswith(("#integer", "#int", "#long", "#nonNegativeInteger")):
            try:
                return int(term.value)
            except ValueError:
                return term.value
        if dt.endswith(("#double", "#decimal", "#float")):
            try:
                return float(term.value)
            except ValueError:
                return term.value
        if dt.endswith("#boolean"):
            return term.value == "true"
        return term.value
    return term.value


MAX_NESTING = 200
_SKIP = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*')


def check_nesting(sparql: str, limit: int = MAX_NESTING) -> None:
    """Refuse SPARQL nested deeper than ``limit`` brackets (strings, IRIs and comments aside):
    Oxigraph's recursive parser overflows the C stack at a few hundred nested ``(``, ``[`` or
    ``{`` and the whole process dies (segfault) -- the app, the CLI or an endpoint worker."""
    if sum(sparql.count(c) for c in "{([") <= limit:
        return
    depth = 0
    for ch in _SKIP.sub(" ", sparql):
        if ch in "{([":
            depth += 1
            if depth > limit:
                raise QueryError(f"query nested deeper than {limit} brackets", hint="flatten the query")
        elif ch in "})]":
            depth -= 1


def serialized(data: bytes | None) -> bytes:
    """The bytes of a pyoxigraph ``serialize`` call made without an output (it returns None only when given one)."""
    if data is None:
        raise TypeError("serialize was given an output; call it without one to get bytes")
    return data


def quad_text(s: Subject, p: NamedNode, o: Object) -> str:
    return f"{s} {p} {o} ."


def _graph_block(quads: Iterable[Quad]) -> str:
    """Group quads by graph into the body of INSERT DATA / DELETE DATA."""
    by_graph: dict[str, list[str]] = {}
    for q in quads:
        g = "" if isinstance(q.graph_name, DefaultGraph) else str(q.graph_name)
        by_graph.setdefault(g, []).append(quad_text(q.subject, q.predicate, q.object))
    parts = []
    for g, lines in by_graph.items():
        body = "\n".join(lines)
        parts.append(f"GRAPH {g} {{\n{body}\n}}" if g else body)  # sparql: rendered (terms of Quads)
    return "\n".join(parts)


@dataclass
class Precondition:
    """An ASK query that must hold (or not) when the transaction commits."""

    ask: str
    expect: bool
    message: str


@dataclass
class Transaction:
    """Writes collected in memory, applied atomically by :meth:`Store.commit`."""

    store: Store
    inserts: list[Quad] = field(default_factory=list)
    deletes: list[Quad] = field(default_factory=list)
    updates: list[str] = field(default_factory=list)
    cleared: list[NamedNode] = field(default_factory=list)
    preconditions: list[Precondition] = field(default_factory=list)

    def add(self, s: Subject, p: NamedNode, o: Object, g: NamedNode) -> None:
        self.inserts.append(Quad(s, p, o, g))

    def add_quads(self, quads: Iterable[Quad]) -> None:
        self.inserts.extend(quads)

    def remove(self, s: Subject, p: NamedNode, o: Object, g: NamedNode | BlankNode | DefaultGraph) -> None:
        self.deletes.append(Quad(s, p, o, g))

    def clear_graph(self, g: NamedNode) -> None:
        """Drop every triple of ``g`` (applied before this transaction's inserts)."""
        self.cleared.append(g)

    def update(self, sparql_update: str) -> None:
        """A raw SPARQL Update operation, run after clears and deletes."""
        self.updates.append(sparql_update)

    def require(self, ask: str, message: str, expect: bool = True) -> None:
        """Commit only if ``ask`` answers ``expect``; else raise StaleWriteError."""
        self.preconditions.append(Precondition(ask, expect, message))

    def is_empty(self) -> bool:
        return not (self.inserts or self.deletes or self.updates or self.cleared)

    def to_sparql(self) -> str:
        ops: list[str] = [f"DROP SILENT GRAPH {sparql_iri(g)}" for g in self.cleared]
        if self.deletes:
            ops.append("DELETE DATA {\n" + _graph_block(self.deletes) + "\n}")
        ops.extend(self.updates)
        if self.inserts:
            ops.append("INSERT DATA {\n" + _graph_block(self.inserts) + "\n}")
        return sparql_prefixes() + " ;\n".join(ops)

    def check_preconditions(self) -> None:
        for pre in self.preconditions:
            if self.store.ask(pre.ask) != pre.expect:
                raise StaleWriteError(pre.message)

    # context manager: ``with store.transaction() as tx: ...`` commits on exit
    def __enter__(self) -> Transaction:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.store.commit(self)


class Store(abc.ABC):
    """An RDF dataset Atlas reads with SPARQL and writes with transactions."""

    location: str

    # ---- reads -----------------------------------------------------------
    # One typed read per query form: ``select_terms``/``select`` -> rows, ``ask`` -> bool,
    # ``construct`` -> triples. ``query`` is for text whose form only the user knows (the
    # console, ``fedatlas query``): it returns the union and callers branch on it once.
    @abc.abstractmethod
    def _query(self, sparql: str) -> QuerySolutions | QueryBoolean | Iterator[Triple] | Any:
        """Run a full SPARQL query (prefixes already prepended): solutions (anything with
        ``variables`` and iterable rows), a boolean, or triples."""

    @abc.abstractmethod
    def raw_query(self, sparql: str, result_format: str) -> tuple[bytes, str]:
        """Answer ``sparql`` serialised in ``result_format`` (json, xml, csv,
        tsv for SELECT/ASK; turtle, ntriples, jsonld for graphs) -> (bytes, media type)."""

    def _typed(self, sparql: str) -> tuple[str, Any]:
        """("select", rows) | ("ask", bool) | ("graph", triples) for ``sparql``."""
        result = self._query(sparql_prefixes() + sparql)
        if isinstance(result, (QueryBoolean, bool)):
            return "ask", bool(result)
        variables = getattr(result, "variables", None)
        if variables is not None:
            names = [v.value for v in variables]
            rows = getattr(result, "rows", result)
            return "select", [{n: sol[n] for n in names} for sol in rows]
        return "graph", list(result)

    def query(self, sparql: str) -> QueryResult:
        """A query of any form: SELECT -> rows of terms; ASK -> bool; CONSTRUCT/DESCRIBE -> triples."""
        return self._typed(sparql)[1]

    def select_terms(self, sparql: str) -> list[TermRow]:
        """SELECT rows of RDF terms (QueryError for another query form)."""
        form, result = self._typed(sparql)
        if form != "select":
            raise QueryError("expected a SELECT query")
        return result

    def select(self, sparql: str) -> list[ValueRow]:
        """SELECT rows as plain Python values (IRIs become strings)."""
        return [{k: term_value(v) for k, v in row.items()} for row in self.select_terms(sparql)]

    def ask(self, sparql: str) -> bool:
        form, result = self._typed(sparql)
        if form != "ask":
            raise QueryError("expected an ASK query")
        return result

    def construct(self, sparql: str) -> list[Triple]:
        """CONSTRUCT or DESCRIBE triples (QueryError for another query form)."""
        form, result = self._typed(sparql)
        if form != "graph":
            raise QueryError("expected a CONSTRUCT or DESCRIBE query")
        return result

    @abc.abstractmethod
    def quads(self, graph: NamedNode | None = None) -> list[Quad]:
        """Every quad, or those of one named graph."""

    @abc.abstractmethod
    def graphs(self) -> list[NamedNode]:
        """The named graphs present."""

    def count(self, graph: NamedNode | None = None) -> int:
        where = f"GRAPH {graph} {{ ?s ?p ?o }}" if graph else "GRAPH ?g { ?s ?p ?o }"
        return int(self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")[0]["n"])

    def revision(self) -> str | None:
        """A token that changes with every write, or None where the store cannot tell
        (a remote endpoint): read models are cached per revision, never per page run."""
        return None

    def previous_revision(self, revision: str) -> str | None:
        """The revision that ``revision`` replaced, when this handle wrote it (else None): a cached
        read model can then follow its own process's writes instead of reading everything again."""
        return None

    # ---- writes ----------------------------------------------------------
    def transaction(self) -> Transaction:
        return Transaction(self)

    def commit(self, tx: Transaction) -> None:
        """Apply ``tx`` atomically (after its preconditions hold)."""
        if tx.is_empty() and not tx.preconditions:
            return
        with self.session(write=True):
            tx.check_preconditions()
            if not tx.is_empty():
                self._update(tx.to_sparql())

    @abc.abstractmethod
    def _update(self, sparql_update: str) -> None:
        """Run one SPARQL Update request atomically."""

    @contextlib.contextmanager
    def session(self, write: bool = False) -> Iterator[Store]:
        """Group several operations; embedded stores keep the database open."""
        yield self

    # ---- whole-store exchange -------------------------------------------
    def dump(self, fmt: str = "nquads", graph: NamedNode | None = None) -> bytes:
        """Serialise the dataset (or one graph) in ``fmt``."""
        quads = self.quads(graph)
        syntax = rdf_syntax(fmt)
        if syntax.named_graphs:
            return serialized(serialize(quads, format=syntax.rdf_format))
        if graph is None and len({q.graph_name for q in quads}) > 1:
            whole = ", ".join(rdf_names(named_graphs=True))
            raise QueryError(f"format {fmt!r} holds one graph; use {whole} for the whole store")
        return serialized(serialize([q.triple for q in quads], format=syntax.rdf_format))

    def load(self, data: bytes, fmt: str, graph: NamedNode | None = None, replace: bool = False) -> int:
        """Parse ``data`` and add it in one transaction; returns quads added.

        Triples of a triple format go to ``graph``; with ``replace`` the graphs
        that receive data are cleared first (still in the same transaction).
        """
        rf = rdf_format(fmt)
        try:
            parsed = list(parse(data, format=rf))
        except SyntaxError as e:
            raise QueryError(f"cannot parse {fmt} data: {e}", hint="the store was not changed") from None
        quads = []
        for item in parsed:
            if isinstance(item, Triple):
                quads.append(Quad(item.subject, item.predicate, item.object, graph or DefaultGraph()))
            elif graph is not None:
                quads.append(Quad(item.subject, item.predicate, item.object, graph))
            else:
                quads.append(item)
        tx = self.transaction()
        if replace:
            for g in {q.graph_name for q in quads if isinstance(q.graph_name, NamedNode)}:
                tx.clear_graph(g)
        tx.add_quads(quads)
        self.commit(tx)
        return len(quads)

    def canonical_dump(self) -> str:
        """The dataset in canonical N-Quads (RDFC-1.0 blank-node labels, sorted lines):
        two stores hold isomorphic data exactly when these strings are equal."""
        from pyoxigraph import CanonicalizationAlgorithm, Dataset

        ds = Dataset(self.quads())
        ds.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
        return "\n".join(sorted(str(q) for q in ds))

    def close(self) -> None:  # noqa: B027  pragma: no cover - an optional hook: a remote store holds nothing
        pass

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.location}>"
