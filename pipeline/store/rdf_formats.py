"""Every serialisation Atlas reads or writes, named once: RDF syntaxes and SPARQL result syntaxes.

The store (dump, load), the remote client (Accept header), the endpoint (content negotiation,
uploads) and the CLI (``export``/``import`` choices, file suffixes) all spell format names,
suffixes and media types; they read them here so that a new syntax or alias is one line.
This is a leaf: it imports pyoxigraph and the error catalogue, nothing of Atlas above it.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyoxigraph import QueryResultsFormat, RdfFormat

from pipeline.errors import UnknownNameError


@dataclass(frozen=True)
class RdfSyntax:
    """One RDF serialisation.

    ``named_graphs``: it carries a whole dataset (a store dump keeps its graphs).
    ``one_graph``: it writes a single graph as such, so it answers a CONSTRUCT; a syntax with
    graphs but not this (N-Quads, TriG) is what the endpoint offers for a dataset answer.
    ``aliases``/``media_aliases``: other names (``?format=ttl``) and media types clients send.
    """

    name: str
    label: str
    suffixes: tuple[str, ...]
    media_type: str
    rdf_format: RdfFormat
    named_graphs: bool
    one_graph: bool = True
    prefixes: bool = False  # the syntax can declare prefixes (output is shorter with them)
    aliases: tuple[str, ...] = ()
    media_aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class ResultSyntax:
    """One SPARQL SELECT/ASK result serialisation.

    ``graph_twin``: the RDF syntax of the same family, which ``?format=json`` means for a graph
    answer (JSON -> JSON-LD, XML -> RDF/XML)."""

    name: str
    suffixes: tuple[str, ...]
    media_type: str
    results_format: QueryResultsFormat
    graph_twin: str | None = None
    media_aliases: tuple[str, ...] = ()


# order matters: for a wildcard Accept (``application/*``) the endpoint picks the first that fits
RDF_SYNTAXES: tuple[RdfSyntax, ...] = (
    RdfSyntax("turtle", "Turtle", (".ttl",), "text/turtle", RdfFormat.TURTLE, named_graphs=False, prefixes=True,
              aliases=("ttl", "n3"),
              media_aliases=("application/turtle", "application/x-turtle", "text/n3", "text/rdf+n3")),
    RdfSyntax("ntriples", "N-Triples", (".nt",), "application/n-triples", RdfFormat.N_TRIPLES,
              named_graphs=False, aliases=("nt", "n-triples"), media_aliases=("text/plain",)),
    RdfSyntax("jsonld", "JSON-LD", (".jsonld", ".json"), "application/ld+json", RdfFormat.JSON_LD,
              named_graphs=True, aliases=("json-ld",), media_aliases=("application/json", "application/x-json+ld")),
    RdfSyntax("rdfxml", "RDF/XML", (".rdf", ".owl"), "application/rdf+xml", RdfFormat.RDF_XML,
              named_graphs=False, aliases=("rdf+xml", "rdf"), media_aliases=("application/xml", "text/xml")),
    RdfSyntax("nquads", "N-Quads", (".nq", ".nquads"), "application/n-quads", RdfFormat.N_QUADS,
              named_graphs=True, one_graph=False),
    RdfSyntax("trig", "TriG", (".trig",), "application/trig", RdfFormat.TRIG,
              named_graphs=True, one_graph=False, prefixes=True),
)
RESULT_SYNTAXES: tuple[ResultSyntax, ...] = (
    ResultSyntax("json", (".srj", ".json"), "application/sparql-results+json", QueryResultsFormat.JSON,
                 graph_twin="jsonld", media_aliases=("application/json",)),
    ResultSyntax("xml", (".srx", ".xml"), "application/sparql-results+xml", QueryResultsFormat.XML,
                 graph_twin="rdfxml", media_aliases=("application/xml", "text/xml")),
    ResultSyntax("csv", (".csv",), "text/csv", QueryResultsFormat.CSV),
    ResultSyntax("tsv", (".tsv",), "text/tab-separated-values", QueryResultsFormat.TSV),
)

_RDF = {s.name: s for s in RDF_SYNTAXES}
_RESULTS = {s.name: s for s in RESULT_SYNTAXES}


def rdf_names(*, named_graphs: bool | None = None, one_graph: bool | None = None) -> list[str]:
    """Names of the RDF syntaxes, optionally only those with (or without) graphs / one-graph output."""
    return [s.name for s in RDF_SYNTAXES
            if (named_graphs is None or s.named_graphs == named_graphs)
            and (one_graph is None or s.one_graph == one_graph)]


def result_names() -> list[str]:
    return [s.name for s in RESULT_SYNTAXES]


def _unknown(what: str, value: str, known: list[str]) -> UnknownNameError:
    return UnknownNameError(f"unknown {what} {value!r}", hint="known: " + ", ".join(known))


def rdf_syntax(name: str) -> RdfSyntax:
    """The RDF syntax called ``name`` (its own name or an alias such as ``ttl``)."""
    key = name.strip().lower()
    found = _RDF.get(key) or next((s for s in RDF_SYNTAXES if key in s.aliases), None)
    if found is None:
        raise _unknown("RDF format", name, list(_RDF))
    return found


def rdf_format(name: str) -> RdfFormat:
    """The pyoxigraph format for an RDF syntax name."""
    return rdf_syntax(name).rdf_format


def result_syntax(name: str) -> ResultSyntax:
    found = _RESULTS.get(name.strip().lower())
    if found is None:
        raise _unknown("result format", name, list(_RESULTS))
    return found


def _base(media: str) -> str:
    return media.split(";")[0].strip().lower()


def rdf_by_media(media: str, *, aliases: bool = True) -> RdfSyntax:
    """The RDF syntax of a media type (parameters such as ``charset`` are ignored)."""
    key = _base(media)
    for s in RDF_SYNTAXES:
        if key == s.media_type or (aliases and key in s.media_aliases):
            return s
    raise _unknown("RDF media type", media, rdf_media_types(aliases=aliases))


def result_by_media(media: str, *, aliases: bool = True) -> ResultSyntax:
    key = _base(media)
    for s in RESULT_SYNTAXES:
        if key == s.media_type or (aliases and key in s.media_aliases):
            return s
    raise _unknown("result media type", media, [s.media_type for s in RESULT_SYNTAXES])


def rdf_media_types(*, aliases: bool = True) -> list[str]:
    """Every media type that names an RDF syntax (what an upload may declare)."""
    out = [s.media_type for s in RDF_SYNTAXES]
    if aliases:
        out += [m for s in RDF_SYNTAXES for m in s.media_aliases]
    return out


def rdf_by_suffix(path: str) -> RdfSyntax:
    """The RDF syntax of a file name by its suffix (``.ttl``, ``.nq`` ...), case-insensitive."""
    name = path.lower()
    for s in RDF_SYNTAXES:
        if name.endswith(s.suffixes):
            return s
    raise _unknown("RDF file suffix", path.rsplit("/", 1)[-1], rdf_suffixes())


def rdf_suffixes() -> list[str]:
    return [x for s in RDF_SYNTAXES for x in s.suffixes]


def media_type(name: str) -> str:
    """The media type of a result or RDF syntax name."""
    if name in _RESULTS:
        return _RESULTS[name].media_type
    return rdf_syntax(name).media_type
