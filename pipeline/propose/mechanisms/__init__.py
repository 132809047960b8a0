"""Mechanism phrases from the dependency parse: how papers state what they change.

Papers state a mechanism in a few grammatical shapes, whatever the words (:mod:`.shapes`):

* an own action on an object: "we adaptively **assign sub-models** to participants",
  "we gradually **prune the search space**" -> "adaptively assigning sub-models";
* a light verb whose object names the mechanism: "we propose **delay-compensated
  synchronization**", "we apply **a personalized DP strategy**";
* a passive with the mechanism as subject: "**a knowledge distillation-based training
  framework** is proposed", "**differentiable architecture fine-tuning** is achieved via ...";
* a means clause: "... by **exchanging gradients** of architecture variables";
* an enumeration: "three optimizations: A, B, and C" (one mechanism per item, :mod:`.enumeration`).

What is *not* a mechanism, also by shape: the paper's framework ("we present FedX, a
framework for ...": a coined name, or an object made only of generic words; :mod:`.filters`),
purpose clauses ("to reduce communication": the challenge), result clauses ("thus making ...",
"achieves", "outperforms"), background statements without an own subject, and analysis objects
("theoretical guarantees"; :mod:`.clauses`). Labels of 2-7 words come from :mod:`.labels`; the
word classes all of these read are in :mod:`.words`. The parser runs once per batch of
sentences (``nlp.pipe``, :func:`pipeline.propose.nlp.parse`).

Modules: ``words`` (word classes) -> ``found`` (the :class:`Mechanism` record) -> ``filters``
-> ``labels`` -> ``clauses`` -> ``enumeration`` -> ``shapes`` (:func:`mechanisms`).
"""

from __future__ import annotations

from pipeline.propose.mechanisms.filters import coined_names, framework_names, is_result_sentence
from pipeline.propose.mechanisms.found import Mechanism
from pipeline.propose.mechanisms.shapes import mechanisms
from pipeline.propose.mechanisms.words import (
    FL_ACTORS,
    GENERIC,
    LIGHT_VERBS,
    NON_MECHANISM_HEADS,
    PASSIVE_MEANS,
    RESULT_VERBS,
)

__all__ = [
    "Mechanism", "mechanisms", "framework_names", "is_result_sentence", "coined_names",
    "LIGHT_VERBS", "RESULT_VERBS", "FL_ACTORS", "GENERIC", "NON_MECHANISM_HEADS", "PASSIVE_MEANS",
]
