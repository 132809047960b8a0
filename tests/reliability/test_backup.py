"""Issue item 6: `fedatlas backup` while another process writes, `restore`, and export -> import."""

from __future__ import annotations

import subprocess

import relkit

from atlas_testing import run_cli


def _history(store) -> list[tuple]:
    from pipeline import curate

    return sorted((e.iri, e.action, e.target, e.reviewer, e.time, e.based_on, e.undoes, repr(sorted(e.payload.items())))
                  for e in curate.recent(store, limit=10**9))


def test_backup_while_writing_restore_and_roundtrip(rel_store, tmp_path):
    writer = subprocess.Popen(relkit.role_argv("curate-loop", str(rel_store), "wendy", "3"), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, cwd=relkit.ROOT)
    backups = []
    try:
        assert writer.stdout.readline().strip()  # the writer is writing
        for i in range(2):
            target = tmp_path / f"backup{i}"
            r = run_cli("backup", str(target), store=rel_store, timeout=120)
            assert r.returncode == 0, r.stderr
            backups.append(target)
            assert writer.stdout.readline().strip()  # another batch written before the next backup
    finally:
        writer.kill()  # our own child, by its handle
        writer.wait(10)
    fig = {"backups": 0, "inconsistent": 0, "restore_diffs": 0, "history_diffs": 0, "batches": 0}
    for b in backups:
        snap = relkit.open_store(b)
        n, bad = relkit.batch_problems(snap)
        fig["batches"] += n
        fig["inconsistent"] += len(bad) + len(relkit.curation_consistency(snap)) + (not relkit._validate(b))
        restored = tmp_path / f"restored-{b.name}"
        r = run_cli("restore", str(b), store=restored, timeout=120)
        assert r.returncode == 0, r.stderr
        rs = relkit.open_store(restored)
        fig["restore_diffs"] += rs.canonical_dump() != snap.canonical_dump()
        fig["history_diffs"] += _history(rs) != _history(snap)
        fig["backups"] += 1
    # restore over a live, non-empty store (needs --force), then export -> import
    r = run_cli("restore", str(backups[-1]), "--force", store=rel_store, timeout=120)
    assert r.returncode == 0, r.stderr
    live = relkit.open_store(rel_store)
    assert live.canonical_dump() == relkit.open_store(backups[-1]).canonical_dump()
    nq = tmp_path / "atlas.nq"
    assert run_cli("export", "-o", str(nq), store=rel_store).returncode == 0
    imported = tmp_path / "imported"
    r = run_cli("import", str(nq), store=imported)
    assert r.returncode == 0, r.stderr
    im = relkit.open_store(imported)
    roundtrip_ok = im.canonical_dump() == live.canonical_dump() and _history(im) == _history(live)
    print(f"backup: backups_during_writes={fig['backups']} batches_in_snapshots={fig['batches']} "
          f"inconsistent_snapshots={fig['inconsistent']} restore_diffs={fig['restore_diffs']} "
          f"history_diffs={fig['history_diffs']} export_import_lossless={roundtrip_ok}")
    assert fig["batches"] > 0
    assert fig["inconsistent"] == fig["restore_diffs"] == fig["history_diffs"] == 0
    assert roundtrip_ok
