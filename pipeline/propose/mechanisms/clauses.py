"""What a verb's clause is: the authors' own doing or not, a purpose, a result; its span and objects.

Background statements without an own subject ("techniques have been proposed"), needs and
limits ("parameters must be transmitted"), purpose clauses ("to reduce communication": the
challenge) and result clauses ("thus making ...") name no mechanism of the paper.
"""

from __future__ import annotations

from spacy.tokens import Token

from pipeline.propose.mechanisms.filters import COINED
from pipeline.propose.mechanisms.labels import PREFIX, span
from pipeline.propose.mechanisms.words import (
    COMMON_ACRONYMS,
    FL_ACTORS,
    MODAL_NEED,
    NON_MECHANISM_HEADS,
    RESULT_VERBS,
)


def own_subject(verb: Token, framework: set[str], depth: int = 0) -> bool:
    """Whether the clause of ``verb`` is the authors' own doing (we / our X / FedX / passive)."""
    head = verb
    while head.dep_ in ("conj", "xcomp", "relcl", "acl", "advcl", "ccomp", "pcomp") and head.head is not head:
        if any(c.dep_ in ("nsubj", "nsubjpass") for c in head.children):
            break
        head = head.head
    subjects = [c for c in head.children if c.dep_ in ("nsubj", "nsubjpass", "expl")]
    if head.dep_ in ("relcl", "acl"):
        # describes a noun: own when that noun is what an own verb introduces ("a framework that ...")
        noun = head.head
        for _ in range(6):
            if noun.pos_ in ("VERB", "AUX") and noun.dep_ not in ("acl", "amod") or noun.head is noun:
                break
            noun = noun.head
        return depth < 3 and noun.pos_ in ("VERB", "AUX") and noun is not verb and \
            noun.lemma_ not in RESULT_VERBS and own_subject(noun, framework, depth + 1)
    if any(c.dep_ == "aux" and c.lemma_ == "have" for c in head.children):
        return False  # "techniques have been proposed": what others did
    if not subjects:
        return head.dep_ == "ROOT" and head.tag_ in ("VBN",)  # "... is proposed" without subject
    subj = subjects[0]
    words = {t.lower_ for t in subj.subtree}
    if any(c.dep_ == "aux" and c.lower_ in MODAL_NEED for c in head.children) or \
            any(c.dep_ == "neg" for c in head.children):
        return False  # "parameters must be transmitted": a need or a limit, not the method
    if subj.lemma_.lower() in FL_ACTORS or subj.lower_ in FL_ACTORS:
        return True  # "the server aggregates ...": the federated protocol of the method
    if words & {"we", "our", "us"}:
        return True
    if any(t.text in framework for t in subj.subtree):
        return True
    if subj.dep_ == "nsubjpass":
        return subj.lower_ not in NON_MECHANISM_HEADS and subj.lemma_ not in NON_MECHANISM_HEADS
    if "its" in words and subj.pos_ in ("NOUN", "PROPN"):
        return True
    if subj.pos_ == "PROPN" and COINED.match(subj.text) and subj.text not in COMMON_ACRONYMS:
        return True  # "FedNAS incorporates ...": a named method acting
    return words <= {"it", "this", "method", "approach", "framework", "system", "algorithm", "the",
                     "proposed", "scheme", "which", "that"}


def is_purpose(verb: Token) -> bool:
    """"to reduce ...", "so as to ...", "in order to ..." clauses: the goal, not the mechanism."""
    if verb.dep_ == "conj" and verb.head is not verb and is_purpose(verb.head):
        return True  # "to discover and train ..."
    return any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children) and verb.dep_ in (
        "advcl", "xcomp", "acl", "relcl", "ccomp", "conj")


def is_result_clause(verb: Token) -> bool:
    """"thus making ...", "..., achieving ...": what the method brings about, not what it does."""
    return (verb.tag_ == "VBG" and any(c.lower_ in ("thus", "thereby", "hence", "therefore", "consequently")
                                        for c in verb.children)) or (
        verb.dep_ == "advcl" and verb.tag_ == "VBG" and verb.i > verb.head.i and verb.lemma_ in RESULT_VERBS)


def clause(verb: Token) -> tuple[int, int]:
    """The verb's clause without leading purpose / sentence adverbials (char offsets)."""
    toks = [verb]
    for c in verb.children:
        if c.dep_ in ("advcl", "punct", "cc", "conj", "mark", "advmod", "prep") and c.i < verb.i:
            continue
        if c.dep_ in ("conj", "cc") and c.i > verb.i:
            continue
        toks.extend(c.subtree)
    toks.sort(key=lambda t: t.i)
    while toks and toks[-1].is_punct:
        toks.pop()
    return span(toks)


def objects(verb: Token) -> list[Token]:
    """The verb's object head(s); records split-off pieces of a hyphenated object in ``PREFIX``."""
    objs = [c for c in verb.children if c.dep_ in ("dobj", "attr", "oprd") and c.text != "-"]
    if len(objs) > 1 and all(b.i - a.i <= 2 for a, b in zip(objs, objs[1:])):
        PREFIX[objs[-1].i] = objs[:-1]  # "sub - models" parsed as three objects: the last is the head
        objs = objs[-1:]
    elif len(objs) > 1:
        objs = objs[-1:]  # "assigns each tier a width": the direct object comes last
    for prt in (c for c in verb.children if c.dep_ == "prep" and c.lower_ in ("for", "on", "to", "with")):
        if verb.lemma_ in ("search", "rely", "focus", "depend", "build"):
            objs.extend(g for g in prt.children if g.dep_ == "pobj")
    return objs

