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
from pipeline.propose.base import PROPOSERS, is_title
from pipeline.propose.codes import ChallengeHybridV2

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

    def parse_evidence(self, doc: Document, sents: list[Sentence],
                       parses: Mapping[str, Doc] | None = None) -> tuple[list | None, list | None]:
        from pipeline.propose.nlp import parse

        return self.evidence_from_parse(doc, sents, parse([s.text for s in sents], known=parses))

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
            roles.append(classify(parsed_doc, pos, n_body).role)
            pos += 1
        frames = [frame_hits(d) for d in parsed] if self.use_frames else None
        return (roles if self.use_roles else None), frames
