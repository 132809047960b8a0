"""A synthetic corpus N times the seed corpus, for benchmarks.

Copy 0 is the seed corpus as ``fedatlas init`` loads it (corpus graph). Copies
1..N-1 clone every paper, method, technique, category, claim, excerpt, open
code, effect and screening record under new IRIs (``...-sN``), each copy in
its own paper graph as ingestion would store it; challenges, NAS types and
schemes stay shared. Methods get random NAS types and challenges, effects
random polarities, and every copy adds replications (evidence graph),
machine proposals and curation decisions, so every saved query has work to
do. Deterministic for a given ``--seed``.

    python bench/make_synthetic.py --scale 100 -o /tmp/synthetic-100x.nq
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, serialize

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.store.corpus import CHALLENGE_KEYS, corpus_quads  # noqa: E402
from pipeline.vocab import (  # noqa: E402
    CORPUS_GRAPH, CURATION_GRAPH, EVIDENCE_GRAPH, FA, ID_NS, PROV, RDF, XSD, challenge, iri, lit, nas_type,
    paper_graph, polarity, status, verdict,
)

SHARED = ("challenge/", "nastype/", "scheme/", "graph/", "reviewer/", "person/")
NAS_KEYS = ("reinforcement_learning", "evolutionary", "gradient_based", "one_shot_supernet", "bayesian_optimization",
            "predictor_based", "random_search", "pruning_based", "zero_cost_proxy", "llm_guided", "other")
T0 = "2026-11-24T00:00:00Z"


def _rename(term, suffix: str):
    if isinstance(term, NamedNode) and term.value.startswith(ID_NS):
        local = term.value[len(ID_NS):]
        if not local.startswith(SHARED):
            return NamedNode(term.value + suffix)
    return term


def _clone(seed: list[Quad], i: int, rng: random.Random) -> list[Quad]:
    suffix, g = f"-s{i}", paper_graph(f"synthetic-{i}")
    out = []
    for q in seed:
        if _rename(q.subject, suffix) == q.subject:
            continue  # shared concepts (challenges, NAS types, schemes, people) exist once
        s, p, o = _rename(q.subject, suffix), q.predicate, _rename(q.object, suffix)
        if p == FA.usesNASType:
            o = nas_type(rng.choice(NAS_KEYS))
        elif p == FA.addressesChallenge:
            o = challenge(rng.choice(CHALLENGE_KEYS))
        elif p == FA.polarity:
            o = polarity(rng.choice(("towards", "towards", "against", "none", "none", "none")))
        elif p == FA.key and isinstance(o, Literal):
            o = Literal(o.value + suffix)
        out.append(Quad(s, p, o, g))
    return out


def _extras(i: int, claims: list[str], papers: list[str], codes: list[NamedNode], rng: random.Random) -> list[Quad]:
    """Replications, proposals and decisions for copy ``i``."""
    sfx = f"-s{i}" if i else ""
    out: list[Quad] = []
    t = lit(T0, XSD.dateTime)
    for c in claims:
        r = iri("replication", f"synthetic-{i}-{c}")
        smoke = rng.random() < 0.3
        out += [Quad(r, RDF.type, FA.Replication, EVIDENCE_GRAPH), Quad(r, FA.testsClaim, iri("claim", c + sfx), EVIDENCE_GRAPH),
                Quad(r, FA.verdict, verdict("inconclusive" if smoke else rng.choice(("supports", "contradicts", "inconclusive"))), EVIDENCE_GRAPH),
                Quad(r, FA.isSmokeRun, lit(smoke), EVIDENCE_GRAPH), Quad(r, FA.experiment, lit("synthetic"), EVIDENCE_GRAPH),
                Quad(r, PROV.endedAtTime, t, EVIDENCE_GRAPH)]
    for pk in papers:
        g = paper_graph(pk + sfx)
        for j in range(5):
            pr = iri("proposal", f"{pk}{sfx}/{j}")
            st = rng.choice(("proposed", "accepted", "rejected", "proposed"))
            out += [Quad(pr, RDF.type, FA.Proposal, g), Quad(pr, FA.aboutPaper, iri("paper", pk + sfx), g),
                    Quad(pr, FA.proposalKind, lit("challenge"), g), Quad(pr, FA.proposesCode, rng.choice(codes), g),
                    Quad(pr, FA.status, status(st), g), Quad(pr, FA.proposer, lit("synthetic-v1"), g),
                    Quad(pr, FA.score, lit(round(rng.random(), 3)), g)]
            if rng.random() < 0.2:
                d = iri("decision", f"synthetic/{pk}{sfx}/{j}")
                out += [Quad(d, RDF.type, FA.Decision, CURATION_GRAPH), Quad(d, FA.action, lit("reject"), CURATION_GRAPH),
                        Quad(d, FA.target, pr, CURATION_GRAPH), Quad(d, PROV.endedAtTime, t, CURATION_GRAPH)]
    return out


def synthetic_quads(scale: int, seed: int = 0) -> list[Quad]:
    """The seed corpus plus ``scale - 1`` randomised copies (and evidence for all)."""
    rng = random.Random(seed)
    base = [q for q in corpus_quads() if q.graph_name == CORPUS_GRAPH]
    claims = sorted({q.subject.value.rsplit("/", 1)[-1] for q in base if q.predicate == RDF.type and q.object == FA.Claim})
    papers = sorted({q.subject.value.rsplit("/", 1)[-1] for q in base if q.predicate == RDF.type and q.object == FA.Paper})
    codes = [challenge(k) for k in CHALLENGE_KEYS]
    quads = list(base) + _extras(0, claims, papers, codes, rng)
    for i in range(1, scale):
        quads += _clone(base, i, rng) + _extras(i, claims, papers, codes, rng)
    return quads


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=int, default=100, help="multiple of the seed corpus (default 100)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("-o", "--output", default="synthetic.nq", help="N-Quads file to write")
    args = ap.parse_args(argv)
    quads = synthetic_quads(args.scale, args.seed)
    serialize(quads, args.output, format=RdfFormat.N_QUADS)
    print(f"wrote {len(quads)} quads ({args.scale}x seed corpus) to {args.output}")


if __name__ == "__main__":
    main()
