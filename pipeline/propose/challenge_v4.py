"""``challenge-hybrid-v4``: v2's scoring with what the parse says about each abstract sentence.

Measured with ``loo-lexicon`` (:mod:`pipeline.propose.evaluate_lexicon`), most of the dev-gold
recall of v2 came from cue phrases and rhetorical words that only one development abstract uses,
so they cannot be counted on for an unseen paper. v4 replaces what can be read without such
words:

* the sentence's *rhetorical role* (``roles``: goal, problem statement, background, result,
  read from the dependency parse) decides whether a sentence is motivated or a results report,
  alongside the lexicon's motivation/results patterns (``Context.multiplier``);
* *challenge frames* (``frames``): a Table 1.1 "<X> heterogeneity" label in any English form
  ("heterogeneity of edge data", "local distributions vary") counts as a decisive cue.

Each sentence is parsed once (one batch per document, or one per ingest batch of records:
``parses``). Full text reads by section as v2.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from pipeline.document import Document, Sentence
from pipeline.propose.base import PROPOSERS, ProposalContext, ensure_sentences, is_title
from pipeline.propose.codes import ChallengeHybridV2
from pipeline.propose.structure import is_full_text, locate

if TYPE_CHECKING:
    from spacy.tokens import Doc


@PROPOSERS.register
class ChallengeHybridV4(ChallengeHybridV2):
    """v2 + parse-read sentence roles and challenge frames on title + abstract records."""

    name = "challenge-hybrid-v4"
    default_enabled = False  # superseded by challenge-hybrid-v5 (v4 + goal phrases; same dev fit, higher loo-lexicon recall)
    model_version = "4"
    use_roles = True
    use_frames = True

    reads_parse = True
    #: parse only the sentences a parse-reading rule can use (:meth:`needs_parse`); the proposals
    #: are the same as with every sentence parsed (False: parse all, as the tests compare)
    parse_filter = True

    def trigger_words(self) -> frozenset[str]:
        """Words (lower form or lemma) without which the parse-read evidence of a sentence is empty."""
        from pipeline.propose.frames import FAMILIES

        return frozenset().union(*(f.words for f in FAMILIES)) if self.use_frames else frozenset()

    def needs_parse(self, text: str) -> bool:
        """Whether the parse of a record sentence can change its scores: its role only scales a
        cue that matched, and frames (v5: goal phrases) need one of :meth:`trigger_words`."""
        from pipeline.propose.nlp import lemma_trigger

        if not self.parse_filter:
            return True
        if self.use_roles and any(strength for strength, _ in self.space.cue_row(text)):
            return True
        words = self.trigger_words()
        return bool(words) and lemma_trigger(words).search(text.lower()) is not None

    def parse_wanted(self, doc: Document, context: ProposalContext) -> list[str]:
        """The record sentences whose parse this proposer will read (ingest parses only these)."""
        located = locate(doc) if self.structure_aware else []
        if (located and is_full_text(located)) or self.cannot_pass(doc, context):
            return []
        return [s.text for s in ensure_sentences(doc) if s.text.strip() and self.needs_parse(s.text)]

    def parse_needed(self, sents: list[Sentence], parses: Mapping[str, Doc] | None = None) -> list:
        """Per sentence its parse, or None where :meth:`needs_parse` says it cannot matter."""
        from pipeline.propose.nlp import parse

        need = [s.text for s in sents if self.needs_parse(s.text)]
        made = dict(zip(need, parse(need, known=parses)))
        return [made.get(s.text) for s in sents]

    def parse_evidence(self, doc: Document, sents: list[Sentence],
                       parses: Mapping[str, Doc] | None = None) -> tuple[list | None, list | None]:
        return self.evidence_from_parse(doc, sents, self.parse_needed(sents, parses))

    def evidence_from_parse(self, doc: Document, sents: list[Sentence], parsed: list) -> tuple[list | None, list | None]:
        """Roles and frames from the sentences' parses (one parse per document, shared by subclasses)."""
        from pipeline.propose.frames import frame_hits
        from pipeline.propose.roles import classify

        titles = [is_title(doc, s) for s in sents]
        n_body = sum(1 for t in titles if not t)
        roles: list[str] = []
        pos = 0
        for parsed_doc, title in zip(parsed, titles):
            if title:
                roles.append("title")
                continue
            roles.append(classify(parsed_doc, pos, n_body).role if parsed_doc is not None else "other")
            pos += 1  # (a sentence without its parse has no cue: its role is never read)
        frames = [frame_hits(d) if d is not None else {} for d in parsed] if self.use_frames else None
        return (roles if self.use_roles else None), frames
