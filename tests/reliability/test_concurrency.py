"""Issue item 3: two app sessions deciding at once, a CLI ingest writing, the endpoint serving reads."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

import relkit

N = 20  # decisions per session; sessions overlap on 10 targets (chains of two decisions)

# one query = one snapshot: every decided target must already show its effect (accepted)
CONSISTENT = """SELECT (COUNT(DISTINCT ?d) AS ?decisions) (COUNT(DISTINCT ?t) AS ?targets)
                       (COUNT(DISTINCT ?a) AS ?accepted) WHERE {
  GRAPH <https://w3id.org/fedatlas/id/graph/curation> { ?d a fa:Decision ; fa:target ?t .
    FILTER(STRSTARTS(STR(?t), "https://w3id.org/fedatlas/id/proposal/rel2024-target/"))
    OPTIONAL { ?t fa:status fa:StatusAccepted BIND(?t AS ?a) } } }"""


def _ask(url: str, query: str) -> dict:
    req = urllib.request.Request(url + "?" + urllib.parse.urlencode({"query": query}),
                                 headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req, timeout=600) as r:  # a bound against a hang only
        row = json.loads(r.read())["results"]["bindings"][0]
    return {k: int(v["value"]) for k, v in row.items()}


def test_two_sessions_cli_ingest_and_endpoint(rel_store, tmp_path):
    from pipeline.serve import EndpointConfig, EndpointServer

    props = relkit.proposal_iris()
    sessions = {"ada": props[0:N], "bob": props[N - 10:2 * N - 10]}
    # two short full texts: the ingest is a third writer, its size is not what is tested
    seeds = sorted((relkit.ROOT / "corpus" / "seeds").glob("*.md"))[:2]
    reads, bad_reads, errors = [], [], []
    stop, read_done = threading.Event(), threading.Event()
    # timeout_s only bounds a hang: a read may wait for the ingest transaction holding the store
    with EndpointServer(EndpointConfig(str(rel_store), port=0, timeout_s=600, workers=1)).start() as server:
        server.pool.warm_up()

        def reader() -> None:
            last = 0
            while not stop.is_set():
                try:
                    row = _ask(server.url, CONSISTENT)
                except Exception as e:  # noqa: BLE001
                    errors.append(repr(e))
                    continue
                reads.append(row)
                read_done.set()
                # every target decided on is accepted (decision and effect are one transaction);
                # the decision count never goes back
                if row["decisions"] < last or row["accepted"] != row["targets"]:
                    bad_reads.append(row)
                last = row["decisions"]

        t = threading.Thread(target=reader, daemon=True)
        t.start()
        started = time.monotonic()
        procs = {who: subprocess.Popen(relkit.role_argv("curate-worker", str(rel_store), who, *targets),
                                       stdout=subprocess.PIPE, text=True, stderr=subprocess.PIPE, cwd=relkit.ROOT)
                 for who, targets in sessions.items()}
        ingest = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "--store", str(rel_store), "ingest",
                                   *map(str, seeds), "--quiet", *relkit.PROPOSER_ARGS], cwd=relkit.ROOT,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        written = []
        for p in procs.values():
            out, err = p.communicate(timeout=600)  # a bound against a hang, not a timing claim
            assert p.returncode == 0, err[-2000:]
            written += out.split()
        ing_out, ing_err = ingest.communicate(timeout=600)
        elapsed = time.monotonic() - started
        read_done.clear()
        read_done.wait()  # one more read after every writer finished (pytest-timeout guards a hang)
        stop.set()
        t.join(60)
        final = _ask(server.url, CONSISTENT)
    store = relkit.open_store(rel_store)
    found = [r["d"] for r in relkit.decision_rows(store) if r["target"] in set(props)]
    chain = relkit.curation_consistency(store)
    lost = len(set(written) - set(found))
    dup = len(found) - len(set(found))
    print(f"concurrency: sessions=2 decisions_written={len(written)} decisions_found={len(set(found))} lost={lost} "
          f"duplicated={dup} forked_chains={len(chain)} endpoint_reads={len(reads)} inconsistent_reads="
          f"{len(bad_reads)} deadlocks=0 elapsed={elapsed:.1f}s")
    assert ingest.returncode == 0, ing_err[-2000:]
    assert len(written) == 2 * N and lost == 0 and dup == 0 and len(found) == 2 * N
    assert final == {"decisions": 2 * N, "targets": 2 * N - 10, "accepted": 2 * N - 10}
    assert not chain, chain
    assert not errors, errors[:3]
    assert reads and not bad_reads, bad_reads[:3]
    assert relkit._validate(rel_store)
