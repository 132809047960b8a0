"""Goal / problem phrases from the parse (real English parser) and their match to Table 1.1.

The sentences are constructed for these tests (none is taken from a development abstract)."""

import json

from pipeline.propose import ProposalContext, get_proposer
from pipeline.propose.base import document_from_record
from pipeline.propose.goals import GoalMatcher, _cost_without_object, phrases, prototypes
from pipeline.propose.nlp import parse


def _phrases(text):
    return phrases(parse([text])[0])


def _texts(text):
    return " | ".join(p for _, p in _phrases(text)).lower()


def test_goal_sentence_gives_the_object_of_its_purpose_verb():
    got = _phrases("To mitigate the upload traffic of each round, we quantize the shared supernet weights.")
    assert ("purpose", "the upload traffic of each round") in got


def test_problem_sentence_gives_what_it_suffers_from():
    got = _phrases("Existing search pipelines suffer from unstable rankings under skewed label mixtures.")
    assert [m for m, _ in got] == ["problem"] and "skewed label mixtures" in _texts(
        "Existing search pipelines suffer from unstable rankings under skewed label mixtures.")


def test_problem_noun_and_its_coordinated_items():
    text = "The approach faces two obstacles: slow phones and flaky uplinks."
    low = _texts(text)
    assert "slow phones" in low and "flaky uplinks" in low


def test_condition_a_mechanism_adapts_to():
    low = _texts("Each participant receives a subnet according to its memory budget.")
    assert "its memory budget" in low


def test_background_and_result_sentences_give_no_phrase():
    for text in ("Federated learning trains a shared model over many participants.",
                 "Neural architecture search automates the design of deep networks.",
                 "Our method reaches 94% accuracy on the benchmark."):
        assert _phrases(text) == [], text


def test_phrase_without_topic_is_skipped():
    # "address this issue": the object names nothing
    assert _phrases("To address this issue, we propose a new framework.") == []


def test_unqualified_cost_reads_as_computation_named_cost_does_not():
    assert _cost_without_object("the prohibitive search overhead")
    assert _cost_without_object("expensive training pipelines")
    assert not _cost_without_object("the communication cost of uploads")
    assert not _cost_without_object("the memory footprint")  # no cost word at all


def test_prototypes_are_the_scheme_literals_and_paraphrases():
    protos = prototypes()
    assert len(protos) == 11 and "stragglers" in protos["client_reliability"]
    para = json.loads(open("corpus/challenge_paraphrases.json", encoding="utf-8").read())
    assert set(k for k in para if not k.startswith("_")) <= set(protos)
    assert all(len(v) >= 3 for v in protos.values())


def test_matcher_picks_the_challenge_a_new_wording_means(embedder):
    m = GoalMatcher(embedder)
    sims = m.similarities(["the scarce uplink capacity of mobile participants",
                           "attackers who tamper with the submitted architecture weights"])
    assert m.keys[int(sims[0].argmax())] == "limited_communication"
    assert m.keys[int(sims[1].argmax())] == "security"
    hits = m.hits(parse(["We aim to reduce the scarce uplink capacity of mobile participants.",
                         "Federated learning trains a shared model over many participants."]))
    assert "limited_communication" in hits[0] and hits[1] == {}
    strength, phrase = hits[0]["limited_communication"]
    assert 0 < strength <= 0.6 and "uplink" in phrase


def test_v5_adds_goal_evidence_that_v4_lacks(embedder):
    rec = {"id": "t1", "title": "Searching networks over phones",
           "abstract": "Federated learning trains a shared model over many participants. "
                       "Our search reduces the heavy upload traffic of mobile participants. "
                       "Experiments on two benchmarks show the benefit."}
    ctx = ProposalContext(embedder=embedder)

    def scores(name):
        return {s.key: s.score for s in get_proposer(name).score_document(document_from_record(rec), ctx)}

    v4, v5 = scores("challenge-hybrid-v4"), scores("challenge-hybrid-v5")
    assert all(v5[k] >= v4[k] - 1e-9 for k in v4)  # v5 only adds evidence
    assert v5["limited_communication"] > v4["limited_communication"] + 0.05  # no cue names "upload traffic"
    assert max(v5, key=v5.get) == "limited_communication"
