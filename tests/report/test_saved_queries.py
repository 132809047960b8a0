"""Each saved query (corpus/queries/*.rq) returns the expected rows on the seed corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

QUERIES = Path(__file__).resolve().parents[2] / "corpus" / "queries"
ID = "https://w3id.org/fedatlas/id/"
REQUIRED = {"techniques_for_challenge", "methods_by_nas_type_and_challenge", "unaddressed_challenges",
            "nas_type_challenge_gaps", "claims_without_replication", "contradicting_replications",
            "papers_per_prisma_stage", "rejected_machine_codes"}


def run(store, name: str) -> list[dict]:
    return store.select((QUERIES / f"{name}.rq").read_text(encoding="utf-8"))


def test_every_required_query_exists_and_says_what_it_answers():
    names = {p.stem for p in QUERIES.glob("*.rq")}
    assert REQUIRED <= names
    for p in QUERIES.glob("*.rq"):
        assert p.read_text(encoding="utf-8").startswith("# answers: "), p.name


def test_queries_pass_the_read_only_console_guard():
    curate_query = pytest.importorskip("pipeline.curate.query")
    for p in QUERIES.glob("*.rq"):
        # "" = read-only by Oxigraph's parse where rdflib's recursive parser gives up (the long PRISMA query)
        assert curate_query.check_read_only(p.read_text(encoding="utf-8")) in ("SELECT", ""), p.name


def test_techniques_for_challenge(seed_store):
    rows = run(seed_store, "techniques_for_challenge")
    assert {(r["technique"], r["method"]) for r in rows} == {
        (ID + "technique/client-groups-representative-partitioning", ID + "method/xu-fednas"),
        (ID + "technique/federated-architecture-parameter-averaging", ID + "method/he-fednas"),
    }
    assert {r["challengeLabel"] for r in rows} == {"Non-I.I.D. Training Data"}


def test_techniques_for_another_challenge_by_editing_values(seed_store):
    text = (QUERIES / "techniques_for_challenge.rq").read_text().replace('"non_iid_data"', '"hardware_heterogeneity"')
    rows = seed_store.select(text)
    assert [(r["techniqueLabel"], r["methodLabel"]) for r in rows] == [("Budget-aware subnet sampling", "FedorAS")]


def test_methods_by_nas_type_and_challenge(seed_store):
    rows = run(seed_store, "methods_by_nas_type_and_challenge")
    assert sorted((r["nasTypeKey"], r["challengeKey"], r["methodLabel"]) for r in rows) == [
        ("gradient_based", "non_iid_data", "FedNAS (He et al.)"),
        ("one_shot_supernet", "hardware_heterogeneity", "FedorAS"),
        ("pruning_based", "limited_communication", "FedNAS (Xu et al.)"),
        ("pruning_based", "limited_computation", "FedNAS (Xu et al.)"),
    ]


def test_unaddressed_challenges(seed_store):
    rows = run(seed_store, "unaddressed_challenges")
    assert [r["challengeKey"] for r in rows] == [
        "unbalanced_data", "variable_availability", "client_participation", "security", "client_reliability",
        "privacy", "personalization"]


def test_nas_type_challenge_gaps(seed_store):
    rows = run(seed_store, "nas_type_challenge_gaps")
    pairs = {(r["nasType"].rsplit("/", 1)[-1], r["challenge"].rsplit("/", 1)[-1]) for r in rows}
    assert len(rows) == 11 * 11 - 4  # 11 NAS types ("unknown" left out) x 11 challenges, 4 combined
    assert ("gradient_based", "non_iid_data") not in pairs
    assert ("gradient_based", "privacy") in pairs
    assert not any(n == "unknown" for n, _ in pairs)


def test_nas_type_gaps_match_the_report_gap_matrix(seed_store):
    from pipeline.report.analysis import gap_matrix

    assert len(gap_matrix(seed_store).empty_cells()) == len(run(seed_store, "nas_type_challenge_gaps"))


def test_claims_without_replication(seed_store, shared_evidence_store):
    assert len(run(seed_store, "claims_without_replication")) == 20  # no replication in the seed corpus (20 claims)
    keys = {r["claimKey"] for r in run(shared_evidence_store, "claims_without_replication")}
    assert len(keys) == 18  # 20 claims less the two with a (non-smoke) replication in the fixture
    assert "xu-table3-drop33" not in keys and "xu-table3-drop100" not in keys  # real replications
    assert "xu-optimisations-accuracy" in keys  # a smoke run is no replication
    assert "xu-fig6-all-off" in keys  # an accounting check is no replication


def test_contradicting_replications(seed_store, shared_evidence_store):
    assert run(seed_store, "contradicting_replications") == []
    rows = run(shared_evidence_store, "contradicting_replications")
    assert [(r["claimKey"], r["replication"]) for r in rows] == [("xu-table3-drop100", ID + "replication/t-contra")]


def test_papers_per_prisma_stage(seed_store):
    from pipeline.curate.prisma import BOXES, prisma_counts

    rows = {r["box"]: int(r["count"]) for r in run(seed_store, "papers_per_prisma_stage")}
    assert (rows["screened"], rows["excluded_screening"], rows["assessed"]) == (6, 0, 6)
    assert (rows["included"], rows["excluded_reports"]) == (3, 3)
    counts = prisma_counts(seed_store)
    assert rows == {b: counts[b] for b in BOXES}


def test_rejected_machine_codes(seed_store, shared_evidence_store):
    assert run(seed_store, "rejected_machine_codes") == []
    rows = run(shared_evidence_store, "rejected_machine_codes")
    assert sorted(r["proposal"].rsplit("/", 1)[-1] for r in rows) == ["p-decided", "p-status"]


def test_saved_queries_through_the_query_command(shared_evidence_store, invoke):
    """`fedatlas query -f` prepends Atlas's PREFIX lines; the files' own (identical) ones are accepted."""
    from pipeline.commands.core import query_cmd

    result = invoke(query_cmd, shared_evidence_store, "-f", str(QUERIES / "contradicting_replications.rq"),
                    "--format", "csv")
    assert result.exit_code == 0, result.output
    assert "xu-table3-drop100" in result.output
