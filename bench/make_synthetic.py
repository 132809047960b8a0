"""A synthetic corpus N times the seed corpus, for benchmarks.

Copy 0 is the seed corpus as ``fedatlas init`` loads it (corpus graph). Copies
1..N-1 clone every paper, method, technique, category, claim, excerpt, open
code, effect and screening record under new IRIs (``...-sN``), each copy in
its own paper graph as ingestion would store it; challenges, NAS types and
schemes stay shared. Methods get random NAS types and challenges, effects
random polarities, and every copy adds replications (evidence graph),
machine proposals and curation decisions, so every saved query has work to
do. Deterministic for a given ``--seed``.

It also makes a review at its real size as files, the way a reviewer brings
them (:func:`synthetic_review`): a database export of N records (BibTeX and
RIS, most with abstracts, a few percent duplicates across databases and
preprint/published pairs, same-title series in different years), full texts
(Markdown) of the relevant ones, and dual-screening decisions (CSV, and as
quads in the screening scheme via :func:`decision_quads`).

    python bench/make_synthetic.py --scale 100 -o /tmp/synthetic-100x.nq
    python bench/make_synthetic.py --records 5000 --out-dir /tmp/review-5000
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, serialize

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.store.corpus import CHALLENGE_KEYS, corpus_quads  # noqa: E402
from pipeline.vocab import (  # noqa: E402
    CORPUS_GRAPH,
    CURATION_GRAPH,
    EVIDENCE_GRAPH,
    FA,
    FOAF,
    ID_NS,
    PROV,
    RDF,
    RDFS,
    XSD,
    challenge,
    iri,
    lit,
    nas_type,
    paper_graph,
    polarity,
    status,
    verdict,
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
                Quad(r, FA.verdict, verdict("inconclusive" if smoke else rng.choice(("supports", "contradicts", "inconclusive"))),
                     EVIDENCE_GRAPH),
                Quad(r, FA.isSmokeRun, lit(smoke), EVIDENCE_GRAPH), Quad(r, FA.experiment, lit("synthetic"), EVIDENCE_GRAPH),
                Quad(r, FA.verdictRule, lit("synthetic: a random verdict"), EVIDENCE_GRAPH),
                Quad(r, FA.ciLevel, lit(0.95), EVIDENCE_GRAPH),
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
    accounting = {q.subject for q in base if q.predicate == RDF.type and q.object == FA.AccountingClaim}
    # accounting identities get no verdict (eval_fednas/graph.py and the SHACL shapes refuse one)
    claims = sorted({q.subject.value.rsplit("/", 1)[-1] for q in base if q.predicate == RDF.type and q.object == FA.Claim
                     and isinstance(q.subject, NamedNode) and q.subject not in accounting})
    papers = sorted({q.subject.value.rsplit("/", 1)[-1] for q in base if q.predicate == RDF.type and q.object == FA.Paper
                     and isinstance(q.subject, NamedNode)})
    codes = [challenge(k) for k in CHALLENGE_KEYS]
    quads = list(base) + _extras(0, claims, papers, codes, rng)
    for i in range(1, scale):
        quads += _clone(base, i, rng) + _extras(i, claims, papers, codes, rng)
    return quads


# ---- a review at its real size, as files ------------------------------------------

TOPICS = {  # (weight, subject phrases, method phrases): what a database search for federated NAS returns
    "fednas": (0.012, ["federated neural architecture search", "federated NAS", "architecture search on federated clients"],
               ["a supernet shared across clients", "differentiable search with local architecture gradients",
                "evolutionary search with early candidate dropping", "client-specific subnets sampled under a budget"]),
    "fl": (0.35, ["federated learning", "cross-device federated training", "personalised federated learning",
                  "federated optimisation"],
           ["adaptive client selection", "gradient compression", "proximal local updates", "secure aggregation",
            "knowledge distillation between clients"]),
    "nas": (0.25, ["neural architecture search", "one-shot architecture search", "hardware-aware NAS",
                   "zero-cost proxies for NAS"],
            ["a weight-sharing supernet", "a learned performance predictor", "reinforcement learning controllers",
             "progressive search-space shrinking"]),
    "medical": (0.18, ["ischemic stroke lesion segmentation", "brain tumour segmentation", "medical image analysis"],
                ["a 3D U-Net ensemble", "multispectral MRI fusion", "uncertainty-aware post-processing"]),
    "edge": (0.2, ["on-device inference", "edge computing", "mobile deep learning"],
             ["quantisation-aware training", "structured pruning", "early-exit networks"]),
}
QUALITIES = ["heterogeneous", "unreliable", "resource-constrained", "non-IID", "private", "sparse", "noisy",
             "asynchronous", "hierarchical", "multi-modal", "long-tailed", "streaming", "few-shot", "adversarial",
             "energy-aware", "low-bandwidth"]
OBJECTS = ["clients", "devices", "data", "labels", "budgets", "networks", "cohorts", "sensors", "hospitals",
           "partitions", "workloads", "accelerators", "links", "users", "edge servers"]
VENUES = ["IEEE Transactions on Mobile Computing", "IEEE Internet of Things Journal", "Proceedings of AAAI",
          "Advances in Neural Information Processing Systems", "International Conference on Learning Representations",
          "Medical Image Analysis", "Knowledge-Based Systems", "Neurocomputing", "IEEE Access", "ACM MobiSys",
          "Future Generation Computer Systems", "Information Sciences"]
SURNAMES = ["Zhang", "Wang", "Li", "Liu", "Chen", "Müller", "Smith", "García", "Kumar", "Nguyen", "Rossi", "Kim",
            "Silva", "Ivanova", "Okafor", "Tanaka", "Dubois", "Novak", "Haddad", "Schmidt", "O'Brien", "Kowalski"]
GIVEN = ["Wei", "Anna", "Jun", "Maria", "Rahul", "Sofia", "Chen", "Lukas", "Aisha", "Tomás", "Yuki", "Olga"]
FINDINGS = ["accuracy improves by {a:.1f} points on CIFAR-10", "communication falls by {b}%",
            "search cost drops to {c} GPU hours", "the Dice score reaches {d:.2f}", "latency on a phone is {e} ms",
            "the method converges in {f} rounds", "memory stays under {g} MB per client"]
OPENERS = ["We study {s}.", "This paper addresses {s} under realistic constraints.",
           "{S} is hard when data are heterogeneous and devices differ.", "We revisit {s} with {m}."]
MIDDLES = ["We propose {m}, which {v} the cost of {s}.", "Our approach combines {m} with {m2}.",
           "Clients with limited computation {v2} the work assigned to them.",
           "We evaluate on {n} datasets with up to {k} clients.", "Experiments show that {fnd}.",
           "Compared with {m2}, {fnd}.", "An ablation isolates the effect of {m}."]
CLOSERS = ["Code is available.", "The results suggest that {s} benefits from {m}.",
           "We discuss limitations and future work on {s}."]


def _sentence(t: str, rng: random.Random, subj: list[str], meth: list[str]) -> str:
    s, m = rng.choice(subj), rng.choice(meth)
    fnd = rng.choice(FINDINGS).format(a=rng.uniform(0.3, 6), b=rng.randint(5, 90), c=rng.randint(1, 400),
                                      d=rng.uniform(0.5, 0.9), e=rng.randint(8, 400), f=rng.randint(20, 900),
                                      g=rng.randint(16, 900))
    return t.format(s=s, S=s[0].upper() + s[1:], m=m, m2=rng.choice(meth), fnd=fnd, n=rng.randint(2, 9),
                    k=rng.choice((10, 50, 100, 1000)), v=rng.choice(("reduces", "bounds", "halves")),
                    v2=rng.choice(("skip", "shrink", "defer")))


def _abstract(rng: random.Random, subj, meth) -> str:
    parts = [_sentence(rng.choice(OPENERS), rng, subj, meth)]
    parts += [_sentence(rng.choice(MIDDLES), rng, subj, meth) for _ in range(rng.randint(4, 8))]
    parts.append(_sentence(rng.choice(CLOSERS), rng, subj, meth))
    return " ".join(parts)


def synthetic_records(n: int, seed: int = 0, with_abstract: float = 0.82, duplicates: float = 0.03) -> list[dict]:
    """``n`` bibliographic records shaped like a database export (dicts; ``relevant`` marks FedNAS ones).

    About ``duplicates`` of them repeat an earlier record as another database
    exports it (DOI in another case, title in lower case) or as its preprint/published
    twin (arXiv id on both); ``duplicate_of`` names the earlier record. A few
    same-title challenge reports in consecutive years are different works.
    """
    rng = random.Random(seed)
    names, weights = list(TOPICS), [w for w, _, _ in TOPICS.values()]
    out: list[dict] = []
    while len(out) < n:
        i = len(out)
        if out and rng.random() < duplicates:
            src = rng.choice(out[: max(1, i)])
            twin = dict(src, key=f"rec{i}", duplicate_of=src["key"])
            if src["arxiv"] and rng.random() < 0.5:  # its published version
                twin.update(year=src["year"] + 1, doi=f"10.{rng.randint(1000, 9999)}/pub.{i}", venue=rng.choice(VENUES),
                            abstract=src["abstract"] if rng.random() < 0.5 else "")
            else:  # the same record from another database
                twin.update(title=src["title"].lower(), doi=(src["doi"] or "").upper() or None, arxiv=src["arxiv"] or None)
                if not twin["doi"] and not twin["arxiv"]:
                    twin["doi"] = src["doi"] = f"10.{rng.randint(1000, 9999)}/shared.{i}"
            out.append(twin)
            continue
        topic = rng.choices(names, weights)[0]
        _, subj, meth = TOPICS[topic]
        year = rng.randint(2015, 2025)
        if topic == "medical" and rng.random() < 0.05:
            title = f"Ischemic Stroke Lesion Segmentation (ISLES) challenge {year}"
        else:
            m = rng.choice(meth)
            title = f"{m[0].upper()}{m[1:]} for {rng.choice(subj)} with {rng.choice(QUALITIES)} {rng.choice(OBJECTS)}" \
                    f"{rng.choice(('', ': a study', ': an empirical analysis', ' at scale', ': design and evaluation'))}"
        authors = [f"{rng.choice(SURNAMES)}, {rng.choice(GIVEN)}" for _ in range(rng.randint(1, 6))]
        arxiv = f"{(year % 100):02d}{rng.randint(1, 12):02d}.{rng.randint(10000, 99999)}" if rng.random() < 0.3 else None
        out.append({"key": f"rec{i}", "title": title, "authors": authors, "year": year,
                    "venue": "arXiv preprint" if arxiv and rng.random() < 0.5 else rng.choice(VENUES),
                    "doi": f"10.{rng.randint(1000, 9999)}/{topic}.{year}.{i}" if rng.random() < 0.7 else None,
                    "arxiv": arxiv, "abstract": _abstract(rng, subj, meth) if rng.random() < with_abstract else "",
                    "keywords": [topic, rng.choice(subj)], "relevant": topic == "fednas", "duplicate_of": None})
    return out


def _bib_escape(text: str) -> str:
    return text.replace("\\", " ").replace("{", "(").replace("}", ")").replace("%", "\\%")


def write_bibtex(records: list[dict], path: Path) -> Path:
    lines = []
    for r in records:
        fields = {"title": r["title"], "author": " and ".join(r["authors"]), "year": str(r["year"]),
                  "journal": r["venue"], "doi": r["doi"], "abstract": r["abstract"], "keywords": ", ".join(r["keywords"])}
        if r["arxiv"]:
            fields.update(eprint=r["arxiv"], archivePrefix="arXiv")
        body = ",\n".join(f"  {k} = {{{_bib_escape(v)}}}" for k, v in fields.items() if v)
        lines.append(f"@article{{{r['key']},\n{body}\n}}\n")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def write_ris(records: list[dict], path: Path) -> Path:
    lines = []
    for r in records:
        lines += ["TY  - JOUR", f"ID  - {r['key']}", f"TI  - {r['title']}"] + [f"AU  - {a}" for a in r["authors"]]
        lines += [f"PY  - {r['year']}", f"JO  - {r['venue']}"] + ([f"DO  - {r['doi']}"] if r["doi"] else [])
        lines += ([f"UR  - https://arxiv.org/abs/{r['arxiv']}"] if r["arxiv"] else [])
        lines += ([f"AB  - {r['abstract']}"] if r["abstract"] else []) + [f"KW  - {k}" for k in r["keywords"]] + ["ER  - ", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def synthetic_fulltext(record: dict, seed: int = 0, paragraphs: int = 6) -> str:
    """A Markdown full text for ``record``: abstract, numbered sections, references."""
    rng = random.Random(f"{seed}-{record['key']}")
    topic = record["keywords"][0] if record["keywords"] and record["keywords"][0] in TOPICS else "fl"
    _, subj, meth = TOPICS[topic]
    out = [f"# {record['title']}", "", ", ".join(record["authors"]), "", "## Abstract", "",
           record["abstract"] or _abstract(rng, subj, meth), ""]
    for n, head in enumerate(("Introduction", "Related Work", "Method", "Experiments", "Discussion"), start=1):
        out += [f"## {n} {head}", ""]
        out += [" ".join(_sentence(rng.choice(MIDDLES), rng, subj, meth) for _ in range(rng.randint(3, 7))) + "\n"
                for _ in range(paragraphs)]
    out += ["## References", ""]
    out += [f"- [{k}] {rng.choice(SURNAMES)}, {rng.choice(GIVEN)[0]}. {rng.choice(meth).capitalize()}. "
            f"{rng.choice(VENUES)}, {rng.randint(2012, 2024)}." for k in range(1, rng.randint(12, 30))]
    return "\n".join(out) + "\n"


def synthetic_decisions(records: list[dict], n: int = 2000, reviewers: tuple[str, ...] = ("alice", "bob"),
                        seed: int = 0, conflict_rate: float = 0.05) -> list[dict]:
    """Dual title/abstract decisions on the first ``n // len(reviewers)`` unique records (relevant -> include)."""
    rng = random.Random(seed)
    unique = [r for r in records if not r["duplicate_of"]][: max(1, n // len(reviewers))]
    out = []
    for i, r in enumerate(unique):
        truth = "include" if r["relevant"] else "exclude"
        for j, who in enumerate(reviewers):
            d = truth if j == 0 or rng.random() >= conflict_rate else ("exclude" if truth == "include" else "include")
            out.append({"record": r["key"], "stage": "TitleAbstract", "reviewer": who, "decision": d,
                        "reason": None if d == "include" else "not federated NAS",
                        "time": f"2026-11-{1 + i % 28:02d}T{9 + j}:{i % 60:02d}:00Z"})
    return out


def decision_quads(decisions: list[dict], paper_iris: dict[str, str], events: bool = True) -> list[Quad]:
    """Screening decisions as the curation layer stores them (``fad:screening/<paper>/<Stage>/<reviewer>``),
    each with its decision event (``fa:Decision``: who, when, payload; what the History page and undo read),
    as ``curate.screen`` writes them."""
    out: list[Quad] = []
    g = CURATION_GRAPH
    for who in sorted({d["reviewer"] for d in decisions}):
        r = iri("reviewer", who)
        out += [Quad(r, RDF.type, FA.Reviewer, g), Quad(r, RDF.type, PROV.Agent, g), Quad(r, FOAF.name, lit(who), g),
                Quad(r, RDFS.label, lit(who), g)]
    for i, d in enumerate(decisions):
        if d["record"] not in paper_iris:
            continue
        p = NamedNode(paper_iris[d["record"]])
        n = iri("screening", f"{p.value.rsplit('/', 1)[-1]}/{d['stage']}/{d['reviewer']}")
        who, when = iri("reviewer", d["reviewer"]), lit(d["time"], XSD.dateTime)
        facts: list[tuple[NamedNode, NamedNode, NamedNode | Literal]] = [
            (n, RDF.type, FA.ScreeningDecision), (n, FA.aboutPaper, p), (n, FA.stage, FA[d["stage"]]),
            (n, FA.decision, lit(d["decision"])), (n, PROV.wasAssociatedWith, who), (n, PROV.endedAtTime, when)]
        if d["reason"]:
            facts.append((n, FA.reason, lit(d["reason"])))
        out += [Quad(s, pr, o, g) for s, pr, o in facts]
        if events:
            e = iri("decision", f"synthetic-{i:06d}")
            payload = {"paper": p.value, "stage": d["stage"], "decision": d["decision"], "reason": d["reason"],
                       "_added": [f"{s} {pr} {o} ." for s, pr, o in facts], "_removed": []}
            out += [Quad(e, RDF.type, FA.Decision, g), Quad(e, RDF.type, PROV.Activity, g),
                    Quad(e, FA.action, lit("screen"), g), Quad(e, FA.target, n, g),
                    Quad(e, PROV.wasAssociatedWith, who, g), Quad(e, PROV.endedAtTime, when, g),
                    Quad(e, FA.payload, lit(json.dumps(payload, ensure_ascii=False, sort_keys=True)), g)]
    return out


def synthetic_review(folder: Path, n: int = 5000, seed: int = 0, fulltexts: int = 58, decisions: int = 2000) -> dict:
    """Write ``export.bib``, ``export.ris``, ``fulltext/*.md`` and ``decisions.csv`` into ``folder``."""
    folder = Path(folder)
    (folder / "fulltext").mkdir(parents=True, exist_ok=True)
    recs = synthetic_records(n, seed)
    write_bibtex(recs, folder / "export.bib")
    write_ris(recs, folder / "export.ris")
    relevant = [r for r in recs if r["relevant"] and not r["duplicate_of"]]
    chosen = (relevant + [r for r in recs if not r["relevant"] and not r["duplicate_of"]])[:fulltexts]
    for r in chosen:
        (folder / "fulltext" / f"{r['key']}.md").write_text(synthetic_fulltext(r, seed), encoding="utf-8")
    ds = synthetic_decisions(recs, decisions, seed=seed)
    with open(folder / "decisions.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(ds[0]))
        w.writeheader()
        w.writerows(ds)
    return {"records": len(recs), "with_abstract": sum(bool(r["abstract"]) for r in recs),
            "duplicates": sum(bool(r["duplicate_of"]) for r in recs), "relevant": sum(r["relevant"] for r in recs),
            "fulltexts": len(chosen), "decisions": len(ds)}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=int, default=100, help="multiple of the seed corpus (default 100)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("-o", "--output", default="synthetic.nq", help="N-Quads file to write")
    ap.add_argument("--records", type=int, help="write a review of N records as files instead (see --out-dir)")
    ap.add_argument("--out-dir", default="synthetic-review", help="folder for --records")
    args = ap.parse_args(argv)
    if args.records:
        made = synthetic_review(Path(args.out_dir), args.records, seed=args.seed)
        print("wrote " + ", ".join(f"{k}: {v}" for k, v in made.items()))
        return
    quads = synthetic_quads(args.scale, args.seed)
    serialize(quads, args.output, format=RdfFormat.N_QUADS)
    print(f"wrote {len(quads)} quads ({args.scale}x seed corpus) to {args.output}")


if __name__ == "__main__":
    main()
