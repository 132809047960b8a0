"""What a user of the command line relies on: where `--store` goes, that a mistyped store
path is an error (not a new empty store), the documented exit codes, and `query -f -`."""

from __future__ import annotations

import re

import pytest

from atlas_testing import ROOT, free_port, run_cli
from pipeline import errors


def test_store_option_before_and_after_the_command(tmp_path):
    loc = tmp_path / "s"
    r = run_cli("init", "--store", str(loc))
    assert r.returncode == 0, r.stderr
    assert (loc / "oxigraph").is_dir()
    after = run_cli("stats", "--format", "json", f"--store={loc}")
    before = run_cli("--store", str(loc), "stats", "--format", "json")
    assert after.returncode == before.returncode == 0, after.stderr + before.stderr
    assert after.stdout == before.stdout and '"challenges": 11' in after.stdout


@pytest.mark.parametrize("command", [["stats"], ["tables"], ["query", "ASK {}"], ["papers"], ["export"]])
def test_read_commands_on_a_missing_store_fail_and_create_nothing(tmp_path, command):
    loc = tmp_path / "typo"
    r = run_cli(*command, store=loc)
    assert r.returncode == errors.StoreError.exit_code == 3
    assert r.stderr.strip() == f"error: E100: no store at {loc} (run `fedatlas init`)"
    assert not loc.exists()


def test_import_creates_a_store(tmp_path):
    data = tmp_path / "one.nq"
    data.write_text('<http://e/s> <http://e/p> "o" <http://e/g> .\n')
    r = run_cli("import", str(data), store=tmp_path / "new")
    assert r.returncode == 0, r.stderr
    # the imported quad, and besides it only the store's own schema record (fad:graph/meta)
    meta = "<https://w3id.org/fedatlas/id/graph/meta>"
    r = run_cli("query", f"SELECT ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != {meta}) }}", "--format", "csv",
                store=tmp_path / "new")
    assert r.stdout.split() == ["o", "o"]
    r = run_cli("query", f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {meta} {{ ?s ?p ?o }} }}", "--format", "csv",
                store=tmp_path / "new")
    assert r.stdout.split() == ["n", "1"]


def _readme_exit_codes() -> dict[int, str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return {int(m.group(1)): m.group(2).split(":")[0].strip()
            for m in re.finditer(r"^\| (\d+) \| ([^|]+) \|$", text, re.M)}


def test_exit_codes_are_distinct_and_documented():
    table = _readme_exit_codes()
    kinds = {"usage": 2, "store": errors.StoreError.exit_code, "network": errors.NetworkUnavailableError.exit_code,
             "input": errors.InputError.exit_code, "query": errors.QueryError.exit_code,
             "conflict": errors.StaleWriteError.exit_code, "validation": errors.ValidationError.exit_code}
    assert len(set(kinds.values())) == len(kinds)
    for kind, code in kinds.items():
        assert table.get(code) == kind, (kind, code, table)
    assert errors.UnknownNameError.exit_code == 2  # an unknown name is a usage error


def test_each_kind_of_error_exits_with_its_code(seeded_store, tmp_path):
    loc = seeded_store.location
    usage = run_cli("stats", "--no-such-option", store=loc)
    assert usage.returncode == 2 and "No such option" in usage.stderr
    bad = tmp_path / "bad.nq"
    bad.write_text("<a> <b> .\n")
    inp = run_cli("import", str(bad), store=loc)
    assert inp.returncode == 7 and inp.stderr.startswith("error: E300")
    query = run_cli("query", "SELECT WHERE {", store=loc)
    assert query.returncode == 8 and query.stderr.startswith("error: E200")
    store = run_cli("stats", store=tmp_path / "nowhere")
    assert store.returncode == 3 and store.stderr.startswith("error: E100")
    closed = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    net = run_cli("evaluate", str(ROOT / "corpus" / "gold" / "seeds.jsonl"), "--proposer", "llm-openai-v1",
                  "--kind", "challenge", "--no-cv", store=loc, env={"FEDATLAS_LLM_BASE_URL": closed})
    assert net.returncode == 6 and net.stderr.startswith("error: E600"), net.stderr[-500:]


def test_query_reads_stdin_with_dash(seeded_store):
    r = run_cli("query", "-f", "-", "--format", "csv", store=seeded_store.location,
                input="SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?c a fa:Challenge } }")
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["n", "11"]
