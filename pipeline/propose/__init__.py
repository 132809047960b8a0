"""Proposers: Document (+ codebook, curated exemplars, thresholds) -> Proposals.

Built-ins are registered by versioned name exactly like third-party ones (entry-point
group ``fedatlas.proposers``); an unknown name lists the known ones::

    from pipeline.propose import get_proposer, default_proposers, ProposalContext
    props = get_proposer("challenge-hybrid-v2").propose(doc, ProposalContext())
"""

from __future__ import annotations

from pipeline.propose.base import (
    CHALLENGES,
    DEFAULT_THRESHOLDS,
    KINDS,
    NAS_TYPES,
    PROPOSERS,
    CodebookEntry,
    Exemplar,
    ProposalContext,
    Proposer,
    document_from_record,
    ensure_sentences,
)

__all__ = [
    "CHALLENGES", "NAS_TYPES", "KINDS", "DEFAULT_THRESHOLDS", "PROPOSERS", "CodebookEntry", "Exemplar",
    "ProposalContext", "Proposer", "available_proposers", "default_proposers", "get_proposer",
    "propose_all", "register", "document_from_record", "ensure_sentences",
]


def register(cls: type[Proposer]) -> type[Proposer]:
    """Register a proposer class under its ``name`` (kept for callers of the old API)."""
    return PROPOSERS.register(cls)  # type: ignore[return-value]


def available_proposers() -> list[str]:
    return PROPOSERS.names()


def get_proposer(name: str, **params) -> Proposer:
    """A new proposer instance by versioned name; ``params`` go to its constructor."""
    return PROPOSERS.get(name)(**params)


def check_proposer_names(names: list[str]) -> None:
    """Refuse an unknown (or broken) proposer name with the known ones, before any work is done."""
    for name in names:
        PROPOSERS.get(name)


def default_proposers() -> list[Proposer]:
    """The proposers ``ingest`` runs unless told otherwise (the LLM ones are off)."""
    return [cls() for _, cls in PROPOSERS.items() if getattr(cls, "default_enabled", False)]


def propose_all(doc, context: ProposalContext | None = None,
                proposers: list[Proposer] | None = None) -> list:
    """Run several proposers over one document and concatenate their proposals."""
    context = context or ProposalContext()
    out = []
    for p in proposers if proposers is not None else default_proposers():
        out.extend(p.propose(doc, context))
    return out
