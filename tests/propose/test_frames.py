"""Challenge frames from the parse (real English parser) and their use by challenge-hybrid-v4."""

from pipeline import vocab
from pipeline.propose import ProposalContext, get_proposer
from pipeline.propose.base import document_from_record
from pipeline.propose.frames import _stem, frame_hits, objects
from pipeline.propose.nlp import parse


def _hits(text):
    return {k: v[1] for k, v in frame_hits(parse([text])[0]).items()}


def test_objects_come_from_the_table_labels():
    hetero, limited, cost = objects()
    # "data heterogeneity", "statistical heterogeneity", "system/device heterogeneity" (challenges.ttl)
    assert hetero[_stem("data")] == hetero[_stem("statistical")] == "non_iid_data"
    assert hetero[_stem("hardware")] == hetero[_stem("system")] == hetero[_stem("devices")] == "hardware_heterogeneity"
    assert _stem("client") not in hetero  # "client hardware heterogeneity": the generic word names no concept
    # "Limited Networking Capabilities", "limited computation"; "communication/computational/search cost"
    assert limited[_stem("network")] == cost[_stem("communication")] == "limited_communication"
    assert limited[_stem("computing")] == cost[_stem("search")] == cost[_stem("compute")] == "limited_computation"
    assert _stem("distributed") != _stem("distribution")


def test_one_concept_in_several_english_forms():
    assert set(_hits("Heterogeneity of the local data slows the search down.")) == {"non_iid_data"}
    assert set(_hits("The data on the participating hospitals is highly skewed.")) == {"non_iid_data"}
    assert set(_hits("Because local distributions vary across sites, no single model fits.")) == {"non_iid_data"}
    assert set(_hits("The hardware of the participating phones varies widely.")) == {"hardware_heterogeneity"}
    assert set(_hits("We cope with data and system heterogeneity.")) == {"non_iid_data", "hardware_heterogeneity"}
    assert set(_hits("Uploading the supernet is a bottleneck for communication.")) == {"limited_communication"}
    assert set(_hits("The search is too costly for phones.")) == {"limited_computation"}
    assert set(_hits("Devices have scarce computing power.")) == {"limited_computation"}


def test_no_frame_without_a_link_or_a_concept():
    assert _hits("We train heterogeneous neural architectures on the server.") == {}
    assert _hits("The data is stored in a database and the search is heterogeneous.") == {}
    assert _hits("Each client keeps its data private.") == {}
    assert _hits("We deploy the model on many distributed devices.") == {}
    assert _hits("The cost of labels is high in medicine.") == {}


def test_weak_variation_words_count_half():
    strong = frame_hits(parse(["Clients hold heterogeneous data."])[0])["non_iid_data"][0]
    weak = frame_hits(parse(["Clients hold different data."])[0])["non_iid_data"][0]
    assert strong == 1.0 and weak == 0.5


def _score(name, abstract, key):
    doc = document_from_record({"id": "t:1", "title": "Architecture search across sites", "abstract": abstract})
    props = get_proposer(name).propose(doc, ProposalContext(thresholds={"challenge": 0.0}))
    return max((p.score for p in props if vocab.local_name(p.code) == key), default=0.0)


def test_v4_reads_a_frame_that_no_cue_names(embedder):
    abstract = ("Hospitals train one model by federated learning without sharing records. "
                "However, the distributions of the local records diverge strongly between hospitals. "
                "We propose a search method that finds one architecture for all of them.")
    key = "non_iid_data"
    v2, v4 = _score("challenge-hybrid-v2", abstract, key), _score("challenge-hybrid-v4", abstract, key)
    assert v4 >= 0.45 > v2
