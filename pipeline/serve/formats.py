"""Content negotiation: which serialisation a client gets (``Accept`` header or ``?format=``)."""

from __future__ import annotations

from pipeline.serve.config import EndpointError
from pipeline.store.rdf_formats import RDF_SYNTAXES, RESULT_SYNTAXES, rdf_by_media, rdf_media_types

# name -> media type, for SELECT/ASK answers, for graphs (CONSTRUCT, DESCRIBE) and for the
# whole dataset (GET /store); all read from the one table in pipeline.store.rdf_formats
RESULT_TYPES = {r.name: r.media_type for r in RESULT_SYNTAXES}
GRAPH_TYPES = {s.name: s.media_type for s in RDF_SYNTAXES if s.one_graph}
DATASET_TYPES = {s.name: s.media_type for s in RDF_SYNTAXES if not s.one_graph}

_RESULT_ALIASES = {m: r.name for r in RESULT_SYNTAXES for m in r.media_aliases}
_GRAPH_ALIASES = {m: s.name for s in RDF_SYNTAXES if s.one_graph for m in s.media_aliases}
# ?format= / ?output= names (SPARQLWrapper sends these too): name -> (result name, graph name);
# a result name also names its graph twin (json -> jsonld) and the twin names the result back
_TWIN_OF = {r.graph_twin: r.name for r in RESULT_SYNTAXES if r.graph_twin}
_FORMAT_PARAM = {r.name: (r.name, r.graph_twin) for r in RESULT_SYNTAXES} | {
    name: (_TWIN_OF.get(s.name), s.name) for s in RDF_SYNTAXES for name in (s.name, *s.aliases)}
# request bodies (Graph Store Protocol uploads): media type -> Store format name
UPLOAD_TYPES = {m: rdf_by_media(m).name for m in rdf_media_types()}


def _parse_accept(header: str) -> list[str]:
    """Media ranges of an Accept header, best first (q, then order)."""
    ranked = []
    for i, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for f in fields[1:]:
            if f.lower().startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        if q > 0:
            ranked.append((-q, i, media))
    return [m for _, _, m in sorted(ranked)]


def _pick(ranked: list[str], types: dict[str, str], aliases: dict[str, str], default: str) -> str:
    by_media = {v: k for k, v in types.items()} | {k: v for k, v in aliases.items() if v in types}
    for media in ranked:
        if media in by_media:
            return by_media[media]
        if media == "*/*" or (media.endswith("/*") and types[default].startswith(media[:-1])):
            return default
        if media.endswith("/*"):
            for name, full in types.items():
                if full.startswith(media[:-1]):
                    return name
    return default  # lenient: an unknown Accept still gets an answer, labelled with its type


def _format_pair(value: str) -> tuple[str | None, str | None]:
    """(result name, graph or dataset name) one ``format`` value names; (None, None) if none.

    A value may be a name (``tsv``), a media type, or a comma list of media types (SPARQLWrapper
    sends its Accept header there too)."""
    key = value.strip().lower()
    if "," in key:
        for part in key.split(","):
            pair = _format_pair(part.split(";")[0])
            if pair != (None, None):
                return pair
        return None, None
    if key in _RESULT_ALIASES or key in _GRAPH_ALIASES or "/" in key:
        r = _RESULT_ALIASES.get(key) or {v: k for k, v in RESULT_TYPES.items()}.get(key)
        g = _GRAPH_ALIASES.get(key) or {v: k for k, v in GRAPH_TYPES.items()}.get(key)
        d = {v: k for k, v in DATASET_TYPES.items()}.get(key)
        return r, g or d
    return _FORMAT_PARAM.get(key, (None, None))


def negotiate(accept: str | None, format_param: str | list[str] | None) -> tuple[str, str, str]:
    """(result format, graph format, dataset format) for this request.

    ``format_param``: the ``format``/``output`` values; several are one choice when each names
    the same format (``format=tsv&format=text/tab-separated-values``), else a 400.
    """
    ranked = _parse_accept(accept or "*/*")
    result = _pick(ranked, RESULT_TYPES, _RESULT_ALIASES, "json")
    graph = _pick(ranked, GRAPH_TYPES, _GRAPH_ALIASES, "turtle")
    dataset = _pick(ranked, DATASET_TYPES, {}, "trig")
    values = [format_param] if isinstance(format_param, str) else list(format_param or [])
    pairs = []
    for value in values:
        if not value.strip():
            continue
        pair = _format_pair(value)
        if pair == (None, None):
            known = ", ".join(sorted(_FORMAT_PARAM))
            raise EndpointError(400, f"unknown format {value!r}; known: {known}")
        pairs.append(pair)
    if pairs:
        merged: list[str | None] = [None, None]
        for pair in pairs:
            for i in (0, 1):
                if pair[i] and merged[i] and pair[i] != merged[i]:
                    raise EndpointError(400, f"the format parameters name different formats: {values!r}; give one")
                merged[i] = merged[i] or pair[i]
        if merged[0]:
            result = merged[0]
        other = merged[1]
        if other is not None and other in GRAPH_TYPES:
            graph = other
        if other is not None and other in DATASET_TYPES:
            dataset = other
    return result, graph, dataset
