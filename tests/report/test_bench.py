"""The benchmark scripts run, and both engines agree on every workload's row count."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _load(name: str):
    sys.path.insert(0, str(BENCH))
    try:
        spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(BENCH))


def test_synthetic_corpus_scales_and_shares_the_schemes():
    from pipeline.vocab import FA, RDF

    make = _load("make_synthetic")
    one, three = make.synthetic_quads(1), make.synthetic_quads(3)
    count = lambda qs, cls: len({q.subject for q in qs if q.predicate == RDF.type and q.object == cls})  # noqa: E731
    assert count(three, FA.FedNASMethod) == 3 * count(one, FA.FedNASMethod)
    assert count(three, FA.Challenge) == count(one, FA.Challenge) == 11
    assert count(three, FA.Replication) == 3 * count(one, FA.Replication) > 0
    assert make.synthetic_quads(3) == three  # deterministic


def test_bench_engines_agree_on_the_seed_corpus(tmp_path, capsys):
    bench = _load("bench_queries")
    # the answers, not the speed, are checked here: rdflib runs in this process (no fork, no timeout)
    result = bench.bench_scale(1, repeat=1, rdflib_budget=10, workdir=tmp_path, fork=False,
                               report=bench.print_row)
    names = {r["query"] for r in result["results"]}
    assert "tables.overview_tables (both)" in names and "saved:rejected_machine_codes" in names
    failed = [r["query"] for r in result["results"] if r["rdflib_error"]]
    assert failed in ([], ["saved:papers_per_prisma_stage"]), failed  # rdflib recurses on its long UNION
    for r in result["results"]:
        if r["rdflib_error"]:
            continue
        assert not r["rdflib_timed_out"]
        assert r["rows"] == r["rdflib_rows"], r["query"]
        # the ratio is the two timings of the same run, not a number on its own
        assert r["ratio"] == pytest.approx(r["rdflib_ms"] / r["oxigraph_ms"])
    # the engines agree on answers with rows, not only on empty ones
    assert sum(r["rows"] > 0 for r in result["results"]) >= len(result["results"]) // 2
    assert "rdflib/Oxigraph" in capsys.readouterr().out
