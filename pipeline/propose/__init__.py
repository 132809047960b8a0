"""Proposers: Document (+ codebook, curated exemplars, thresholds) -> Proposals.

Built-ins are registered by versioned name exactly like third-party ones (entry-point
group ``fedatlas.proposers``); an unknown name lists the known ones::

    from pipeline.propose import get_proposer, default_proposers, ProposalContext
    props = get_proposer("challenge-hybrid-v2").propose(doc, ProposalContext())
"""

from __future__ import annotations

from importlib.metadata import entry_points

from pipeline.errors import UnknownNameError
from pipeline.propose.base import (CHALLENGES, DEFAULT_THRESHOLDS, KINDS, NAS_TYPES, CodebookEntry, Exemplar,
                   ProposalContext, Proposer, document_from_record, ensure_sentences)

__all__ = [
    "CHALLENGES", "NAS_TYPES", "KINDS", "DEFAULT_THRESHOLDS", "CodebookEntry", "Exemplar",
    "ProposalContext", "Proposer", "available_proposers", "default_proposers", "get_proposer",
    "propose_all", "register", "document_from_record", "ensure_sentences",
]

_REGISTRY: dict[str, type[Proposer]] = {}


def register(cls: type[Proposer]) -> type[Proposer]:
    """Register a proposer class under its ``name`` (usable as a decorator)."""
    _REGISTRY[cls.name] = cls
    return cls


def _load_builtins() -> None:
    if _REGISTRY:
        return
    from pipeline.propose import codes, llm, technique

    for cls in (codes.ChallengeHybridV2, codes.ChallengeRulesV2, codes.ChallengeEmbedV2,
                codes.NasTypeHybridV2, codes.NasTypeRulesV2, technique.TechniqueOpenV2,
                # v1: title+abstract-tuned predecessors, kept registered for reproducibility
                codes.ChallengeHybrid, codes.ChallengeRules, codes.ChallengeEmbed,
                codes.NasTypeHybrid, codes.NasTypeRules, technique.TechniqueOpen,
                llm.LLMOpenAI, llm.LLMLlamaCpp):
        register(cls)
    for ep in entry_points(group="fedatlas.proposers"):
        cls = ep.load()
        _REGISTRY.setdefault(cls.name, cls)


def available_proposers() -> list[str]:
    _load_builtins()
    return sorted(_REGISTRY)


def get_proposer(name: str, **params) -> Proposer:
    """A new proposer instance by versioned name; ``params`` go to its constructor."""
    _load_builtins()
    cls = _REGISTRY.get(name)
    if cls is None:
        raise UnknownNameError(f"unknown proposer {name!r}",
                               hint="known proposers: " + ", ".join(available_proposers()))
    return cls(**params)


def default_proposers() -> list[Proposer]:
    """The proposers ``ingest`` runs unless told otherwise (the LLM ones are off)."""
    _load_builtins()
    return [cls() for name, cls in sorted(_REGISTRY.items()) if cls.default_enabled]


def propose_all(doc, context: ProposalContext | None = None,
                proposers: list[Proposer] | None = None) -> list:
    """Run several proposers over one document and concatenate their proposals."""
    context = context or ProposalContext()
    out = []
    for p in proposers if proposers is not None else default_proposers():
        out.extend(p.propose(doc, context))
    return out
