"""Fixture builders for tests and demos: papers written by ingest's own writer.

``make_ingested_paper`` turns a title, abstract, full text and scripted proposals
into a real :class:`~pipeline.document.Document` and real
:class:`~pipeline.document.Proposal` objects and writes them with the quads and the
activity record that ``ingest`` writes (``paper_graph.document_quads`` /
``activity_quads``): proposal IRIs, evidence nodes, labels, sources and provenance
are exactly ingest's, so a curation or app test sees the graph a user's store holds.
Only the proposals are scripted (a test needs to know which codes it curates).
"""

from __future__ import annotations

from pyoxigraph import NamedNode

from pipeline.document import Document, Proposal, Source
from pipeline.ingest.paper_graph import activity_quads, document_quads, now_literal, proposal_iri
from pipeline.store import Store
from pipeline.vocab import challenge, iri, nas_type, paper, paper_graph, technique

SAMPLE_TEXT = (
    "Federated Learning with Architecture Search\n\n"
    "Clients hold non-IID data and differ in hardware. We search architectures without sharing data.\n\n"
    "We use a weight-sharing supernet that every client trains on its local data. "
    "Clients sample subnetworks of the supernet that fit their memory budget. "
    "The server aggregates the supernet weights with FedAvg.\n\n"
    "To reduce communication, clients send only the updated subnetwork weights. "
    "Our search uses DARTS-style continuous relaxation of the search space."
)


def scripted_proposal(spec: dict, text: str = SAMPLE_TEXT) -> Proposal:
    """One proposal dict (``kind``, ``code``, ``quote`` verbatim in ``text``, optional
    ``score``, ``proposer``, ``page``, ``label``) as the Proposal a proposer would return."""
    code = spec["code"].value if isinstance(spec["code"], NamedNode) else str(spec["code"])
    start = text.index(spec["quote"])
    return Proposal(kind=spec["kind"], code=code, label=spec.get("label") or code.rsplit("/", 1)[-1].replace("_", " "),
                    score=float(spec.get("score", 0.8)), evidence=spec["quote"], start=start,
                    end=start + len(spec["quote"]), proposer=spec.get("proposer", "lexicon-v1"),
                    model="all-MiniLM-L6-v2", model_version="0.1", page=int(spec.get("page", 1)))


def proposal_node(key: str, spec: dict, text: str = SAMPLE_TEXT) -> NamedNode:
    """The IRI ingest gives ``spec``'s proposal in paper ``key``."""
    return proposal_iri(key, scripted_proposal(spec, text))


def make_ingested_paper(store: Store, key: str, title: str, abstract: str, proposals: list[dict],
                        text: str = SAMPLE_TEXT, source: str = "database") -> NamedNode:
    """Write paper ``key`` with ``proposals`` into ``paper_graph(key)`` as ingest does; returns the paper IRI."""
    doc = Document(title=title, authors=["A. Author", "B. Author"], year=2024, abstract=abstract, text=text,
                   sources=[Source(path=f"{key}.txt", kind="text", record=None, origin=source)])
    props = [scripted_proposal(spec, text) for spec in proposals]
    names = sorted({p.proposer for p in props})
    started = now_literal()
    activity = iri("activity", f"ingest-{key}-{started.value.replace(':', '')}")
    g = paper_graph(key)
    tx = store.transaction()
    tx.clear_graph(g)
    tx.add_quads(activity_quads(activity, g, names, started))
    tx.add_quads(document_quads(key, doc, props, source, activity))
    store.commit(tx)
    return paper(key)


KEY_A, KEY_B = "alpha2024-fedsuper", "beta2024-fedcomm"
PAPER_A = paper(KEY_A)
PAPER_B = paper(KEY_B)

PROPOSALS_A = [
    {"kind": "challenge", "code": challenge("non_iid_data"), "quote": "Clients hold non-IID data", "score": 0.92},
    {"kind": "challenge", "code": challenge("hardware_heterogeneity"), "quote": "differ in hardware", "score": 0.81},
    {"kind": "nas_type", "code": nas_type("one_shot_supernet"), "quote": "weight-sharing supernet", "score": 0.66},
    {"kind": "technique", "code": technique("budget-aware-subnet-sampling"),
     "quote": "clients send only the updated subnetwork weights", "score": 0.41},
]
PROPOSALS_B = [
    {"kind": "challenge", "code": challenge("limited_communication"), "quote": "To reduce communication",
     "score": 0.88},
]
# the demo papers' proposal IRIs, as ingest derives them
P_NONIID, P_HW, P_NAS, P_TECH = (proposal_node(KEY_A, spec).value for spec in PROPOSALS_A)
P_COMM = proposal_node(KEY_B, PROPOSALS_B[0]).value


def add_demo_papers(s: Store) -> None:
    """Two small ingested papers with proposals (tests, demos, screenshots)."""
    make_ingested_paper(s, KEY_A, "FedSuper: supernets for federated NAS", "We federate a supernet.", PROPOSALS_A)
    make_ingested_paper(s, KEY_B, "FedComm: communication-light NAS", "We send less.", PROPOSALS_B)
