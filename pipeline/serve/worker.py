"""What runs inside a query worker process: one job at a time, under the parent's clock.

pyoxigraph cannot interrupt a running query, so the endpoint runs every query,
update and Graph Store request in a worker process that the parent kills when it
runs past the timeout. Each job opens the store through the Store API and closes
it again, so the embedded store's file lock (and RocksDB's own) is released when
the job ends, or by the kernel when a killed worker dies.

Answers are serialised under a row and byte cap (pipeline.serve.answers).

Nothing here imports pyoxigraph at module level: the worker first caps its memory
and (where the OS allows) moves into an empty network namespace, then imports.
"""

from __future__ import annotations

import os
import signal
from typing import Any

from pipeline.serve.answers import Job, Reply, capped_serialize, serialize_answer
from pipeline.serve.config import EndpointError
from pipeline.serve.dataset import apply_using, has_dataset_clause
from pipeline.serve.guard import check_query, check_update


def _first_line(e: BaseException) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


# ---- the jobs -------------------------------------------------------------------
def _open(location: str, wait_s: float):
    from pipeline.store import EmbeddedStore, RemoteStore

    if location.startswith(("http://", "https://")):
        return RemoteStore(location, timeout_s=wait_s)
    return EmbeddedStore(location, wait_s=wait_s)


def _is_embedded(store: Any) -> bool:
    from pipeline.store import EmbeddedStore

    return isinstance(store, EmbeddedStore)


def run_query(store: Any, job: Job) -> Reply:
    import pyoxigraph as ox

    from pipeline.vocab import PREFIXES, sparql_prefixes

    check_query(job.text, job.allow_service)
    if not _is_embedded(store):
        if job.default_graphs or job.named_graphs:
            raise EndpointError(400, "default-graph-uri / named-graph-uri are not supported over a remote store")
        return serialize_answer(store._query(sparql_prefixes() + job.text), job)
    kwargs: dict[str, Any] = {"base_iri": job.base_iri}
    if job.default_graphs:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
    if job.named_graphs:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    # the union default graph, asked for (?union-default-graph) or by default; a FROM in the query still wins
    if not job.default_graphs and not has_dataset_clause(job.text) and (job.union_default or not job.named_graphs):
        kwargs["use_default_graph_as_union"] = True
    return _in_session(store, lambda: serialize_answer(store.db.query(job.text, prefixes=PREFIXES, **kwargs), job))


def _in_session(store: Any, work: Any) -> Reply:
    """Run ``work()`` in a read session of an embedded store.

    No pyoxigraph result may outlive the session (it keeps RocksDB open after the
    file lock is released), not even through an exception's traceback: errors are
    caught inside the session and raised again, fresh, after it.
    """
    failure: tuple[int, str] | None = None
    with store.session():
        try:
            return work()
        except EndpointError as e:
            failure = (e.status, e.message)
        except SyntaxError as e:
            failure = (400, f"SPARQL syntax error: {_first_line(e)}")
        except (OSError, RuntimeError, ValueError) as e:
            failure = (500, f"Query failed: {_first_line(e)}")
    raise EndpointError(*failure)


def run_update(store: Any, job: Job) -> Reply:
    from pipeline.vocab import PREFIXES, sparql_prefixes

    check_update(job.text, job.allow_service)
    text = apply_using(job.text, job.using_graphs, job.using_named_graphs)
    if not _is_embedded(store):
        with store.session(write=True):
            store._update(sparql_prefixes() + text)
        return Reply(204)
    with store.session(write=True):
        try:
            store.db.update(text, prefixes=PREFIXES, base_iri=job.base_iri)
        except SyntaxError as e:
            raise EndpointError(400, f"SPARQL syntax error: {_first_line(e)}") from None
        except (OSError, RuntimeError) as e:
            raise EndpointError(500, f"Update failed (nothing was written): {_first_line(e)}") from None
    return Reply(204)


def _graph_exists(store: Any, iri: str) -> bool:
    from pipeline.vocab import sparql_iri

    return bool(store.ask(f"ASK {{ GRAPH {sparql_iri(iri)} {{ ?s ?p ?o }} }}"))


def run_graph_get(store: Any, job: Job) -> Reply:
    if job.target == "graph":
        assert job.graph
        if not _graph_exists(store, job.graph):
            raise EndpointError(404, f"No graph <{job.graph}> in this store")
        from pipeline.vocab import sparql_iri

        where = f"GRAPH {sparql_iri(job.graph)} {{ ?s ?p ?o }}"
    else:
        where = "?s ?p ?o"
    sparql = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {where} }}"
    if not _is_embedded(store):
        if job.target == "dataset":
            return capped_serialize(store.quads(), job.dataset_format, job, "quads")
        return capped_serialize(store._query(sparql), job.graph_format, job, "triples")
    if job.target == "dataset":
        return _in_session(store, lambda: capped_serialize(
            store.db.quads_for_pattern(None, None, None, None), job.dataset_format, job, "quads"))
    return _in_session(store, lambda: capped_serialize(store.db.query(sparql), job.graph_format, job, "triples"))


def run_graph_write(store: Any, job: Job) -> Reply:
    import pyoxigraph as ox

    from pipeline.store.rdf_formats import rdf_format

    try:
        parsed = list(ox.parse(job.data, format=rdf_format(job.data_format)))
    except SyntaxError as e:
        raise EndpointError(400, f"cannot parse the {job.data_format} body: {_first_line(e)}; nothing was written") from None
    target = ox.NamedNode(job.graph) if job.target == "graph" and job.graph else None
    quads = []
    for item in parsed:
        if isinstance(item, ox.Triple):
            quads.append(ox.Quad(item.subject, item.predicate, item.object, target or ox.DefaultGraph()))
        elif job.target == "dataset":
            quads.append(item)
        else:
            quads.append(ox.Quad(item.subject, item.predicate, item.object, target or ox.DefaultGraph()))
    with store.session(write=True):
        created = job.target == "graph" and not _graph_exists(store, job.graph or "")
        tx = store.transaction()
        if job.replace:
            if target is not None:
                tx.clear_graph(target)
            else:
                tx.update("CLEAR SILENT DEFAULT" if job.target == "default" else "CLEAR SILENT ALL")
        tx.add_quads(quads)
        store.commit(tx)
    return Reply(201 if created and quads else 204)


def run_graph_delete(store: Any, job: Job) -> Reply:
    import pyoxigraph as ox

    with store.session(write=True):
        tx = store.transaction()
        if job.target == "graph" and job.graph:
            if not _graph_exists(store, job.graph):
                raise EndpointError(404, f"No graph <{job.graph}> in this store")
            tx.clear_graph(ox.NamedNode(job.graph))
        elif job.target == "default":
            tx.update("CLEAR SILENT DEFAULT")
        else:
            raise EndpointError(400, "DELETE needs ?graph=IRI or ?default (the whole dataset is not deleted this way)")
        store.commit(tx)
    return Reply(204)


RUNNERS = {
    "query": run_query,
    "update": run_update,
    "graph_get": run_graph_get,
    "graph_write": run_graph_write,
    "graph_delete": run_graph_delete,
}


def execute(location: str, job: Job) -> Reply:
    """Run one job against the store at ``location``; every failure becomes a Reply."""
    from pipeline.errors import AtlasError, QueryError, StoreBusyError, TransactionError

    try:
        store = _open(location, job.wait_s)
        try:
            return RUNNERS[job.kind](store, job)
        finally:
            store.close()
    except EndpointError as e:
        return Reply(e.status, e.message.encode(), headers=e.headers)
    except StoreBusyError as e:
        return Reply(503, f"Store busy: {e.message}".encode())
    except (QueryError, TransactionError) as e:
        return Reply(400, e.message.encode())
    except AtlasError as e:
        return Reply(500, e.message.encode())
    except MemoryError:
        return Reply(500, b"Query failed: it needs more memory than this endpoint allows (--memory-mb)")
    except SyntaxError as e:
        return Reply(400, f"SPARQL syntax error: {_first_line(e)}".encode())
    except Exception as e:  # noqa: BLE001 - the worker must answer, not die
        return Reply(500, f"Query failed: {type(e).__name__}: {_first_line(e)}".encode())


# ---- the process ------------------------------------------------------------------
def _isolate_network() -> bool:
    """Move this (single-threaded) process into a new user + network namespace: no network.

    Best effort: returns False where the OS does not allow unprivileged namespaces.
    """
    try:
        import ctypes

        uid, gid = os.getuid(), os.getgid()
        libc = ctypes.CDLL(None, use_errno=True)
        clone_newuser, clone_newnet = 0x10000000, 0x40000000
        if libc.unshare(clone_newuser | clone_newnet) != 0:
            return False
        # map our own ids so that files created in the store keep their owner
        for path, text in (("/proc/self/setgroups", "deny"), ("/proc/self/uid_map", f"{uid} {uid} 1"),
                           ("/proc/self/gid_map", f"{gid} {gid} 1")):
            try:
                with open(path, "w") as fh:
                    fh.write(text)
            except OSError:
                pass
        return True
    except Exception:  # noqa: BLE001
        return False


def _cap_memory(memory_mb: int) -> None:
    if memory_mb <= 0:
        return
    try:
        import resource

        limit = memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass


def worker_main(conn: Any, location: str, memory_mb: int, isolate: bool, answers: Any = None) -> None:
    """Entry point of a worker process: announce readiness, then answer jobs until EOF."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    isolated = _isolate_network() if isolate else False
    _cap_memory(memory_mb)
    import pyoxigraph  # noqa: F401 - import once, before the first job's clock starts

    out = answers or conn
    out.send(("ready", isolated))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return  # the server went away: so do we
        if job is None:
            return
        out.send(execute(location, job))

