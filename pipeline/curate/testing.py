"""Fixture builders for tests and demos: papers written the way ingestion writes them.

``make_ingested_paper`` puts a fa:Paper (title, abstract, full text) and its
fa:Proposal nodes with fa:Excerpt evidence into the paper's named graph
(machine output), exactly what ``pipeline.ingest`` produces, so the curation
API and the app can be tested before and independently of ingestion.
"""

from __future__ import annotations

from pyoxigraph import NamedNode

from pipeline.store import Store
from pipeline.vocab import BIBO, DCTERMS, FA, RDF, XSD, challenge, iri, lit, nas_type, paper, paper_graph, status, technique

SAMPLE_TEXT = (
    "Federated Learning with Architecture Search\n\n"
    "Clients hold non-IID data and differ in hardware. We search architectures without sharing data.\n\n"
    "We use a weight-sharing supernet that every client trains on its local data. "
    "Clients sample subnetworks of the supernet that fit their memory budget. "
    "The server aggregates the supernet weights with FedAvg.\n\n"
    "To reduce communication, clients send only the updated subnetwork weights. "
    "Our search uses DARTS-style continuous relaxation of the search space."
)


def make_ingested_paper(store: Store, key: str, title: str, abstract: str, proposals: list[dict],
                        text: str = SAMPLE_TEXT, source: str = "database") -> NamedNode:
    """Write paper ``key`` with ``proposals`` into ``paper_graph(key)``; returns the paper IRI.

    Each proposal dict: ``kind``, ``code`` (concept IRI), ``quote`` (verbatim in
    ``text``), optional ``score`` (default 0.8), ``proposer``, ``page``, ``id``.
    """
    g = paper_graph(key)
    p = paper(key)
    tx = store.transaction()
    tx.clear_graph(g)
    for s, pr, o in ((p, RDF.type, FA.Paper), (p, FA.key, lit(key)), (p, DCTERMS.title, lit(title)),
                     (p, DCTERMS.abstract, lit(abstract)),
                     (p, BIBO.authorList, lit("A. Author; B. Author")), (p, DCTERMS.issued, lit("2024", XSD.gYear)),
                     (p, FA.text, lit(text)), (p, FA.recordSource, lit(source))):
        tx.add(s, pr, o, g)
    for i, spec in enumerate(proposals):
        pid = spec.get("id") or f"{key}/{spec['kind']}/{i}"
        prop = iri("proposal", pid)
        ex = iri("excerpt", f"proposal/{pid}")
        start = text.index(spec["quote"])
        for s, pr, o in (
            (prop, RDF.type, FA.Proposal), (prop, FA.aboutPaper, p), (prop, FA.proposalKind, lit(spec["kind"])),
            (prop, FA.proposesCode, spec["code"] if isinstance(spec["code"], NamedNode) else NamedNode(spec["code"])), (prop, FA.score, lit(float(spec.get("score", 0.8)))),
            (prop, FA.proposer, lit(spec.get("proposer", "lexicon-v1"))), (prop, FA.model, lit("all-MiniLM-L6-v2")),
            (prop, FA.modelVersion, lit("0.1")), (prop, FA.status, status("proposed")), (prop, FA.evidence, ex),
            (ex, RDF.type, FA.Excerpt), (ex, FA.inPaper, p), (ex, FA.text, lit(spec["quote"])),
            (ex, FA.charStart, lit(start)), (ex, FA.charEnd, lit(start + len(spec["quote"]))),
            (ex, FA.page, lit(int(spec.get("page", 1)))),
        ):
            tx.add(s, pr, o, g)
    store.commit(tx)
    return p


PAPER_A = paper("alpha2024-fedsuper")
PAPER_B = paper("beta2024-fedcomm")

PROPOSALS_A = [
    {"id": "a/challenge/noniid", "kind": "challenge", "code": challenge("non_iid_data"),
     "quote": "Clients hold non-IID data", "score": 0.92},
    {"id": "a/challenge/hw", "kind": "challenge", "code": challenge("hardware_heterogeneity"),
     "quote": "differ in hardware", "score": 0.81},
    {"id": "a/nas/supernet", "kind": "nas_type", "code": nas_type("one_shot_supernet"),
     "quote": "weight-sharing supernet", "score": 0.66},
    {"id": "a/technique/comm", "kind": "technique", "code": technique("budget-aware-subnet-sampling"),
     "quote": "clients send only the updated subnetwork weights", "score": 0.41},
]
PROPOSALS_B = [
    {"id": "b/challenge/comm", "kind": "challenge", "code": challenge("limited_communication"),
     "quote": "To reduce communication", "score": 0.88},
]


def add_demo_papers(s: Store) -> None:
    """Two small ingested papers with proposals (tests, demos, screenshots)."""
    make_ingested_paper(s, "alpha2024-fedsuper", "FedSuper: supernets for federated NAS", "We federate a supernet.",
                        PROPOSALS_A)
    make_ingested_paper(s, "beta2024-fedcomm", "FedComm: communication-light NAS", "We send less.", PROPOSALS_B)
