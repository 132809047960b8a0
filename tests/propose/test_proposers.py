import pytest

from pipeline import vocab
from pipeline.document import Document
from pipeline.errors import UnknownNameError
from pipeline.propose import (
    Exemplar,
    ProposalContext,
    available_proposers,
    default_proposers,
    document_from_record,
    ensure_sentences,
    get_proposer,
)

FL_ABSTRACT = (
    "Federated learning lets clients train a shared model without sharing raw data. "
    "However, client data is highly non-IID, which makes ranking candidate architectures noisy. "
    "To address this problem, we propose a federated architecture search that adds Gaussian noise "
    "to the architecture gradients to guarantee differential privacy. "
    "Experiments show higher accuracy than baselines."
)


CHALLENGE, NASTYPE = "challenge-hybrid-v5", "nastype-hybrid-v2"  # defaults


def keys(props, kind):
    return {vocab.local_name(p.code) for p in props if p.kind == kind}


def test_registry_lists_names_and_defaults():
    names = available_proposers()
    assert {"challenge-hybrid-v1", "nastype-hybrid-v1", "technique-open-v1", "llm-openai-v1",
            "llm-llamacpp-v1", "challenge-hybrid-v2", "nastype-hybrid-v2", "technique-open-v2",
            "challenge-rules-v1", "nastype-rules-v1", "challenge-rules-v2", "nastype-rules-v2",
            "challenge-hybrid-v4"} <= set(names)
    with pytest.raises(UnknownNameError) as e:
        get_proposer("challenge-magic-v9")
    assert "challenge-hybrid-v2" in str(e.value)
    defaults = {p.name for p in default_proposers()}
    assert {"challenge-hybrid-v5", "nastype-hybrid-v2", "technique-open-v3"} == defaults


def test_a_plugin_adds_a_proposer_but_never_hides_a_built_in(tmp_path, monkeypatch):
    """Entry points of group fedatlas.proposers, from a real installed-distribution folder."""
    import importlib

    from pipeline.propose import base

    pkg = tmp_path / "atlas_plugin_demo.py"
    pkg.write_text("from pipeline.propose.base import Proposer\n"
                   "class Mine(Proposer):\n    name = 'mine-v1'\n    kind = 'challenge'\n"
                   "    def propose(self, doc, context=None):\n        return []\n"
                   "class Impostor(Mine):\n    name = 'challenge-hybrid-v2'\n")
    dist = tmp_path / "atlas_plugin_demo-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: atlas-plugin-demo\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[fedatlas.proposers]\nmine-v1 = atlas_plugin_demo:Mine\n"
                                           "challenge-hybrid-v2 = atlas_plugin_demo:Impostor\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    reg = base.PROPOSERS
    builtin = reg.get("challenge-hybrid-v2")
    reg._loaded = False  # read the entry points again, now with the plugin installed
    try:
        assert "mine-v1" in reg.names() and reg.origin("mine-v1").startswith("plugin")
        assert reg.get("challenge-hybrid-v2") is builtin and reg.origin("challenge-hybrid-v2") == "built-in"
    finally:
        reg._items.pop("mine-v1", None)
        reg._origin.pop("mine-v1", None)
        reg._loaded = True
    assert "mine-v1" not in reg.names()


def test_challenges_with_evidence_spans(context):
    doc = document_from_record({"title": "Private federated NAS", "abstract": FL_ABSTRACT})
    props = get_proposer(CHALLENGE).propose(doc, context)
    got = keys(props, "challenge")
    assert {"non_iid_data", "privacy"} <= got
    assert not {"security", "unbalanced_data", "variable_availability"} & got
    for p in props:
        assert doc.text[p.start:p.end] == p.evidence and p.evidence
        assert p.proposer == CHALLENGE and p.model and p.model_version
        assert 0.0 <= p.score <= 1.0
    privacy = next(p for p in props if p.code == vocab.challenge("privacy").value)
    assert "differential privacy" in privacy.evidence and privacy.label == "Privacy"


def test_plain_fl_privacy_is_not_privacy(context):
    doc = document_from_record({"title": "Federated NAS", "abstract":
                                "To preserve user privacy, federated learning keeps data on clients. "
                                "We reduce the communication cost of federated architecture search."})
    got = keys(get_proposer(CHALLENGE).propose(doc, context), "challenge")
    assert "privacy" not in got and "limited_communication" in got


def test_non_fl_paper_gets_no_challenges(context):
    doc = document_from_record({"title": "Fast NAS", "abstract":
                                "Neural architecture search is computationally expensive. We reduce "
                                "the search cost with a supernet and an accuracy predictor."})
    props = get_proposer(CHALLENGE).propose(doc, context)
    assert props == []
    nas = keys(get_proposer(NASTYPE).propose(doc, context), "nas_type")
    assert nas == {"one_shot_supernet", "predictor_based"}


def test_nas_types_negation_and_unknown(context):
    p = get_proposer(NASTYPE)
    doc = document_from_record({"title": "Predictor-free federated NAS", "abstract":
                                "We search architectures with a weight-sharing supernet and rank them with a "
                                "zero-cost proxy, eliminating the need for an accuracy predictor."})
    assert keys(p.propose(doc, context), "nas_type") == {"one_shot_supernet", "zero_cost_proxy"}
    doc2 = document_from_record({"title": "FedX", "abstract":
                                 "We apply neural architecture search to federated clients with limited bandwidth."})
    assert keys(p.propose(doc2, context), "nas_type") == {"unknown"}


def test_curation_shifts_proposals(context):
    """Accepted exemplars pull a paraphrase in; a rejected one pushes its near-duplicate out."""
    p = get_proposer(CHALLENGE)
    text = "A few participants might upload crafted updates to steer the chosen architecture."
    doc = document_from_record({"title": "Federated search", "abstract": text})
    before = keys(p.propose(doc, context), "challenge")
    assert "security" not in before
    ctx = ProposalContext(embedder=context.embedder, exemplars=[Exemplar(
        "challenge", vocab.challenge("security").value,
        "Some participants upload crafted updates to steer the selected architecture.", True)])
    assert "security" in keys(p.propose(document_from_record(
        {"title": "Federated search", "abstract": text}), ctx), "challenge")

    doc0 = document_from_record({"title": "FedNAS", "abstract":
                                 "Such difficulty is amplified for heterogeneous mobile platforms in federated learning."})
    assert "hardware_heterogeneity" in keys(p.propose(doc0, context), "challenge")
    ctx_rej = ProposalContext(embedder=context.embedder, exemplars=[Exemplar(
        "challenge", vocab.challenge("hardware_heterogeneity").value,
        "Such difficulty is further amplified for heterogeneous mobile platforms in federated learning.", False)])
    doc1 = document_from_record({"title": "FedNAS", "abstract":
                                 "Such difficulty is amplified for heterogeneous mobile platforms in federated learning."})
    assert "hardware_heterogeneity" not in keys(p.propose(doc1, ctx_rej), "challenge")


def test_fallback_sentences_keep_offsets():
    doc = Document(title="T", text="T\n\nFirst one, i.e. a test. Second is non-i.i.d. data. Third?")
    sents = ensure_sentences(doc)
    assert all(doc.text[s.start:s.end] == s.text for s in sents)
    assert len(sents) >= 3


@pytest.mark.parametrize("version", ["technique-open-v1", "technique-open-v2"])
def test_technique_open_codes(context, version):
    abstract = ("To deal with limited on-client resources, we present FedNAS, a framework for federated NAS. "
                "FedNAS incorporates three key optimizations: parallel candidates training on partial clients, "
                "early dropping candidates with inferior performance, and dynamic round numbers. "
                "We further assign sub-models to participants according to their bandwidth budget.")
    doc = document_from_record({"title": "FedNAS", "abstract": abstract})
    props = get_proposer(version).propose(doc, context)
    codes = [vocab.local_name(p.code) if p.code != "new" else "new" for p in props]
    assert {"client-groups-representative-partitioning", "early-candidate-dropping",
            "dynamic-round-numbers"} <= set(codes)
    assert "new" in codes  # the bandwidth-driven sub-model assignment is not in the codebook
    for p in props:
        assert doc.text[p.start:p.end] == p.evidence
        assert len(p.neighbours) == 3 and p.neighbours[0][1] >= p.neighbours[-1][1]
        assert p.kind == "technique"


@pytest.mark.parametrize("name", ["challenge-hybrid", "nastype-hybrid"])
def test_v2_equals_v1_on_title_and_abstract(context, name):
    doc = document_from_record({"title": "Private federated NAS", "abstract": FL_ABSTRACT})
    v1 = [(p.code, p.score, p.start) for p in get_proposer(f"{name}-v1").propose(doc, context)]
    v2 = [(p.code, p.score, p.start) for p in get_proposer(f"{name}-v2").propose(doc, context)]
    assert v1 == v2


def test_technique_v2_drops_generic_framework_sentence_and_caps(context):
    abstract = ("We present the first framework for federated NAS, named FedX. "
                + " ".join(f"We adaptively assign sub-models of size {i} to clients according to their bandwidth budget {i}."
                           for i in range(20)))
    doc = document_from_record({"title": "FedX", "abstract": abstract})
    props = get_proposer("technique-open-v2", cap=5).propose(doc, context)
    assert 0 < len(props) <= 5
    assert not any("first framework" in p.evidence for p in props)
