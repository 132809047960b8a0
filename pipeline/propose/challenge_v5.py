"""``challenge-hybrid-v5``: v4 + the challenge a sentence sets out to address, read by meaning.

Under ``loo-lexicon`` v4 still missed challenges that an abstract states in its goal or problem
sentences with words no cue lists ("mitigate loss over late updates", "costly pipelines for
subnet discovery"): the role said the sentence was a goal or problem statement, but no cue or
frame named the challenge. v5 cuts the slot of the move out of the parse (the object of "to
mitigate", the complement of "suffers from", the condition of "according to", see ``goals``)
and compares that phrase with Table 1.1's own texts and paraphrases written from them, so a
new wording of a known challenge is still recognised. The phrase's strength enters like a
frame's, after the sentence's role (background and results sentences are still discounted).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from pipeline.document import Document, Sentence
from pipeline.propose.base import PROPOSERS, ProposalContext, ensure_sentences
from pipeline.propose.challenge_v4 import ChallengeHybridV4
from pipeline.propose.structure import is_full_text, locate

if TYPE_CHECKING:
    from spacy.tokens import Doc


@PROPOSERS.register
class ChallengeHybridV5(ChallengeHybridV4):
    """v4 + goal/problem phrases of the parse matched to the Table 1.1 challenges by embedding."""

    name = "challenge-hybrid-v5"
    default_enabled = True  # the default: v4's dev fit, higher recall under loo-lexicon
    model_version = "5"
    use_goals = True
    use_anaphora = True

    #: roles an anaphoric goal ("To address this problem, ...") turns into a problem statement
    _LIFTED = frozenset({"background", "other"})

    def anaphoric_problems(self, roles: list[str], parsed: list) -> list[str]:
        """The sentence before an anaphoric goal sentence (see ``goals.anaphoric_goal``) is the
        problem the paper addresses: read it as a problem statement, not as background."""
        from pipeline.propose.goals import anaphoric_goal

        out = list(roles)
        for i in range(1, len(parsed)):
            if out[i - 1] in self._LIFTED and anaphoric_goal(parsed[i]):
                out[i - 1] = "problem"
        return out

    def __init__(self) -> None:
        super().__init__()
        self._parsed: dict[int, tuple[list[str], list]] = {}  # batch_texts' parse, by id of the document
        self._protos_for: int | None = None  # id of the embedder the prototypes were queued for

    def batch_texts(self, doc: Document, context: ProposalContext,
                    parses: Mapping[str, Doc] | None = None) -> list[str]:
        """The goal phrases of a title + abstract record, so that ingest embeds them in the batch's
        one model call with the sentences (a call per abstract for a handful of phrases cost more
        than the phrases); the first document of an embedder also queues the prototypes. The parse
        made here (or found in the batch's ``parses``) is kept for the following :meth:`propose`."""
        from pipeline.propose.goals import phrases, prototypes

        located = locate(doc) if self.structure_aware else []
        if not self.use_goals or (located and is_full_text(located)):
            return []  # full text is read by section; the goal phrases are not used there
        out: list[str] = []
        if not self.cannot_pass(doc, context):  # (else propose reads nothing of the record)
            sentences = [s for s in ensure_sentences(doc) if s.text.strip()]
            parsed = self.parse_needed(sentences, parses)
            self._parsed[id(doc)] = ([s.text for s in sentences], parsed)
            out = [p for d in parsed if d is not None for _, p in phrases(d)]
        emb = context.get_embedder()
        if self._protos_for != id(emb):
            self._protos_for = id(emb)
            out += [t for texts in prototypes().values() for t in texts]
        return out

    def trigger_words(self) -> frozenset[str]:
        from pipeline.propose.goals import TRIGGER_WORDS

        return super().trigger_words() | (TRIGGER_WORDS if self.use_goals else frozenset())

    def parse_evidence(self, doc: Document, sents: list[Sentence],
                       parses: Mapping[str, Doc] | None = None) -> tuple[list | None, list | None]:
        kept = self._parsed.pop(id(doc), None)
        if kept is not None and kept[0] == [s.text for s in sents]:
            return self.evidence_from_parse(doc, sents, kept[1])
        return super().parse_evidence(doc, sents, parses)

    def score_document(self, doc: Document, context: ProposalContext, parses: Mapping[str, Doc] | None = None):
        self._context = context
        return super().score_document(doc, context, parses)

    def _matcher(self, context: ProposalContext):
        from pipeline.propose.goals import GoalMatcher

        emb = context.get_embedder()
        cached = getattr(self, "_goal_matcher", None)
        if cached is None or cached.embedder is not emb:
            cached = self._goal_matcher = GoalMatcher(emb)
        return cached

    def evidence_from_parse(self, doc: Document, sents: list[Sentence], parsed: list) -> tuple[list | None, list | None]:
        roles, frames = super().evidence_from_parse(doc, sents, parsed)
        if not self.use_goals:
            return roles, frames
        if roles and self.use_anaphora:
            roles = self.anaphoric_problems(roles, parsed)
        goals = self._matcher(getattr(self, "_context", None) or ProposalContext()).hits(parsed)
        merged = []
        for i, g in enumerate(goals):
            f = dict(frames[i]) if frames else {}
            for key, (strength, text) in g.items():
                if strength > f.get(key, (0.0, ""))[0]:
                    f[key] = (strength, text)
            merged.append(f)
        return roles, merged
