"""A store with decision targets, and the writer roles that curate it in processes of their own."""

from __future__ import annotations

import random

from relkit.common import BATCH
from relkit.invariants import open_store


def many_proposals_store(path, n: int = 40):
    """A seeded store with one paper holding ``n`` proposals (targets for decisions)."""
    from pipeline.ingest.testing import make_ingested_paper
    from pipeline.store.corpus import init_store

    store = open_store(path)
    init_store(store)
    make_ingested_paper(store, "rel2024-target", "Reliability target paper", "Decisions land here.",
                        _target_specs(n), text=_TARGET_TEXT(n))
    return store


def _TARGET_TEXT(n: int) -> str:  # one distinct evidence sentence per proposal, as a real paper has
    return " ".join(f"Client group {i} holds non-IID data." for i in range(n))


def _target_specs(n: int) -> list[dict]:
    from pipeline.vocab import challenge

    return [{"kind": "challenge", "code": challenge("non_iid_data"), "quote": f"Client group {i} holds non-IID data.",
             "score": 0.5 + i / (4 * n)} for i in range(n)]


def proposal_iris(n: int = 40) -> list[str]:
    from pipeline.ingest.testing import proposal_node

    return [proposal_node("rel2024-target", spec, _TARGET_TEXT(n)).value for spec in _target_specs(n)]


def curate_worker(store_path: str, who: str, *proposals: str) -> None:
    """An app session: one accept per proposal, each its own transaction; prints each decision IRI."""
    from pipeline import curate

    store = open_store(store_path)
    for p in proposals:
        print(curate.accept(store, who, p), flush=True)


def curate_loop(store_path: str, who: str, seed: str = "1", rounds: str = "1000000") -> None:
    """Batches of BATCH status decisions (one transaction each) until killed; prints batch ids."""
    from pipeline.curate.events import commit, node
    from pipeline.curate.proposals import _status_op

    rng = random.Random(int(seed))
    store = open_store(store_path)
    props = proposal_iris()
    for i in range(int(rounds)):
        chosen = rng.sample(props, BATCH)
        action = rng.choice(["accept", "reject"])
        batch = f"{who}-{seed}-{i}"
        with store.session(write=True):
            ops = [_status_op(store, node(p), action, action + "ed" if action == "reject" else "accepted",
                              None, {"batch": batch}) for p in chosen]
            from pipeline.curate.events import LATEST

            for op in ops:
                op.based_on = LATEST
            commit(store, who, ops)
        print(batch, flush=True)
