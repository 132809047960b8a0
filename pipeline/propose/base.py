"""The proposer interface and the context proposers read (codebook, exemplars, thresholds).

A :class:`Proposer` turns one :class:`~pipeline.document.Document` into a list of
:class:`~pipeline.document.Proposal` objects. Every proposal carries the proposer's
versioned name, the model, the model version, a 0..1 score and an evidence span that
is an exact substring of ``Document.text``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pipeline import registry, vocab
from pipeline.document import Document, Proposal, Sentence

CHALLENGES = (
    "hardware_heterogeneity", "limited_communication", "limited_computation", "unbalanced_data",
    "non_iid_data", "variable_availability", "client_participation", "security",
    "client_reliability", "privacy", "personalization",
)
NAS_TYPES = (
    "reinforcement_learning", "evolutionary", "gradient_based", "one_shot_supernet",
    "bayesian_optimization", "predictor_based", "random_search", "pruning_based",
    "zero_cost_proxy", "llm_guided", "other", "unknown",
)
KINDS = ("challenge", "nas_type", "technique")

#: Default score thresholds per kind. They favour recall: a screening tool must not
#: hide what a paper addresses (tuned on dev-gold, see README "Proposal quality").
DEFAULT_THRESHOLDS: dict[str, float] = {"challenge": 0.45, "nas_type": 0.5, "technique": 0.5}

LEXICON_PATH = Path(__file__).resolve().parents[2] / "corpus" / "proposer_lexicon.json"


@dataclass(frozen=True)
class CodebookEntry:
    """One refined adaptation technique (or any concept) as the proposers see it."""

    iri: str
    label: str
    definition: str = ""
    examples: tuple[str, ...] | list[str] = ()

    @property
    def key(self) -> str:
        return vocab.local_name(self.iri)


@dataclass(frozen=True)
class Exemplar:
    """A labelled sentence from curation: a proposal a reviewer accepted or rejected."""

    kind: str  # challenge | nas_type | technique
    code: str  # concept IRI (or key)
    text: str
    accepted: bool = True

    @property
    def key(self) -> str:
        return vocab.local_name(self.code)


@dataclass
class ProposalContext:
    """What proposers read besides the document.

    ``codebook``: refined techniques (technique proposer, LLM validation).
    ``exemplars``: curated sentences; accepted ones pull later proposals towards their
    code, rejected ones push similar sentences away (nearest-exemplar learning).
    ``thresholds``: per kind (``"challenge"``) or per code key (``"privacy"``); a
    proposer emits proposals with score >= threshold.
    ``cache_dir``: where the embedder caches vectors (e.g. ``<store>/embeddings``).
    """

    codebook: list[CodebookEntry] = field(default_factory=list)
    exemplars: list[Exemplar] = field(default_factory=list)
    thresholds: dict[str, float] = field(default_factory=dict)
    cache_dir: str | Path | None = None
    embedder: object | None = None

    def threshold(self, kind: str, key: str | None = None) -> float:
        if key is not None and key in self.thresholds:
            return self.thresholds[key]
        return self.thresholds.get(kind, DEFAULT_THRESHOLDS.get(kind, 0.5))

    def get_embedder(self):
        if self.embedder is None:
            from pipeline.propose.embed import get_embedder

            self.embedder = get_embedder(self.cache_dir)
        return self.embedder

    def exemplars_for(self, kind: str, accepted: bool | None = None) -> list[Exemplar]:
        return [e for e in self.exemplars
                if e.kind == kind and (accepted is None or e.accepted == accepted)]


#: Every proposer class by versioned name: built-ins register with ``@PROPOSERS.register`` in
#: their module, plugins through the entry-point group ``fedatlas.proposers`` (never hiding a built-in).
PROPOSERS: registry.Registry[type[Proposer]] = registry.Registry(
    "proposers", builtins=("pipeline.propose.codes", "pipeline.propose.nas_types", "pipeline.propose.challenge_v4",
                           "pipeline.propose.challenge_v5", "pipeline.propose.technique", "pipeline.propose.opencodes",
                           "pipeline.propose.llm"))


class Proposer:
    """Base class: subclasses set ``name`` (versioned), ``kind``, ``model`` and implement
    :meth:`propose`."""

    name: str = "base-v0"
    kind: str = "challenge"
    model: str = "rules"
    model_version: str = "1"
    default_enabled: bool = True
    #: True when :meth:`propose` takes ``parses=`` (sentence text -> spaCy parse): ingest then
    #: parses a batch's sentences once and hands the parses over instead of each proposer parsing
    reads_parse: bool = False

    def propose(self, doc: Document, context: ProposalContext | None = None) -> list[Proposal]:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


# --------------------------------------------------------------------------- helpers

@lru_cache(maxsize=4)
def load_lexicon(path: str | None = None) -> dict:
    """The cue/exemplar lexicon shipped in ``corpus/proposer_lexicon.json``."""
    with open(path or LEXICON_PATH, encoding="utf-8") as f:
        return json.load(f)


def compile_patterns(patterns: Iterable) -> list[tuple[re.Pattern, float]]:
    out = []
    for p in patterns:
        if isinstance(p, str):
            out.append((re.compile(p, re.I), 1.0))
        else:
            out.append((re.compile(p[0], re.I), float(p[1])))
    return out


def iri_for(kind: str, key: str) -> str:
    if kind == "challenge":
        return vocab.challenge(key).value
    if kind == "nas_type":
        return vocab.nas_type(key).value
    return vocab.technique(key).value




def ensure_sentences(doc: Document) -> list[Sentence]:
    """The document's sentences, filling them with ``pipeline.propose.nlp`` if empty."""
    from pipeline.propose.nlp import annotate

    if doc.sentences:
        return doc.sentences
    if not doc.text:
        doc.text = "\n\n".join(x for x in (doc.title, doc.abstract) if x)
    annotate(doc)
    return doc.sentences


def document_from_record(record: dict) -> Document:
    """A Document of title + abstract (how evaluation and the LLM see a paper)."""
    title = (record.get("title") or "").strip()
    abstract = (record.get("abstract") or "").strip()
    text = "\n\n".join(x for x in (title, abstract) if x)
    return Document(title=title, abstract=abstract, text=text, authors=record.get("authors") or [],
                    year=record.get("year"), extra={"id": record.get("id")})


def is_title(doc: Document, sent: Sentence) -> bool:
    return bool(doc.title) and sent.start == 0 and sent.text.strip() == doc.title.strip()


def make_proposal(proposer: Proposer, doc: Document, kind: str, code: str, label: str,
                  score: float, sent: Sentence | None, **extra) -> Proposal:
    start, end = (sent.start, sent.end) if sent is not None else (0, 0)
    evidence = doc.text[start:end]
    return Proposal(kind=kind, code=code, label=label, score=round(float(score), 4),
                    evidence=evidence, start=start, end=end, proposer=proposer.name,
                    model=proposer.model, model_version=proposer.model_version,
                    page=doc.page_of(start) if sent is not None else None, **extra)


class DocumentMemo:
    """An answer a proposer worked out for a document, kept until the next step of ingest asks
    again (``parse_wanted`` first, then ``propose``): held by the document's id with the
    document itself (so the id is not reused while kept) and its text (an edited document is
    worked out again); cleared when it grows past ``cap``."""

    def __init__(self, cap: int = 10_000) -> None:
        self.cap = cap
        self._kept: dict[int, tuple[Document, str, object]] = {}

    def get(self, doc: Document, compute):
        kept = self._kept.get(id(doc))
        if kept is None or kept[0] is not doc or kept[1] != doc.text:
            if len(self._kept) >= self.cap:
                self._kept.clear()
            kept = self._kept[id(doc)] = (doc, doc.text, compute(doc))
        return kept[2]

    def take(self, doc: Document, compute):
        """The kept answer, released (the step that asked for it last), or a fresh one."""
        kept = self._kept.pop(id(doc), None)
        if kept is not None and kept[0] is doc and kept[1] == doc.text:
            return kept[2]
        return compute(doc)
