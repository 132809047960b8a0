"""Scenarios: tests run them with small counts, bench/reliability with big ones."""

from __future__ import annotations

import random
from pathlib import Path

from relkit.common import PROPOSER_ARGS, ROOT
from relkit.driver import Driver, Outcome
from relkit.inputs import BIB_OK, write_inputs
from relkit.invariants import (
    _fresh_copy,
    _validate,
    batch_problems,
    curation_consistency,
    dump_by_graph,
    graph_counts,
    open_store,
)


def _messages_ok(out: Outcome) -> tuple[bool, int]:
    """(no traceback and every failure is one short line, lines of library noise)."""
    text = out.stdout + out.stderr
    if "Traceback" in text or out.rc not in (0, 1, 2, 7):  # 7: the documented exit code of an input error
        return False, 0
    noise = 0
    for line in out.stderr.splitlines():
        s = line.strip()
        if not s:
            continue
        if s.startswith(("FAILED", "error:", "hint:")) or s.startswith("ingested "):
            if len(s) > 600:
                return False, noise
        else:
            noise += 1
    if out.rc in (1, 7) and not any(line.strip().startswith(("FAILED", "error:")) for line in out.stderr.splitlines()):
        return False, noise
    return True, noise


def run_fuzz(driver: Driver, workdir: Path, inputs: list[tuple[str, bytes]], limit_s: float,
             template: Path | None = None) -> dict:
    """Each input through the real CLI (`fedatlas ingest FILE`); ``limit_s`` only guards against a hang
    (far above any input's normal time, so load cannot make it fail). The store must be unchanged
    whenever no paper was ingested, and outside paper graphs always."""
    import shutil

    store_dir = workdir / "store"
    if template is not None:
        shutil.copytree(template, store_dir, ignore=shutil.ignore_patterns("atlas.lock"))
    else:
        from pipeline.store.corpus import init_store

        init_store(open_store(store_dir))
    store = open_store(store_dir)
    paths = write_inputs(workdir / "inputs", inputs)
    fig: dict = {"inputs": 0, "crashes": 0, "hangs": 0, "store_changes": 0, "rejected": 0, "ingested": 0,
                 "noise_lines": 0, "output": {}}
    details: list[str] = []
    for p in paths:
        before = dump_by_graph(store)
        out = driver.run(["--store", str(store_dir), "ingest", str(p), "--quiet", *PROPOSER_ARGS], timeout=limit_s)
        fig["inputs"] += 1
        if out.timed_out:
            fig["hangs"] += 1
            details.append(f"HANG {p.name} (> {limit_s:g} s)")
            continue
        ok, noise = _messages_ok(out)
        fig["output"][p.name] = out.stdout + out.stderr
        fig["noise_lines"] += noise
        if not ok:
            fig["crashes"] += 1
            details.append(f"CRASH {p.name}: rc={out.rc} {out.stderr.strip()[-400:]}")
        after = dump_by_graph(store)
        got = [int(w.split()[1]) for w in out.stdout.splitlines() if w.startswith("ingested ")]
        n = got[0] if got else 0
        fig["ingested" if n else "rejected"] += 1
        if n == 0 and after != before:
            fig["store_changes"] += 1
            details.append(f"STORE CHANGED by failed {p.name}")
        elif n:
            changed = {g for g in set(before) | set(after) if before.get(g) != after.get(g)}
            # ingest writes paper graphs and its dedup record (merges, suspected duplicates), nothing else
            if any("/graph/paper/" not in g and not g.endswith("/graph/dedup>") for g in changed):
                fig["store_changes"] += 1
                details.append(f"NON-PAPER GRAPH CHANGED by {p.name}: {sorted(changed)[:3]}")
    fig["details"] = details
    return fig


def make_import_file(path: Path, n: int = 20_000) -> int:
    lines = [f'<http://example.org/rel/s{i}> <http://example.org/rel/p> "value {i} \\u00e9\\n" '
             f'<http://example.org/rel/import> .' for i in range(n)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return n


def run_kills(driver: Driver, workdir: Path, template: Path, kills: dict[str, int], seed: int = 7,
              validate_every: int = 1) -> dict:
    """SIGKILL ingest, import and curation writers at random moments; after each kill the store must
    open, conform to the SHACL shapes and hold every operation whole or not at all."""
    rng = random.Random(seed)
    fig = {"kills": 0, "attempts": 0, "corrupt_stores": 0, "partial_papers": 0, "partial_imports": 0,
           "partial_batches": 0, "broken_chains": 0, "validated": 0}
    details: list[str] = []
    seeds = sorted((ROOT / "corpus" / "seeds").glob("*.md"))[:2]  # two short full texts + a BibTeX file
    bib = workdir / "two.bib"
    bib.write_text(BIB_OK + BIB_OK.replace("xu2020", "doe2021").replace("Client Groups", "Elastic Supernets"))
    files = [str(f) for f in seeds] + [str(bib)]
    nq = workdir / "big.nq"
    n_import = make_import_file(nq)

    def after_kill(path: Path, kind: str, reference: dict | None) -> None:
        try:
            store = open_store(path)
            counts = graph_counts(store)
        except Exception as e:  # noqa: BLE001 - a store that does not open is the finding
            fig["corrupt_stores"] += 1
            details.append(f"{kind}: store does not open: {e}")
            return
        if kind == "ingest":
            for g, n in counts.items():
                if "/graph/paper/" in g and reference.get(g) != n:
                    fig["partial_papers"] += 1
                    details.append(f"ingest: {g} has {n} quads, complete: {reference.get(g)}")
        elif kind == "import":
            n = counts.get("http://example.org/rel/import", 0)
            if n not in (0, n_import):
                fig["partial_imports"] += 1
                details.append(f"import: {n} of {n_import} quads")
        else:
            _, bad = batch_problems(store)
            fig["partial_batches"] += len(bad)
            details.extend(bad)
            chain = curation_consistency(store)
            fig["broken_chains"] += len(chain)
            details.extend(chain)
        if fig["kills"] % validate_every == 0:
            fig["validated"] += 1
            if not _validate(path):
                fig["corrupt_stores"] += 1
                details.append(f"{kind}: SHACL violations after a kill")

    ingest_args = lambda p: ["--store", str(p), "ingest", *files, "--quiet", *PROPOSER_ARGS]  # noqa: E731
    # reference runs: the complete result and how long it takes
    ref_dir = _fresh_copy(template, workdir / "ref")
    t_ingest = driver.run(ingest_args(ref_dir)).elapsed
    reference = graph_counts(open_store(ref_dir))
    t_import = driver.run(["--store", str(ref_dir), "import", str(nq)]).elapsed
    for kind, n in kills.items():
        path = _fresh_copy(template, workdir / f"kill-{kind}")
        # a writer that finishes before its kill time (the machine's load changed since the reference
        # run) is not a kill: try again, up to 3n attempts, so the count does not hang on timing
        killed = attempts = 0
        while killed < n and attempts < 3 * n:
            i, attempts = attempts, attempts + 1
            if kind == "ingest":
                path = _fresh_copy(template, workdir / f"kill-{kind}")  # every kill lands in a write phase
                out = driver.run(ingest_args(path), kill_after=rng.uniform(0.02, t_ingest * 1.05))
            elif kind == "import":
                path = _fresh_copy(template, workdir / f"kill-{kind}")
                out = driver.run(["--store", str(path), "import", str(nq)], kill_after=rng.uniform(0.02, t_import))
            else:
                out = driver.run(call=["curate_loop", str(path), f"killed{i}", str(rng.randrange(10**6))],
                                 kill_after=rng.uniform(0.05, 1.5))
            fig["kills"] += int(out.killed)
            fig["attempts"] += 1  # a writer that finished first is checked like a killed one
            killed += int(out.killed)
            after_kill(path, kind, reference)
        # after the last kill the interrupted operation can be run to completion
        if kind == "ingest":
            driver.run(ingest_args(path))
            done = graph_counts(open_store(path))
            if {g: n for g, n in done.items() if "/graph/paper/" in g} != \
                    {g: n for g, n in reference.items() if "/graph/paper/" in g}:
                details.append("ingest: rerun after the kills did not complete the papers")
                fig["partial_papers"] += 1
    fig["details"] = details
    return fig
