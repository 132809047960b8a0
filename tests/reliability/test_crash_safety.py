"""Issue item 2: SIGKILL during ingest, import and curation writes; every restart finds a store that
opens, conforms to the SHACL shapes and holds each operation whole or not at all."""

from __future__ import annotations

import relkit

KILLS = {"ingest": 3, "import": 2, "curate": 3}


def test_sigkill_at_random_points(driver, rel_template, tmp_path):
    fig = relkit.run_kills(driver, tmp_path, rel_template, KILLS, seed=11)
    print(f"crash: kills={fig['kills']} corrupt_stores={fig['corrupt_stores']} partial_papers={fig['partial_papers']} "
          f"partial_imports={fig['partial_imports']} partial_batches={fig['partial_batches']} "
          f"broken_chains={fig['broken_chains']} validated={fig['validated']}")
    for line in fig["details"]:
        print("  " + line)
    assert fig["kills"] == sum(KILLS.values())  # writers that finished first were retried (relkit.run_kills)
    assert fig["validated"] == fig["attempts"]  # every restart, killed or finished, was validated
    assert not fig["details"]
    assert fig["corrupt_stores"] == fig["partial_papers"] == fig["partial_imports"] == 0
    assert fig["partial_batches"] == fig["broken_chains"] == 0
