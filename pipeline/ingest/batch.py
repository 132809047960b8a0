"""Machine work for many documents at once: sentences, embeddings, proposals.

Database records (title + abstract) are split into sentences by one spaCy
``pipe`` over the whole batch, the sentences a proposer reads the parse of parsed (tagger,
dependency parser) by one more ``pipe`` and embedded by one call to the embedder; the proposers that
read the parse get the batch's parses (``parses=``, by sentence text) and find
every vector in the embedder's cache, so no sentence is parsed or embedded twice. Full texts (sections, pages)
keep the per-document path, where proposers embed only the sentences they need.
"""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.document import Document, Proposal, Sentence
from pipeline.errors import AtlasError

MAX_ABSTRACT = 100_000  # characters; no real abstract comes close
MAX_TEXT = 3_000_000  # characters; about a 600-page book
PARAGRAPH = re.compile(r"\n[ \t]*\n\s*")  # a blank line always ends a sentence (as pipeline.propose.nlp)


def cap_sizes(doc: Document, name: str) -> list[str]:
    """Cut absurd field sizes (a 10 MB abstract) so that mining stays linear and bounded."""
    notes = []
    if len(doc.abstract) > MAX_ABSTRACT:
        notes.append(f"{name}: {doc.title[:60]!r}: abstract of {len(doc.abstract)} characters cut to {MAX_ABSTRACT}")
        doc.abstract = doc.abstract[:MAX_ABSTRACT]
        if not doc.sections:  # a database record: its text is title + abstract
            doc.text = f"{doc.title}\n\n{doc.abstract}".strip()
    if len(doc.text) > MAX_TEXT:
        notes.append(f"{name}: {doc.title[:60]!r}: text of {len(doc.text)} characters cut to {MAX_TEXT}")
        doc.text = doc.text[:MAX_TEXT]
    return notes


def is_record(doc: Document) -> bool:
    """A database record: title + abstract, no sections and no pages."""
    return not doc.sections and not doc.page_starts


def _paragraphs(text: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    for m in PARAGRAPH.finditer(text):
        out.append((pos, text[pos:m.start()]))
        pos = m.end()
    out.append((pos, text[pos:]))
    return [(off, b) for off, b in out if b.strip()]


def annotate_batch(docs: list[Document]) -> None:
    """Fill ``sentences`` of every document; records share one parser pass."""
    from pipeline.propose.nlp import annotate, get_nlp

    records = []
    for doc in docs:
        if not doc.text and is_record(doc):
            doc.text = "\n\n".join(x for x in (doc.title, doc.abstract) if x)
        if is_record(doc):
            records.append(doc)
        else:
            annotate(doc)
    blocks = [(doc, off, text) for doc in records for off, text in _paragraphs(doc.text)]
    for doc in records:
        doc.sentences = []
    for (doc, offset, _), parsed in zip(blocks, get_nlp().pipe(text for _, _, text in blocks)):
        for sent in parsed.sents:
            toks = [t for t in sent if not t.is_space]
            if toks:
                start, end = offset + toks[0].idx, offset + toks[-1].idx + len(toks[-1].text)
                doc.sentences.append(Sentence(text=doc.text[start:end], start=start, end=end))


def batch_sentences(docs: list[Document]) -> list[str]:
    """The sentences of the records of a batch, as the proposers will embed them."""
    return [s.text for doc in docs if is_record(doc) for s in doc.sentences if s.text.strip()]


def propose_batch(docs: list[Document], context, proposers, name: str) -> tuple[list[tuple[Document, list[Proposal]]], list[str], list[str]]:  # noqa: E501
    """(document, proposals) for each document, problems and notes; one embedding call for the records."""
    notes: list[str] = []
    for doc in docs:
        notes += cap_sizes(doc, name)
    annotate_batch(docs)
    texts = batch_sentences(docs)
    parses = parse_batch(docs, texts, proposers, context)
    if texts and context is not None and any(getattr(p, "model", "rules") != "rules" for p in proposers):
        for proposer in proposers:  # what a proposer embeds beyond the sentences (e.g. open-code labels)
            if hasattr(proposer, "batch_texts"):
                texts += [t for doc in docs for t in proposer.batch_texts(doc, context, **_parsed(proposer, parses))]
        context.get_embedder().encode(texts)  # fills the embedder's cache for the proposers below
    out: list[tuple[Document, list[Proposal]]] = []
    problems: list[str] = []
    for doc in docs:
        proposals = run_proposers(doc, context, proposers, name, problems, parses)
        doc.sentences = []  # not stored; keeps results small between processes
        out.append((doc, proposals))
    return out, problems, notes


def parse_batch(docs: list[Document], texts: list[str], proposers, context=None) -> dict | None:
    """The parses of a batch's record sentences, by text: one parser pass for the whole batch,
    handed to every proposer that reads the parse (``reads_parse``); None when none does.

    Only the sentences some proposer will read the parse of are parsed: a proposer with
    ``parse_wanted(doc, context)`` names them (the parse is the slowest step after the embedding,
    and most sentences of a database export trigger no parse-reading rule); one without it gets
    every sentence of the record parsed, as before."""
    readers = [p for p in proposers if getattr(p, "reads_parse", False)]
    if not texts or not readers:
        return None
    from pipeline.propose.base import ProposalContext
    from pipeline.propose.nlp import parse_texts

    context = context if context is not None else ProposalContext()
    wanted: list[str] = []
    for doc in docs:
        if not is_record(doc):
            continue
        for proposer in readers:
            ask = getattr(proposer, "parse_wanted", None)
            wanted += ask(doc, context) if ask is not None else [s.text for s in doc.sentences if s.text.strip()]
    return parse_texts(wanted)


def _parsed(proposer, parses: dict | None) -> dict:
    """``parses=`` for a proposer that takes them (other proposers, plugins too, are called as before)."""
    return {"parses": parses} if parses is not None and getattr(proposer, "reads_parse", False) else {}


def run_proposers(doc: Document, context, proposers, name: str, problems: list[str],
                  parses: dict | None = None) -> list[Proposal]:
    """Every proposer's proposals for ``doc``, in the order of ``proposers``.

    A proposer that another one reads (its ``ties_from``: the technique proposer ties its codes
    to the challenge proposer's proposals) runs first, and its proposals for this document are
    passed on (``challenges=``) instead of being made a second time. ``parses``: the batch's
    parses (:func:`parse_batch`), passed to the proposers that read the parse."""
    wanted = {getattr(p, "ties_from", None) for p in proposers}
    order = sorted(range(len(proposers)), key=lambda i: proposers[i].name not in wanted)
    made: dict[int, list[Proposal]] = {}
    by_name: dict[str, list[Proposal]] = {}
    for i in order:
        proposer = proposers[i]
        source = getattr(proposer, "ties_from", None)
        try:
            if source is not None and source in by_name:
                made[i] = proposer.propose(doc, context, challenges=by_name[source], **_parsed(proposer, parses))
            else:
                made[i] = proposer.propose(doc, context, **_parsed(proposer, parses))
        except AtlasError as e:
            problems.append(f"{Path(name).name}: proposer {proposer.name}: {e.message}")
            continue
        by_name.setdefault(proposer.name, made[i])
    return [p for i in range(len(proposers)) for p in made.get(i, [])]
