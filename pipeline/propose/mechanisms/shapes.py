"""The shapes in which papers state a mechanism, read from a parsed sentence.

* an own action on an object: "we adaptively **assign sub-models** to participants" -> "adaptively
  assigning sub-models" (``action``);
* a light verb whose object names the mechanism: "we propose **delay-compensated
  synchronization**" (``object``), or what a framework is built "to do" (``purpose``);
* a passive with the mechanism as subject: "**a knowledge distillation-based training
  framework** is proposed" (``passive``);
* a means clause: "... by **exchanging gradients** of architecture variables" (``means``);
* an enumeration after a colon, one mechanism per item (``item``, see :mod:`.enumeration`).
"""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span, Token

from pipeline.propose.mechanisms.clauses import clause, is_purpose, is_result_clause, objects, own_subject
from pipeline.propose.mechanisms.enumeration import enumeration, item_label
from pipeline.propose.mechanisms.filters import generic
from pipeline.propose.mechanisms.found import Mechanism
from pipeline.propose.mechanisms.labels import PREFIX, gerund, label, phrase, span, words_of
from pipeline.propose.mechanisms.words import (
    ANAPHORIC,
    AS_VERBS,
    LIGHT_VERBS,
    MAX_WORDS,
    NON_MECHANISM_HEADS,
    NOT_MANNER,
    PASSIVE_MEANS,
    RESULT_VERBS,
)

_USE_VERBS = ("leverage", "use", "employ", "utilize", "utilise", "adopt", "apply", "exploit")


class _Found:
    """The mechanisms of one sentence so far: one per head token, labels of two words or more."""

    def __init__(self, base: int) -> None:
        self.base = base
        self.items: list[Mechanism] = []
        self.seen_heads: set[int] = set()

    def add(self, label_words: list[str], where: tuple[int, int], shape: str, key: int) -> None:
        if any(w.lower() in ANAPHORIC for w in label_words):
            return  # refers to mechanisms named elsewhere
        text = label(label_words)
        if key in self.seen_heads or len(text.split()) < 2 and not re.search(r"[a-z]-[a-z]", text):
            return
        self.seen_heads.add(key)
        self.items.append(Mechanism(text, where[0] - self.base, where[1] - self.base, shape))


def mechanisms(sent: Span | Doc, framework: set[str]) -> list[Mechanism]:
    """The mechanisms a parsed sentence states (offsets relative to the sentence start)."""
    PREFIX.clear()
    found = _Found(sent[0].idx if len(sent) else 0)
    if _enumerated(sent, framework, found):
        return found.items
    for tok in sent:
        if _own_verb(tok, framework):
            passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in tok.children)
            _means(tok, passive, framework, found)
            if passive:
                _passive(tok, framework, found)
            else:
                _active(tok, framework, found)
    return found.items


def _enumerated(sent: Span | Doc, framework: set[str], found: _Found) -> bool:
    """Enumerations introduced by a colon: one mechanism per item (True when the sentence is one)."""
    colon = next((t for t in sent if t.text == ":" and t.i > sent[0].i + 3), None)
    root = sent.root if isinstance(sent, Span) else next(iter(sent.sents)).root
    if colon is None or root.lemma_ in RESULT_VERBS or not own_subject(root, framework):
        return False
    items = enumeration(sent, colon)
    if len(items) < 2:
        return False
    text, base = sent.text, found.base
    for s, e in items:
        words = text[s - base:e - base].split()
        while words and words[0].lower() in ("and", "or", "the", "a", "an"):
            words = words[1:]
        if len(words) > MAX_WORDS or any(t.dep_ == "nsubj" for t in sent if s <= t.idx < e):
            words = item_label(sent, s, e, framework) or words[:MAX_WORDS]
        found.add(words, (s, e), "item", -s - 1)
    return True


def _own_verb(tok: Token, framework: set[str]) -> bool:
    """A verb of the authors' own doing that is no result, aim or purpose clause."""
    if tok.pos_ not in ("VERB", "AUX") or tok.lemma_ in ("be", "have", "do", "can", "may", "will"):
        return False
    passive_ok = tok.lemma_ in PASSIVE_MEANS and any(c.dep_ == "nsubjpass" for c in tok.children)
    if is_result_clause(tok) or (tok.lemma_ in RESULT_VERBS and not passive_ok):
        return False
    if is_purpose(tok) or (tok.dep_ == "xcomp" and tok.head.lemma_ in RESULT_VERBS):
        return False
    return own_subject(tok, framework)


def _means(tok: Token, passive: bool, framework: set[str], found: _Found) -> None:
    """"... by exchanging gradients", "... via X": the means is the mechanism."""
    means_preps = ("by", "via", "through", "using", "with") if passive else ("by", "via", "through", "using")
    for prep in (c for c in tok.children if c.dep_ == "prep" and c.lower_ in means_preps):
        g = next((c for c in prep.children if c.dep_ == "pcomp" and c.tag_ == "VBG"), None)
        if g is not None and g.lemma_ not in RESULT_VERBS:
            obj = next((c for c in g.children if c.dep_ == "dobj"), None)
            if obj is not None and not generic(phrase(obj), framework):
                found.add([g.lower_] + words_of(phrase(obj, with_of=True)), span(list(g.subtree)), "means", g.i)
        n = next((c for c in prep.children if c.dep_ == "pobj"), None)
        if n is not None and prep.lower_ in ("with", "via", "using") and n.lemma_ not in NON_MECHANISM_HEADS \
                and not generic(phrase(n, with_of=False), framework):
            found.add(words_of(phrase(n)), span(list(prep.subtree)), "means", n.i)
            continue
        if n is not None and n.lemma_ in ("use", "means", "help", "application", "adoption", "introduction"):
            of = next((c for c in n.children if c.dep_ == "prep" and c.lower_ == "of"), None)
            n = next((c for c in of.children if c.dep_ == "pobj"), None) if of is not None else None
            if n is not None and not generic(phrase(n), framework):
                found.add(words_of(phrase(n)), span(list(prep.subtree)), "means", n.i)


def _passive(tok: Token, framework: set[str], found: _Found) -> None:
    """"X is proposed": the subject names the mechanism; "X is stacked by Y": the action does."""
    subj = next((c for c in tok.children if c.dep_ == "nsubjpass"), None)
    if subj is not None and tok.lemma_ in LIGHT_VERBS | PASSIVE_MEANS:
        ph = phrase(subj)
        if not generic(ph, framework) and subj.lower_ not in NON_MECHANISM_HEADS:
            found.add(words_of(ph), span(list(subj.subtree)), "passive", subj.i)
        return
    if subj is not None and tok.lemma_ not in RESULT_VERBS and subj.tag_ not in ("PRP",):
        agent = next((c for c in tok.children if c.dep_ == "agent"), None)
        pobj = next((g for g in agent.children if g.dep_ == "pobj"), None) if agent is not None else None
        target = subj
        if generic(phrase(subj, with_of=False), framework) and pobj is not None:
            target = pobj  # "the local model is stacked by base cell and personal cell"
        ph = phrase(target)
        if not generic(ph, framework):
            found.add([gerund(tok)] + words_of(ph), clause(tok), "action", tok.i)


def _active(tok: Token, framework: set[str], found: _Found) -> None:
    """An active verb and its object: "we propose X" (object) or "we assign X to Y" (action)."""
    objs = objects(tok)
    if not objs:
        return
    obj = objs[0]
    if obj.lower_ in NON_MECHANISM_HEADS or obj.lemma_ in NON_MECHANISM_HEADS or obj.pos_ == "PRON":
        return
    as_prep = next((c for c in tok.children if c.dep_ == "prep" and c.lower_ == "as"), None)
    as_obj = next((g for g in as_prep.children if g.dep_ == "pobj"), None) if as_prep is not None else None
    if as_obj is not None and tok.lemma_ in AS_VERBS:  # "treat X as Y": the mechanism is "X as Y"
        words = words_of(phrase(obj)) + ["as"] + words_of(phrase(as_obj, with_of=False))
        found.add(words, clause(tok), "action", tok.i)
        return
    ph = phrase(obj, with_prep=True)
    if tok.lemma_ in LIGHT_VERBS:
        _light_object(tok, obj, ph, framework, found)
    else:
        _action(tok, obj, ph, framework, found)


def _light_object(tok: Token, obj: Token, ph: list[Token], framework: set[str], found: _Found) -> None:
    """A light verb ("propose", "use"): its object names the mechanism, unless it is the framework."""
    if generic(phrase(obj, with_of=False), framework, obj) or obj.lower_ in NON_MECHANISM_HEADS:
        # the framework itself: its relative clauses are read on their own; what it is
        # built "to do" (a purpose that is no aim word) describes its mechanism
        goal = next((c for c in tok.children if c.dep_ in ("advcl", "xcomp") and is_purpose(c)
                     and c.lemma_ not in RESULT_VERBS and c.lemma_ not in LIGHT_VERBS), None)
        gobj = objects(goal)[:1] if goal is not None else []
        if goal is not None and not gobj:  # "to discover and train X": the object sits on the conjunct
            gobj = next((objects(c)[:1] for c in goal.children if c.dep_ == "conj" and objects(c)), [])
        if goal is not None and gobj and not generic(phrase(gobj[0], with_of=False), framework):
            conj = [c for c in goal.children if c.dep_ == "conj" and c.pos_ == "VERB"]
            verbs = [gerund(goal)] + (["and", gerund(conj[0])] if conj else [])
            found.add(verbs + words_of(phrase(gobj[0], with_of=False)), span(list(goal.subtree)), "purpose",
                      goal.i)
        return
    words = words_of(ph)
    purpose = next((c for c in tok.children if c.dep_ in ("advcl", "xcomp") and is_purpose(c)
                    and c.lemma_ not in RESULT_VERBS and c.lemma_ not in LIGHT_VERBS), None)
    if purpose is not None and tok.lemma_ in _USE_VERBS and len(words) <= 4:
        pobj = next((c for c in purpose.children if c.dep_ == "dobj"), None)
        if pobj is not None:
            words = words + ["for", gerund(purpose)] + words_of(phrase(pobj, with_of=False))
    found.add(words, span(list(obj.subtree)), "object", obj.i)


def _action(tok: Token, obj: Token, ph: list[Token], framework: set[str], found: _Found) -> None:
    """An own action on an object: manner adverb + gerund(s) + object (+ "to/across Y" when short)."""
    adv = [c for c in tok.children if c.dep_ == "advmod" and c.lower_.endswith("ly")
           and c.lower_ not in NOT_MANNER]
    conj = [c for c in tok.children if c.dep_ == "conj" and c.pos_ == "VERB" and not objects(c)]
    verbs = [gerund(tok)] + (["and", gerund(conj[0])] if conj else [])
    if generic(ph, framework):
        return
    words = [a.lower_ for a in adv[:1]] + verbs + words_of(ph)
    prep = next((c for c in tok.children if c.dep_ == "prep" and c.i > obj.i and c.lower_ in (
        "to", "into", "across", "among", "per", "on", "onto", "between")), None)
    target = next((g for g in prep.children if g.dep_ == "pobj"), None) if prep is not None else None
    if prep is not None and target is not None:
        extra = [prep.lower_] + words_of(phrase(target, with_of=False))
        if len(words) + len(extra) <= MAX_WORDS:
            words += extra
    found.add(words, clause(tok), "action", tok.i)
