"""Rhetorical roles of abstract sentences (real English parser) and their use by challenge-hybrid-v3."""

from pipeline import vocab
from pipeline.propose import ProposalContext, get_proposer
from pipeline.propose.base import document_from_record
from pipeline.propose.roles import ROLE_WEIGHTS, sentence_roles

SENTENCES = [
    "Federated learning trains a shared model on data that stays on the clients.",
    "However, searching an architecture on such data is slow and unstable.",
    "To address this issue, we propose a search method that samples small subnets on each client.",
    "The subnets are merged on the server after every round.",
    "Experiments on three benchmarks show that the method outperforms centralised baselines.",
]


def test_roles_follow_the_abstract_moves():
    roles = [r.role for r in sentence_roles(SENTENCES)]
    assert roles == ["background", "problem", "goal", "other", "result"]


def test_title_keeps_full_weight_and_weights_are_ordered():
    roles = sentence_roles(["A title", *SENTENCES], title_index=0)
    assert roles[0].role == "title" and roles[0].weight == 1.0
    assert ROLE_WEIGHTS["goal"] > ROLE_WEIGHTS["background"] and ROLE_WEIGHTS["goal"] > ROLE_WEIGHTS["result"]


def _score(name, abstract, key):
    doc = document_from_record({"id": "t:1", "title": "Architecture search across clients", "abstract": abstract})
    props = get_proposer(name).propose(doc, ProposalContext(thresholds={"challenge": 0.0}))
    return max((p.score for p in props if vocab.local_name(p.code) == key), default=0.0)


def test_v3_discounts_a_challenge_named_only_as_background():
    background = ("Federated learning keeps data private and reduces communication costs. "
                  "We propose a search method that samples small subnets on each client. "
                  "Experiments on three benchmarks show higher accuracy than centralised search.")
    goal = ("Federated learning trains one model across many clients. "
            "We propose a search method that samples small subnets on each client to reduce communication costs. "
            "Experiments on three benchmarks show higher accuracy than centralised search.")
    key = "limited_communication"
    v2_bg, v3_bg = _score("challenge-hybrid-v2", background, key), _score("challenge-hybrid-v3", background, key)
    v3_goal = _score("challenge-hybrid-v3", goal, key)
    assert v3_bg < v2_bg  # the opening mention weighs less in v3
    assert v3_goal > v3_bg  # the same words as the paper's goal count fully
