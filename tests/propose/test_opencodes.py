"""technique-open-v3: mechanism shapes from the real parser, roles that never yield codes,
short labels, challenge ties, nearest refined techniques; and the technique evaluation.

The sentences are written for these tests (not from the development abstracts), one per
grammatical shape a paper uses to state a mechanism.
"""

from __future__ import annotations

import json
import statistics

import pytest

from pipeline.propose import PROPOSERS, ProposalContext, default_proposers, document_from_record, get_proposer
from pipeline.propose.mechanisms import framework_names, is_result_sentence, mechanisms
from pipeline.propose.nlp import parse


def labels(text: str, framework=frozenset({"FedQ"})) -> list[str]:
    return [m.label for m in mechanisms(parse([text])[0], set(framework))]


@pytest.mark.parametrize("text, expected", [
    ("We progressively freeze the shallow cells of the supernet on slow clients.", "progressively freezing shallow cells"),
    ("We further propose staleness-weighted aggregation of architecture updates.", "staleness-weighted aggregation"),
    ("A bandwidth-aware subnet scheduler is introduced to pick the model each device trains.",
     "bandwidth-aware subnet scheduler"),
    ("The parties jointly search the cell structure by sharing encrypted architecture gradients.",
     "sharing encrypted architecture gradients"),
    ("The server aggregates the overlapping weights of all sampled subnets.", "aggregating overlapping weights"),
    ("FedQ treats the selection of each operation as a multi-armed bandit.", "as multi-armed bandit"),
])
def test_mechanism_shapes(text, expected):
    got = labels(text)
    assert any(expected in g for g in got), got
    assert all(1 <= len(g.split()) <= 7 for g in got), got


def test_enumeration_gives_one_mechanism_per_item():
    got = labels("FedQ combines three components: client-side operation pruning, "
                 "latency-aware cell assignment, and asynchronous supernet averaging.")
    assert got == ["client-side operation pruning", "latency-aware cell assignment", "asynchronous supernet averaging"]


@pytest.mark.parametrize("text", [
    "We propose FedQ, a novel framework for efficient federated neural architecture search.",  # framework name
    "Existing methods have been proposed to train networks on decentralized data.",  # background, others' work
    "Parameters must be transmitted between the server and the clients in every round.",  # a need, not a method
    "We provide theoretical guarantees of convergence for the proposed search.",  # analysis
    "To reduce communication, to protect privacy and to cope with stragglers.",  # purposes only
])
def test_non_mechanisms(text):
    assert labels(text) == []


def test_results_sentences_are_recognised():
    assert is_result_sentence("Experiments on CIFAR-10 show that FedQ outperforms the baselines by 3.1%.")
    assert is_result_sentence("FedQ achieves comparable accuracy with a 5x smaller model.")
    assert not is_result_sentence("We assign each client a subnet that fits its memory budget.")


def test_framework_names_from_title_and_introduction():
    names = framework_names("FedQ: Quick Federated Search", ["Federated learning is popular.",
                                                              "We present QuickNAS, a framework for devices."])
    assert {"FedQ", "QuickNAS"} <= names


ABSTRACT = {
    "title": "FedQ: latency-aware federated architecture search",
    "abstract": (
        "Federated learning trains models on devices whose speed differs widely. "
        "Existing federated NAS methods suffer from stragglers. "
        "To address this problem, we propose FedQ, a latency-aware federated search framework. "
        "To reduce the communication cost, we quantize the architecture parameters before upload. "
        "In addition, the server assigns each client a subnet that fits its latency budget. "
        "Experiments show that FedQ reduces the search time by 40% compared with FedNAS."),
}


@pytest.fixture(scope="module")
def v3_proposals(embedder, codebook):
    doc = document_from_record(ABSTRACT)
    ctx = ProposalContext(codebook=list(codebook), embedder=embedder)
    return doc, get_proposer("technique-open-v3").propose(doc, ctx)


def test_v3_is_the_default_technique_proposer():
    assert "technique-open-v3" in PROPOSERS
    defaults = {p.name for p in default_proposers() if p.kind == "technique"}
    assert defaults == {"technique-open-v3"}


def test_v3_proposes_mechanisms_not_framework_or_results(v3_proposals):
    doc, props = v3_proposals
    evid = " ".join(p.evidence for p in props)
    assert "quantize the architecture parameters" in evid
    assert "assigns each client a subnet" in evid
    assert "framework" not in evid and "Experiments" not in evid and "suffer" not in evid
    for p in props:
        assert doc.text[p.start:p.end] == p.evidence
        assert 2 <= len(p.label.split()) <= 7, p.label
        assert p.proposer == "technique-open-v3" and p.model and p.model_version
        assert len(p.neighbours) == 3 and all(0 <= s <= 1 for _, s in p.neighbours)


def test_v3_ties_techniques_to_the_challenges_of_their_sentence(v3_proposals):
    _, props = v3_proposals
    quant = next(p for p in props if "quantize" in p.evidence)
    assert "limited_communication" in (quant.rationale or ""), quant.rationale


def test_v3_rejected_exemplar_lowers_a_similar_proposal(embedder, codebook, v3_proposals):
    doc, props = v3_proposals
    quant = next(p for p in props if "quantize" in p.evidence)
    from pipeline.propose import Exemplar

    ctx = ProposalContext(codebook=list(codebook), embedder=embedder,
                          exemplars=[Exemplar("technique", "new", f"{quant.label}: {quant.evidence}", False)])
    again = get_proposer("technique-open-v3").propose(document_from_record(ABSTRACT), ctx)
    assert not any("quantize" in p.evidence for p in again)


def test_v3_full_text_reads_method_not_related_work(embedder, codebook):
    from pipeline.document import Document, Section

    text = ("FedQ\n\n## Abstract\n\nWe quantize the architecture parameters before upload.\n\n"
            "## 2 Related Work\n\nWe note that FedX prunes the search space on each client [3].\n\n"
            "## 3 Method\n\nThe server assigns each client a subnet that fits its latency budget.\n\n"
            "## References\n\n[3] A. Author. We prune the search space on clients. In Proc. of X, 2021.\n")
    heads = ["Abstract", "2 Related Work", "3 Method", "References"]
    starts = [text.index("## " + h) for h in heads] + [len(text)]
    secs = [Section(heading=h, start=a, end=b, level=2) for h, a, b in zip(heads, starts, starts[1:])]
    doc = Document(title="FedQ", text=text, sections=secs)
    props = get_proposer("technique-open-v3").propose(doc, ProposalContext(codebook=list(codebook), embedder=embedder))
    evid = " ".join(p.evidence for p in props)
    assert "quantize" in evid and "assigns each client" in evid
    assert "prunes the search space" not in evid and "prune the search space" not in evid


# ------------------------------------------------------------------ technique evaluation

def test_score_paper_counts_by_hand():
    from pipeline.document import Proposal
    from pipeline.propose.evaluate_techniques import GoldTechnique, score_paper

    text = "Title\n\nWe prune cells on slow clients. We share the base cells. Results are good."
    gold = [GoldTechnique("cell pruning", "prune cells on slow clients"), GoldTechnique("shared cells", "share the base cells")]

    def prop(phrase, label):
        s = text.index(phrase)
        return Proposal("technique", "new", label, 0.8, phrase, s, s + len(phrase), "t", "m", "1")

    props = [prop("prune cells", "cell pruning on clients"), prop("Results are good", "good results")]
    fig = score_paper(text, gold, props)
    assert (fig.gold, fig.recalled, fig.proposals, fig.on_gold) == (2, 1, 2, 1)
    assert fig.recall == 0.5 and fig.precision == 0.5 and fig.f1 == 0.5
    assert fig.median_label_words == statistics.median([4, 2])
    assert score_paper(text, gold, props, threshold=0.9).proposals == 0


def test_evaluate_cli_prints_technique_figures(tmp_path):
    from click.testing import CliRunner

    from pipeline.commands.propose import evaluate_cmd

    abstracts = tmp_path / "abstracts.jsonl"
    abstracts.write_text(json.dumps({"title": ABSTRACT["title"], "abstract": ABSTRACT["abstract"]}) + "\n")
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"idx": 0, "kind": "method", "challenges": ["limited_communication"],
                                "nas_types": []}) + "\n")
    tech = tmp_path / "techniques.jsonl"
    tech.write_text(json.dumps({"idx": 0, "techniques": [
        {"label": "quantized architecture upload", "evidence": "we quantize the architecture parameters before upload",
         "challenges": ["limited_communication"]}]}) + "\n")
    res = CliRunner().invoke(evaluate_cmd, [str(gold), "--techniques", str(tech), "--no-cv", "--kind", "challenge"])
    assert res.exit_code == 0, res.output
    assert "technique (open codes" in res.output and "development" in res.output
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"idx": 5, "techniques": []}) + "\n")
    res = CliRunner().invoke(evaluate_cmd, [str(gold), "--techniques", str(bad), "--no-cv"])
    assert res.exit_code != 0 and "idx 5" in str(res.exception or res.output)



def test_simulated_review_curve_and_plot(tmp_path, embedder):
    from pipeline.propose.simulate import format_curve, plot_curve, simulate_review

    rows = [
        {"title": "FedQ", "abstract": ABSTRACT["abstract"], "challenges": ["limited_communication"], "nas_types": [],
         "evidence": {"limited_communication": "To reduce the communication cost"}},
        {"title": "FedP", "abstract": "Clients hold non-IID data. To handle non-IID data, we share a base cell "
                                      "and personalize the other cells per client.",
         "challenges": ["non_iid_data", "personalization"], "nas_types": []},
        {"title": "FedR", "abstract": "To save client computation, we drop inferior candidates early.",
         "challenges": ["limited_computation"], "nas_types": []},
    ]
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(json.dumps(r) + "\n" for r in rows))
    tech = tmp_path / "techniques.jsonl"
    tech.write_text(json.dumps({"idx": 2, "techniques": [
        {"label": "early candidate dropping", "evidence": "we drop inferior candidates early"}]}) + "\n")
    curve = simulate_review(gold, techniques=tech, orders=2, steps=(0, 1, 2, 3),
                            context=ProposalContext(embedder=embedder))
    assert [p.coded for p in curve.points] == [0, 1, 2]  # 3 coded leaves nothing to score
    assert [p.held_out for p in curve.points] == [3.0, 2.0, 1.0]
    assert all(0 <= p.challenge_f1 <= 1 and p.technique_recall is not None for p in curve.points)
    assert "coded" in format_curve(curve)
    png = plot_curve(curve, tmp_path / "curve.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_v3_proposes_no_technique_for_a_paper_that_never_names_the_federated_setting(embedder, codebook):
    """An adaptation technique is a change motivated by the federated setting (seed 000's open coding):
    a centralised NAS abstract, like most records of a database export, states none; the same
    mechanism sentence in a federated abstract does."""
    from pipeline.document import Document

    mechanism = "We propose a latency-aware sampling of subnets that fits each device's budget."
    central = Document(title="Fast Architecture Search", text=f"Architecture search is costly. {mechanism}")
    federated = Document(title="Fast Architecture Search",
                         text=f"Architecture search in federated learning is costly. {mechanism}")
    ctx = ProposalContext(codebook=list(codebook), embedder=embedder)
    assert get_proposer("technique-open-v3").propose(central, ctx) == []
    assert any("sampling" in p.evidence for p in get_proposer("technique-open-v3").propose(federated, ctx))
