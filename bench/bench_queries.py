"""Query latency: Atlas's store (Oxigraph) against rdflib's SPARQL engine, same data, same run.

For each scale (default: the seed corpus and a synthetic corpus 100x its size,
see ``make_synthetic.py``) the same N-Quads are loaded into an embedded Atlas
store and into an in-memory ``rdflib.Dataset``. Then the overview-table
queries (the four reads of ``pipeline.report.tables`` and ``overview_tables`` end to
end, run through the very same functions on both engines) and every saved
query in ``corpus/queries`` are timed: median of ``--repeat`` runs, warm,
inside one store session (opening the embedded database is reported apart).
Both engines must return the same number of rows; a mismatch is flagged.
Each rdflib measurement runs in a forked child with a hard time limit
(``--rdflib-timeout``); a query past it is reported as ``>limit`` and the ratio
as a lower bound.

    python bench/bench_queries.py                   # scales 1 and 100
    python bench/bench_queries.py --scales 1 --repeat 1 --rdflib-budget 30
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_synthetic import synthetic_quads  # noqa: E402
from pyoxigraph import RdfFormat, serialize  # noqa: E402

from pipeline.report import tables  # noqa: E402
from pipeline.store import EmbeddedStore  # noqa: E402
from pipeline.vocab import sparql_prefixes  # noqa: E402

QUERY_DIR = ROOT / "corpus" / "queries"


class RdflibStore:
    """Just enough of the Store API (select, session) over an rdflib Dataset."""

    location = "rdflib:memory"

    def __init__(self, nquads: bytes) -> None:
        from rdflib import Dataset

        self.ds = Dataset(default_union=True)
        self.ds.parse(data=nquads, format="nquads")

    @contextlib.contextmanager
    def session(self, write: bool = False):
        yield self

    def select(self, sparql: str) -> list[dict[str, Any]]:
        result = self.ds.query(sparql_prefixes() + sparql)
        names = [str(v) for v in result.vars or []]
        return [{n: _value(row[i]) for i, n in enumerate(names)} for row in result]  # type: ignore[index]


def _value(term: Any) -> Any:
    """The same plain values as ``pipeline.store.term_value`` gives for Oxigraph terms."""
    from rdflib import Literal

    if term is None:
        return None
    if isinstance(term, Literal):
        dt = str(term.datatype or "")
        if dt.endswith(("#integer", "#int", "#long", "#nonNegativeInteger")):
            return int(term)
        if dt.endswith(("#double", "#decimal", "#float")):
            return float(term)
        if dt.endswith("#boolean"):
            return str(term) == "true"
        return str(term)
    return str(term)


def workloads() -> dict[str, Callable[[Any], int]]:
    """name -> function(store) returning a row count."""
    work: dict[str, Callable[[Any], int]] = {
        "tables.challenges": lambda s: len(tables.challenges(s)),
        "tables.current_assessments": lambda s: len(tables.current_assessments(s)),
        "tables.techniques": lambda s: len(tables.techniques(s)),
        "tables.methods": lambda s: len(tables.methods(s)),
        "tables.overview_tables (both)": lambda s: sum(len(t.rows) for t in tables.overview_tables(s)),
    }
    for path in sorted(QUERY_DIR.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        work[f"saved:{path.stem}"] = functools.partial(_count_rows, text=text)
    return work


def _count_rows(store: Any, text: str) -> int:
    return len(store.select(text))


def _time(fn: Callable[[], int], repeat: int, budget_s: float) -> tuple[float, int]:
    """Median seconds over up to ``repeat`` runs (fewer once ``budget_s`` is spent), and rows."""
    times, rows = [], 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        rows = fn()
        times.append(time.perf_counter() - t0)
        if sum(times) > budget_s:
            break
    return statistics.median(times), rows


def _time_forked(fn: Callable[[], int], repeat: int, budget_s: float, timeout_s: float) -> tuple[float | None, int]:
    """``_time`` in a forked child (it inherits the loaded data); (None, -1) past ``timeout_s``."""
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)

    def child() -> None:
        send.send(_time(fn, repeat, budget_s))

    proc = ctx.Process(target=child, daemon=True)
    proc.start()
    ready = recv.poll(timeout_s)
    result = recv.recv() if ready else (None, -1)
    if proc.is_alive():
        proc.kill()
    proc.join()
    return result


def bench_scale(scale: int, repeat: int, rdflib_budget: float, workdir: Path, rdflib_timeout: float = 120.0,
                report: Callable[[dict], None] | None = None, fork: bool = True) -> dict:
    """``fork=False`` runs rdflib in this process, with no timeout: for tests, where a fork of a
    process holding model threads can deadlock."""
    quads = synthetic_quads(scale)
    data = serialize(quads, format=RdfFormat.N_QUADS)
    assert data is not None  # serialize() without an output returns the bytes
    store = EmbeddedStore(workdir / f"store-{scale}")
    t0 = time.perf_counter()
    store.load(data, "nquads")
    load_ox = time.perf_counter() - t0
    t0 = time.perf_counter()
    rdf = RdflibStore(data)
    load_rdf = time.perf_counter() - t0
    tables.challenges(rdf)  # type: ignore[arg-type]  # rdflib builds its SPARQL parser lazily: warm it before forking
    t0 = time.perf_counter()
    with store.session():
        pass
    open_s = time.perf_counter() - t0
    head = {"scale": scale, "quads": len(quads), "load_oxigraph_s": load_ox, "load_rdflib_s": load_rdf,
            "open_store_ms": open_s * 1e3, "rdflib_timeout_s": rdflib_timeout}
    if report:
        report(head)
    results = []
    with store.session():
        for name, fn in workloads().items():
            fn(store)  # warm
            ox_s, ox_rows = _time(functools.partial(fn, store), repeat, 60.0)
            error = None
            if fork:
                rd_s, rd_rows = _time_forked(functools.partial(fn, rdf), repeat, rdflib_budget, rdflib_timeout)
            else:
                try:
                    rd_s, rd_rows = _time(functools.partial(fn, rdf), repeat, rdflib_budget)
                except RecursionError:  # rdflib evaluates long UNION chains recursively
                    rd_s, rd_rows, error = None, -1, "RecursionError"
            timed_out = rd_s is None and error is None
            rd_s = rdflib_timeout if rd_s is None else rd_s
            row = {"query": name, "rows": ox_rows, "rdflib_rows": rd_rows, "oxigraph_ms": ox_s * 1e3,
                   "rdflib_ms": rd_s * 1e3, "rdflib_timed_out": timed_out, "rdflib_error": error,
                   "ratio": rd_s / ox_s if ox_s else float("inf")}
            results.append(row)
            if report:
                report(row)
    return {**head, "results": results}


def print_row(x: dict) -> None:
    """One line per scale header or per query, printed as soon as it is measured."""
    if "query" not in x:
        print(f"\n== {x['scale']}x seed corpus: {x['quads']} quads "
              f"(load: Oxigraph {x['load_oxigraph_s']:.2f} s, rdflib {x['load_rdflib_s']:.2f} s; "
              f"opening the embedded store {x['open_store_ms']:.0f} ms, not included below)")
        print(f"{'query':<42}{'rows':>7}{'Oxigraph ms':>13}{'rdflib ms':>12}{'rdflib/Oxigraph':>17}")
    elif x["rdflib_timed_out"]:
        print(f"{x['query']:<42}{x['rows']:>7}{x['oxigraph_ms']:>13.2f}{'>' + format(x['rdflib_ms'], '.0f'):>12}"
              f"{'>' + format(x['ratio'], '.0f'):>16}x  (rdflib stopped at the time limit)")
    else:
        flag = "" if x["rows"] == x["rdflib_rows"] else f"  ROW MISMATCH (rdflib {x['rdflib_rows']})"
        print(f"{x['query']:<42}{x['rows']:>7}{x['oxigraph_ms']:>13.2f}{x['rdflib_ms']:>12.2f}{x['ratio']:>16.1f}x{flag}")
    sys.stdout.flush()


def print_summary(r: dict) -> None:
    geo = statistics.geometric_mean([x["ratio"] for x in r["results"]])
    bound = " (at least: some rdflib runs hit the limit)" if any(x["rdflib_timed_out"] for x in r["results"]) else ""
    print(f"{'geometric mean of ratios':<74}{geo:>6.1f}x{bound}")


def main(argv: list[str] | None = None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scales", type=int, nargs="+", default=[1, 100])
    ap.add_argument("--repeat", type=int, default=5, help="runs per query (median reported)")
    ap.add_argument("--rdflib-budget", type=float, default=30.0,
                    help="stop repeating an rdflib query once its runs took this many seconds")
    ap.add_argument("--rdflib-timeout", type=float, default=120.0,
                    help="hard limit in seconds for one rdflib measurement (reported as >limit)")
    ap.add_argument("--json", help="also write the results to this JSON file")
    args = ap.parse_args(argv)
    out = []
    with tempfile.TemporaryDirectory(prefix="atlas-bench-") as tmp:
        for scale in args.scales:
            r = bench_scale(scale, args.repeat, args.rdflib_budget, Path(tmp), args.rdflib_timeout, print_row)
            print_summary(r)
            out.append(r)
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2))
    return out


if __name__ == "__main__":
    main()
