"""Ingest's shortcuts change no proposal: one challenge run shared, shipped vectors, one parse per batch."""

from __future__ import annotations

from atlas_testing import ROOT
from pipeline import vocab
from pipeline.document import Document, Proposal
from pipeline.ingest.batch import run_proposers
from pipeline.propose import Proposer

XU = ROOT / "corpus" / "seeds" / "001-xu-fednas.md"


class _Challenges(Proposer):
    name = "challenge-hybrid-v2"
    kind = "challenge"

    def __init__(self) -> None:
        self.calls = 0

    def propose(self, doc, context=None):
        self.calls += 1
        return [Proposal("challenge", "c", "C", 0.9, "x", 0, 1, self.name, "rules", "1")]


class _Techniques(Proposer):
    name = "technique-fake-v1"
    kind = "technique"
    ties_from = "challenge-hybrid-v2"

    def __init__(self) -> None:
        self.got: list | None = None

    def propose(self, doc, context=None, challenges=None):
        self.got = challenges
        return [Proposal("technique", "new", "t", 0.8, "x", 0, 1, self.name, "rules", "1")]


def test_the_challenge_proposer_runs_once_and_its_proposals_are_passed_on():
    chal, tech = _Challenges(), _Techniques()
    problems: list[str] = []
    # the technique proposer first in the list: the challenge proposer still runs before it
    out = run_proposers(Document(title="t", text="x"), None, [tech, chal], "a.bib", problems)
    assert chal.calls == 1 and tech.got is not None and [p.proposer for p in tech.got] == [chal.name]
    assert [p.proposer for p in out] == [tech.name, chal.name] and problems == []  # the order asked for


def test_without_the_challenge_proposer_the_technique_proposer_gets_nothing_passed():
    tech = _Techniques()
    run_proposers(Document(title="t", text="x"), None, [tech], "a.bib", [])
    assert tech.got is None


def _row(p: Proposal) -> tuple:
    return (p.proposer, p.model, p.model_version, p.kind, p.code, p.label, p.start, p.end, p.evidence,
            p.page, p.rationale, [n[0] for n in p.neighbours])


def test_ingest_makes_the_same_proposals_as_each_default_proposer_alone(seeded_store, monkeypatch):
    """Seed 001 through ingest's per-file path (shipped vectors, the challenge run shared with the
    technique proposer) against each default proposer run on its own copy of the paper with
    every vector computed: same codes, labels, provenance and evidence spans; scores equal to
    float tolerance."""
    from pipeline.ingest.loop import process_file, proposal_context
    from pipeline.propose import ProposalContext, default_proposers
    from pipeline.propose.embed import Embedder
    from pipeline.propose.nlp import get_parser
    from pipeline.sources import read_path

    parser = get_parser()
    pipes: list[int] = []
    real_pipe = parser.pipe

    def counting_pipe(texts, *args, **kwargs):
        texts = list(texts)
        pipes.append(len(texts))
        return real_pipe(texts, *args, **kwargs)

    monkeypatch.setattr(parser, "pipe", counting_pipe)
    context = proposal_context(seeded_store)
    res = process_file(str(XU), context)
    assert res["error"] is None and not res["problems"]
    (_doc, got), = res["docs"]
    assert len(pipes) == 1 and pipes[0] > 20  # the technique proposer parses its sentences in one batch

    doc = read_path(XU).documents[0]
    plain = ProposalContext(codebook=context.codebook, exemplars=context.exemplars,
                            embedder=Embedder(shipped=False))
    want = [p for proposer in default_proposers() for p in proposer.propose(doc, plain)]
    assert [_row(p) for p in got] == [_row(p) for p in want]
    assert all(abs(a.score - b.score) <= 1e-3 for a, b in zip(got, want))
    for a, b in zip(got, want):
        assert all(abs(x[1] - y[1]) <= 1e-3 for x, y in zip(a.neighbours, b.neighbours))
    techniques = {vocab.local_name(p.code) for p in got if p.kind == "technique" and p.code != "new"}
    assert {"early-candidate-dropping", "dynamic-round-numbers", "client-groups-representative-partitioning"} \
        <= techniques
