"""Jobs, replies and answers serialised under a cap: the data a query worker and the endpoint exchange.

Answers are serialised while streaming, with a row and byte cap, so a huge result
is refused without first being held in memory. Nothing here imports pyoxigraph.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pipeline.serve.config import EndpointError


@dataclass(frozen=True)
class Job:
    """One request for a worker (picklable).

    ``kind`` is ``query``, ``update``, ``graph_get``, ``graph_write`` or ``graph_delete``;
    ``target`` (Graph Store Protocol) is ``graph`` (named by ``graph``), ``default`` or ``dataset``.
    """

    kind: str
    text: str = ""
    result_format: str = "json"
    graph_format: str = "turtle"
    dataset_format: str = "trig"
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    using_graphs: tuple[str, ...] = ()
    using_named_graphs: tuple[str, ...] = ()
    union_default: bool = False
    base_iri: str | None = None
    target: str = "graph"
    graph: str | None = None
    data: bytes = b""
    data_format: str = ""
    replace: bool = False
    allow_service: bool = False
    max_rows: int = 100_000
    max_bytes: int = 64 * 2**20
    wait_s: float = 30.0


@dataclass
class Reply:
    status: int
    body: bytes = b""
    media_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


class TooLarge(Exception):
    """Raised from inside serialisation to stop it."""


def too_large(what: str, limit: int, option: str) -> EndpointError:
    return EndpointError(
        400,
        f"Query result too large: more than {limit} {what} (limit set by {option}); "
        "add LIMIT/OFFSET to fetch it in pages, or ask the operator to raise the limit",
    )


class _CappedWriter:
    """A binary file object that refuses more than ``max_bytes`` (and ``max_lines`` lines)."""

    def __init__(self, max_bytes: int, max_lines: int | None = None) -> None:
        self.max_bytes = max_bytes
        self.max_lines = max_lines
        self.size = 0
        self.lines = 0
        self.parts: list[bytes] = []
        self.reason = ""

    def write(self, chunk: Any) -> int:
        data = bytes(chunk)
        self.size += len(data)
        if self.size > self.max_bytes:
            self.reason = "bytes"
            raise TooLarge()
        if self.max_lines is not None:
            self.lines += data.count(b"\n")
            if self.lines > self.max_lines:
                self.reason = "rows"
                raise TooLarge()
        self.parts.append(data)
        return len(data)

    def flush(self) -> None:
        pass

    def getvalue(self) -> bytes:
        return b"".join(self.parts)


def _counted(items: Iterable[Any], max_rows: int, what: str) -> Iterator[Any]:
    for i, item in enumerate(items):
        if i >= max_rows:
            raise too_large(what, max_rows, "--max-rows")
        yield item


def capped_serialize(items: Iterable[Any], fmt: str, job: Job, what: str) -> Reply:
    import pyoxigraph as ox

    from pipeline.store.rdf_formats import rdf_syntax
    from pipeline.vocab import PREFIXES

    syntax = rdf_syntax(fmt)
    out = _CappedWriter(job.max_bytes)
    prefixes = PREFIXES if syntax.prefixes else None
    try:
        # pyoxigraph's stub asks for a full IO[bytes]; it calls only write() and flush()
        ox.serialize(_counted(items, job.max_rows, what), out, format=syntax.rdf_format,  # type: ignore[arg-type]
                     prefixes=prefixes)
    except TooLarge:
        raise too_large("bytes", job.max_bytes, "--max-bytes") from None
    return Reply(200, out.getvalue(), syntax.media_type)


def serialize_answer(result: Any, job: Job) -> Reply:
    """A pyoxigraph query result as a Reply in the negotiated format, within the limits."""
    import pyoxigraph as ox

    from pipeline.store.base import serialized
    from pipeline.store.rdf_formats import result_syntax

    if isinstance(result, ox.QueryBoolean):
        res = result_syntax(job.result_format)
        return Reply(200, serialized(result.serialize(format=res.results_format)), res.media_type)
    if isinstance(result, ox.QuerySolutions):
        # TSV is one line per solution: stream it with a line cap, then convert.
        out = _CappedWriter(job.max_bytes, job.max_rows + 1)
        try:
            # pyoxigraph's stub asks for a full IO[bytes]; it calls only write() and flush()
            result.serialize(out, format=ox.QueryResultsFormat.TSV)  # type: ignore[arg-type]
        except TooLarge:
            if out.reason == "rows":
                raise too_large("rows", job.max_rows, "--max-rows") from None
            raise too_large("bytes", job.max_bytes, "--max-bytes") from None
        tsv = out.getvalue()
        res = result_syntax(job.result_format)
        if res.results_format == ox.QueryResultsFormat.TSV:
            return Reply(200, tsv, res.media_type)
        body = serialized(ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV).serialize(
            format=res.results_format))
        if len(body) > job.max_bytes:
            raise too_large("bytes", job.max_bytes, "--max-bytes")
        return Reply(200, body, res.media_type)
    return capped_serialize(result, job.graph_format, job, "triples")
