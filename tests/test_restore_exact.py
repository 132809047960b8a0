"""`fedatlas restore` gives exactly the backed-up store and leaves the backup untouched."""

from __future__ import annotations

import pyoxigraph as ox

from atlas_testing import run_cli
from pipeline.store import open_store

EXTRA_DEFAULT = ox.Quad(ox.NamedNode("https://example.org/s"), ox.NamedNode("https://example.org/p"),
                        ox.Literal("after the backup"), ox.DefaultGraph())
EXTRA_NAMED = ox.Quad(ox.NamedNode("https://example.org/s"), ox.NamedNode("https://example.org/p"),
                      ox.Literal("after the backup"), ox.NamedNode("https://example.org/g"))


def _listing(path):
    return sorted((p.relative_to(path).as_posix(), p.stat().st_size) for p in path.rglob("*") if p.is_file())


def test_restore_is_exact_and_reads_the_backup_only(seeded_store, tmp_path):
    loc = seeded_store.location
    backup = tmp_path / "backup"
    assert run_cli("backup", str(backup), store=loc).returncode == 0
    snapshot = seeded_store.canonical_dump()
    listing = _listing(backup)
    assert not (backup / "atlas.lock").exists()

    tx = seeded_store.transaction()
    tx.add_quads([EXTRA_DEFAULT, EXTRA_NAMED])
    seeded_store.commit(tx)
    assert seeded_store.canonical_dump() != snapshot

    refused = run_cli("restore", str(backup), store=loc)
    assert refused.returncode == 7 and "--force" in refused.stderr
    r = run_cli("restore", str(backup), "--force", store=loc)
    assert r.returncode == 0, r.stderr
    assert open_store(loc).canonical_dump() == snapshot  # the default graph too
    assert _listing(backup) == listing  # no lock file, nothing written into the backup

    fresh = tmp_path / "fresh"
    r = run_cli("restore", str(backup), store=fresh)
    assert r.returncode == 0, r.stderr
    assert open_store(fresh).canonical_dump() == snapshot


def test_restore_refuses_what_is_not_a_backup(seeded_store, tmp_path):
    before = seeded_store.canonical_dump()
    r = run_cli("restore", str(tmp_path), "--force", store=seeded_store.location)
    assert r.returncode == 7 and "not a backup" in r.stderr
    assert seeded_store.canonical_dump() == before
