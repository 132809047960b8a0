"""Snowballing: backward from parsed references (offline), forward from OpenAlex (network)."""

from __future__ import annotations

import urllib.error

import pytest

from pipeline.errors import NetworkUnavailableError

SNOWBALL_GRAPH = "https://w3id.org/fedatlas/id/graph/snowball"


def snowball_records(store) -> list[dict]:
    return store.select(f"""SELECT ?p ?title ?src ?arxiv WHERE {{ GRAPH <{SNOWBALL_GRAPH}> {{
        ?p a fa:Paper ; dcterms:title ?title ; fa:recordSource ?src . OPTIONAL {{ ?p fa:arxivId ?arxiv }} }} }}
        ORDER BY ?title""")


def test_backward_proposes_new_references_deduplicated(evidence_store):
    from pipeline.ingest.snowball import backward

    result = backward(evidence_store)
    assert result.seeds == 3
    # xu-1 NetAdapt (new), xu-2 McMahan (new), he-1 = xu-2 by title (repeat), xu-3 = FedorAS paper by
    # title, xu-4 = Xu's own paper by arXiv id, xu-5 has nothing to identify it
    assert sorted(c.title.lower() for c in result.proposed) == [
        "communication-efficient learning of deep networks from decentralized data",
        "netadapt: platform-aware neural network adaptation for mobile applications"]
    assert (result.duplicates, result.unusable) == (3, 1)
    rows = snowball_records(evidence_store)
    assert [(r["src"], r["arxiv"]) for r in rows] == [("backward", None), ("backward", "1804.03230")]
    # the citing paper now cites the new record, in the snowball graph
    assert evidence_store.ask(f"""ASK {{ GRAPH <{SNOWBALL_GRAPH}> {{
        <https://w3id.org/fedatlas/id/paper/xu2020-fednas> cito:cites ?p . ?p fa:arxivId "1804.03230" }} }}""")


def test_backward_is_idempotent(evidence_store):
    from pipeline.ingest.snowball import backward

    backward(evidence_store)
    again = backward(evidence_store)
    assert again.proposed == [] and again.duplicates == 5
    assert len(snowball_records(evidence_store)) == 2


def test_backward_records_count_in_prisma(evidence_store):
    from pipeline.ingest.snowball import backward
    from pipeline.report.prisma import prisma_counts

    before = prisma_counts(evidence_store)
    backward(evidence_store)
    after = prisma_counts(evidence_store)
    assert after["identified_by_source"].get("backward") == 2
    assert after["identified"] == before["identified"] + 2
    assert after["awaiting_screening"] == before["awaiting_screening"] + 2


def test_backward_on_the_seed_corpus_finds_nothing_new(seed_store, invoke):
    from pipeline.commands.report import snowball_cmd

    result = invoke(snowball_cmd, seed_store, "--backward")
    assert result.exit_code == 0, result.output
    assert "0 new record(s)" in result.output


def _fake_openalex(url: str) -> dict:
    if "/works/doi:" in url:
        if "2002.06352" in url:
            return {"id": "https://openalex.org/W111"}
        raise urllib.error.HTTPError(url, 404, "not found", {}, None)
    assert "filter=cites:W111" in url
    return {"results": [
        {"id": "https://openalex.org/W900", "display_name": "A Survey of Federated NAS", "publication_year": 2023,
         "doi": "https://doi.org/10.1000/survey.1", "authorships": [{"author": {"display_name": "Ada Lovelace"}}]},
        {"id": "https://openalex.org/W901", "display_name": "FedorAS: Federated Architecture Search under System "
         "Heterogeneity", "publication_year": 2022, "doi": None},
    ]}


def test_forward_with_openalex(evidence_store):
    from pipeline.ingest.snowball import forward

    result = forward(evidence_store, fetch=_fake_openalex)
    assert [c.title for c in result.proposed] == ["A Survey of Federated NAS"]
    assert result.duplicates == 1
    rows = evidence_store.select(f"""SELECT ?doi ?src ?cited WHERE {{ GRAPH <{SNOWBALL_GRAPH}> {{
        ?p fa:recordSource ?src ; bibo:doi ?doi ; cito:cites ?cited }} }}""")
    assert rows == [{"doi": "10.1000/survey.1", "src": "forward",
                     "cited": "https://w3id.org/fedatlas/id/paper/xu2020-fednas"}]


def test_forward_without_network_says_so(seed_store, monkeypatch):
    import urllib.request

    from pipeline.ingest import snowball

    def no_network(*a, **k):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    with pytest.raises(NetworkUnavailableError) as err:
        snowball.forward(seed_store)
    assert "OpenAlex" in str(err.value) and "--backward" in str(err.value)
    assert seed_store.count(snowball.SNOWBALL_GRAPH) == 0


def test_snowball_command_needs_a_direction(seed_store, invoke):
    from click.testing import CliRunner

    from pipeline.commands.report import snowball_cmd

    result = CliRunner().invoke(snowball_cmd, [], obj=None)
    assert result.exit_code == 2 and "--backward or --forward" in result.output
