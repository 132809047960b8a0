"""Fixtures for report/exchange/snowball tests: the seed corpus plus the evidence it lacks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FA = "https://w3id.org/fedatlas/ontology#"
ID = "https://w3id.org/fedatlas/id/"

# What the seed corpus has no example of: replications (one contradicting, one
# supporting, one smoke run; none on an accounting claim, which gets a check only), machine proposals rejected by status, by a
# decision, and by a decision that was undone, and parsed references.
EXTRA_TRIG = f"""
@prefix fa: <{FA}> . @prefix fad: <{ID}> . @prefix prov: <http://www.w3.org/ns/prov#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix cito: <http://purl.org/spar/cito/> .
@prefix dcterms: <http://purl.org/dc/terms/> . @prefix bibo: <http://purl.org/ontology/bibo/> .

<{ID}graph/evidence> {{
  fad:replication\\/t-contra a fa:Replication ; fa:testsClaim fad:claim\\/xu-table3-drop100 ; fa:verdict fa:Contradicts ;
      fa:experiment "xu-fednas" ; fa:isSmokeRun false ; fa:verdictRule "opposite direction, 95% CI excludes 0" ; fa:ciLevel 0.95e0 ;
      prov:endedAtTime "2026-11-24T10:00:00Z"^^xsd:dateTime .
  fad:replication\\/t-support a fa:Replication ; fa:testsClaim fad:claim\\/xu-table3-drop33 ; fa:verdict fa:Supports ;
      fa:experiment "xu-fednas" ; fa:isSmokeRun false ; fa:verdictRule "drop33 - drop0 above -0.5 (1 CI at 95%)" ;
      fa:ciLevel 0.95e0 ; prov:endedAtTime "2026-11-24T10:00:00Z"^^xsd:dateTime .
  fad:replication\\/t-smoke a fa:Replication ; fa:testsClaim fad:claim\\/xu-optimisations-accuracy ; fa:verdict fa:Inconclusive ;
      fa:experiment "xu-fednas" ; fa:isSmokeRun true ; fa:verdictRule "SMOKE RUN (--quick): never a verdict" ;
      fa:ciLevel 0.9875e0 ; prov:endedAtTime "2026-11-24T09:00:00Z"^^xsd:dateTime .
  fad:check\\/t-check a fa:AccountingCheck ; fa:checksClaim fad:claim\\/xu-fig6-all-off ; fa:checkPassed false ;
      fa:experiment "xu-fednas" ; fa:isSmokeRun false ; prov:endedAtTime "2026-11-24T10:00:00Z"^^xsd:dateTime .
}}

<{ID}graph/paper/xu2020-fednas> {{
  fad:proposal\\/p-status a fa:Proposal ; fa:aboutPaper fad:paper\\/xu2020-fednas ; fa:proposalKind "challenge" ;
      fa:proposesCode fad:challenge\\/security ; fa:status fa:StatusRejected ; fa:proposer "rules-v1" ; fa:score 0.4e0 .
  fad:proposal\\/p-decided a fa:Proposal ; fa:aboutPaper fad:paper\\/xu2020-fednas ; fa:proposalKind "nas_type" ;
      fa:proposesCode fad:nastype\\/evolutionary ; fa:status fa:StatusProposed ; fa:proposer "rules-v1" ; fa:score 0.5e0 .
  fad:proposal\\/p-undone a fa:Proposal ; fa:aboutPaper fad:paper\\/xu2020-fednas ; fa:proposalKind "challenge" ;
      fa:proposesCode fad:challenge\\/privacy ; fa:status fa:StatusProposed ; fa:proposer "rules-v1" ; fa:score 0.6e0 .
  fad:proposal\\/p-open a fa:Proposal ; fa:aboutPaper fad:paper\\/xu2020-fednas ; fa:proposalKind "challenge" ;
      fa:proposesCode fad:challenge\\/non_iid_data ; fa:status fa:StatusProposed ; fa:proposer "rules-v1" ; fa:score 0.9e0 .
  fad:paper\\/xu2020-fednas cito:cites fad:ref\\/xu-1 , fad:ref\\/xu-2 , fad:ref\\/xu-3 , fad:ref\\/xu-4 , fad:ref\\/xu-5 .
  fad:ref\\/xu-1 a fa:Reference ; dcterms:title "NetAdapt: Platform-Aware Neural Network Adaptation for Mobile Applications" ;
      fa:arxivId "1804.03230v2" ; dcterms:issued "2018" ; bibo:authorList "Tien-Ju Yang; Andrew Howard" .
  fad:ref\\/xu-2 a fa:Reference ; dcterms:title "Communication-Efficient Learning of Deep Networks from Decentralized Data" ;
      dcterms:issued "2017" .
  fad:ref\\/xu-3 a fa:Reference ; dcterms:title "FedorAS: federated architecture search under system heterogeneity." .
  fad:ref\\/xu-4 a fa:Reference ; dcterms:title "Federated Neural Architecture Search" ; fa:arxivId "2002.06352" .
  fad:ref\\/xu-5 a fa:Reference .
}}
<{ID}graph/paper/he2020-fednas> {{
  fad:paper\\/he2020-fednas cito:cites fad:ref\\/he-1 .
  fad:ref\\/he-1 a fa:Reference ; dcterms:title "Communication-efficient learning of deep networks from decentralized data" ;
      bibo:doi "10.5555/FAKE.1" .
}}
<{ID}graph/curation> {{
  fad:decision\\/d1 a fa:Decision ; fa:action "reject" ; fa:target fad:proposal\\/p-decided ;
      prov:wasAssociatedWith fad:reviewer\\/ann ; prov:endedAtTime "2026-11-24T11:00:00Z"^^xsd:dateTime .
  fad:decision\\/d2 a fa:Decision ; fa:action "reject" ; fa:target fad:proposal\\/p-undone ;
      prov:wasAssociatedWith fad:reviewer\\/ann ; prov:endedAtTime "2026-11-24T11:00:00Z"^^xsd:dateTime .
  fad:decision\\/d3 a fa:Decision ; fa:action "undo" ; fa:undoes fad:decision\\/d2 ; fa:target fad:proposal\\/p-undone ;
      prov:wasAssociatedWith fad:reviewer\\/ann ; prov:endedAtTime "2026-11-24T11:05:00Z"^^xsd:dateTime .
}}
"""


def _copy(template: Path, dest: Path):
    from pipeline.store import open_store

    shutil.copytree(template, dest)
    return open_store(dest)


@pytest.fixture
def seed_store(seeded_template, tmp_path):
    """A fresh copy of the seeded store (the bundled corpus only)."""
    return _copy(seeded_template, tmp_path / "store")


@pytest.fixture(scope="session")
def evidence_template(seeded_template, tmp_path_factory):
    """The seed corpus plus EXTRA_TRIG, built once per session."""
    path = tmp_path_factory.mktemp("evidence") / "store"
    store = _copy(seeded_template, path)
    store.load(EXTRA_TRIG.encode(), "trig")
    return path


@pytest.fixture
def evidence_store(evidence_template, tmp_path):
    """A fresh copy of the seed corpus plus EXTRA_TRIG (safe to write to)."""
    return _copy(evidence_template, tmp_path / "store")


@pytest.fixture(scope="session")
def shared_evidence_store(evidence_template):
    """The session's evidence store, read-only by convention (no copy)."""
    from pipeline.store import open_store

    return open_store(evidence_template)


@pytest.fixture
def invoke():
    """Run one click command in-process with a store: ``invoke(cmd, store, *args)``.

    (The real ``fedatlas`` process imports every command module, torch
    included, which costs ~10 s per call; the commands are the same objects.)
    """
    from click.testing import CliRunner

    class Obj:  # what pipeline.cli.CliContext gives a command (importing pipeline.cli loads torch)
        def __init__(self, store):
            self._store = store

        def store(self):
            return self._store

    def run(command, store, *args):
        return CliRunner().invoke(command, list(args), obj=Obj(store), catch_exceptions=False)

    return run
