"""The 2-7 word label of a mechanism: its compact noun phrase, gerunds, the words as written.

``phrase`` keeps a head's modifiers, one "of X" (and one other preposition) and one conjunct,
rejoins what the tokenizer split inside a written word ("sub-models"), and drops determiners
and parentheses; ``label`` trims the words to at most seven, without dangling function words.
"""

from __future__ import annotations

import re

from spacy.tokens import Token

from pipeline.propose.mechanisms.words import MAX_WORDS

#: Per sentence: object head -> tokens split off before it ("sub - models" parsed as three
#: objects); filled by ``clauses.objects``, cleared for each sentence by ``shapes.mechanisms``.
PREFIX: dict[int, list[Token]] = {}


def phrase(head: Token, with_of: bool = True, with_prep: bool = False) -> list[Token]:
    """The compact noun phrase of ``head``: modifiers, the head, one 'of X' (and one other prep)."""
    keep: list[Token] = list(PREFIX.get(head.i, ()))
    for c in head.lefts:
        if c.dep_ in ("amod", "compound", "nmod", "npadvmod", "nummod", "advmod", "poss", "quantmod") \
                and c.lower_ not in ("its", "their", "our", "his", "her", "each", "every", "this", "these") \
                and not c.like_num:
            keep.extend(t for t in c.subtree if not t.is_punct or t.text == "-")
    keep.append(head)
    for c in head.rights:
        if c.dep_ == "prep" and ((with_of and c.lower_ == "of") or (with_prep and c.lower_ in (
                "for", "to", "on", "with", "across", "from", "into", "over", "per", "among", "between"))):
            pobj = next((g for g in c.children if g.dep_ == "pobj"), None)
            if pobj is not None:
                keep.append(c)
                keep.extend(t for t in phrase(pobj, with_of=False))
                with_of = with_prep = False
    for c in head.children:  # "architectures and hyperparameters": one conjunct joins the phrase
        if c.dep_ == "conj" and c.pos_ in ("NOUN", "PROPN") and c.i > head.i and with_of:
            cc = [g for g in head.children if g.dep_ == "cc" and head.i < g.i < c.i]
            keep.extend(cc[:1])
            for t in c.lefts:
                if t.dep_ in ("amod", "compound", "nmod", "npadvmod"):
                    keep.extend(t.subtree)
            keep.extend(t for t in c.subtree if t.i < c.i and t.text == "-")
            keep.append(c)
            break
    kept = set(keep)
    doc = head.doc
    for t in list(kept):  # hyphen infixes: "fine - tuning", "sub - models"
        if t.i + 2 < len(doc) and doc[t.i + 1].text == "-" and doc[t.i + 2] in kept:
            kept.add(doc[t.i + 1])
    for t in sorted(kept, key=lambda t: t.i):  # pieces of one written word split by the tokenizer
        j = t.i
        while j > 0 and not doc[j - 1].whitespace_ and (doc[j - 1].is_alpha or doc[j - 1].text == "-"):
            kept.add(doc[j - 1])
            j -= 1
        j = t.i
        while j + 1 < len(doc) and not doc[j].whitespace_ and (doc[j + 1].is_alpha or doc[j + 1].text == "-"):
            kept.add(doc[j + 1])
            j += 1
    ordered = sorted(kept, key=lambda t: t.i)
    return [t for t in ordered if t.pos_ != "DET" and t.dep_ != "det" and not in_parens(t)]


def in_parens(tok: Token) -> bool:
    doc = tok.doc
    left = [t.text for t in doc[max(0, tok.i - 6):tok.i]]
    right = [t.text for t in doc[tok.i + 1:tok.i + 7]]
    return ("(" in left and ")" not in left[left.index("(") if "(" in left else 0:]) and ")" in right \
        or tok.text in "()"


def words_of(tokens: list[Token]) -> list[str]:
    """Words of a token list, rejoining what the tokenizer split inside a word ("sub-models")."""
    out: list[str] = []
    prev: Token | None = None
    for t in tokens:
        glued = prev is not None and prev.i + 1 == t.i and not prev.whitespace_
        if out and glued:
            out[-1] += t.text
        else:
            out.append(t.text)
        prev = t
    return [w for w in out if w not in ("-", ",")]


def label(words: list[str]) -> str:
    """The label from its words: at most seven, no dangling function word, lower-case start."""
    words = [w for w in words if w.strip() and w.lower() != "only"]
    # a sentence-initial capital is no name: "Candidates" -> "candidates" (acronyms and CamelCase stay)
    words = [w[:1].lower() + w[1:] if w[:1].isupper() and w[1:].islower() and i else w for i, w in enumerate(words)]
    while words and words[-1].lower() in ("of", "to", "for", "and", "or", "with", "on", "in", "the", "a"):
        words.pop()
    words = words[:MAX_WORDS]
    while words and words[-1].lower() in ("of", "to", "for", "and", "or", "with", "on", "in", "the", "a"):
        words.pop()
    text = " ".join(words)
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def gerund(verb: Token) -> str:
    lemma = verb.lemma_.lower()
    if lemma.endswith("ie"):
        return lemma[:-2] + "ying"
    if lemma.endswith("e") and not lemma.endswith(("ee", "ye", "oe")):
        return lemma[:-1] + "ing"
    if re.match(r".*[^aeiou][aeiou][bdgmnpt]$", lemma) and len(lemma) <= 4 or \
            lemma.endswith(("mit", "fer", "pel", "trol", "cur")):
        return lemma + lemma[-1] + "ing"
    return lemma + "ing"


def span(tokens: list[Token]) -> tuple[int, int]:
    return tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)

