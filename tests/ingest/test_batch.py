"""Batched machine work and batched writes: same results as one by one, fewer calls."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from pipeline.document import Document  # noqa: E402
from pipeline.ingest import ingest_paths  # noqa: E402
from pipeline.ingest.batch import annotate_batch, propose_batch  # noqa: E402

RULES = ["challenge-rules-v1", "nastype-rules-v1"]


def _records(n: int) -> list[dict]:
    from make_synthetic import synthetic_records

    return synthetic_records(n, seed=3, with_abstract=1.0, duplicates=0.0)


def test_batched_sentences_equal_the_per_document_ones():
    from pipeline.propose.nlp import annotate

    recs = _records(25)
    recs[0]["abstract"] = "First paragraph ends here.\n\nSecond paragraph, et al. (2020) say so. Third sentence."
    one = [annotate(Document(title=r["title"], abstract=r["abstract"], text=f"{r['title']}\n\n{r['abstract']}"))
           for r in recs]
    batch = [Document(title=r["title"], abstract=r["abstract"]) for r in recs]
    annotate_batch(batch)
    for a, b in zip(one, batch):
        assert a.text == b.text
        assert [(s.text, s.start, s.end, s.section, s.page) for s in a.sentences] == \
               [(s.text, s.start, s.end, s.section, s.page) for s in b.sentences]


class CountingModel:
    """The real sentence-transformers model, counting how often it is asked to encode."""

    def __init__(self, model) -> None:
        self.model, self.calls = model, 0

    def encode(self, *args, **kwargs):
        self.calls += 1
        return self.model.encode(*args, **kwargs)


def test_one_embedding_call_per_batch_of_records(tmp_path):
    from pipeline.propose import ProposalContext, default_proposers, embed

    emb = embed.Embedder(cache_dir=tmp_path / "emb")
    real = emb.model
    counting = CountingModel(real)
    embed._MODELS[emb.model_path] = counting
    try:
        recs = _records(24)
        context, proposers = ProposalContext(embedder=emb), default_proposers()
        # the first batch also embeds the proposers' fixed texts (code descriptions), once per process
        propose_batch([Document(title=r["title"], abstract=r["abstract"]) for r in recs[:12]], context, proposers, "a")
        counting.calls = 0
        docs = [Document(title=r["title"], abstract=r["abstract"]) for r in recs[12:]]
        pairs, problems, _ = propose_batch(docs, context, proposers, "export.bib")
        assert problems == [] and len(pairs) == 12 and sum(len(p) for _, p in pairs) > 0
        assert counting.calls == 1  # every record sentence in one call; the proposers hit the cache
    finally:
        embed._MODELS[emb.model_path] = real


def _files(tmp_path):
    from make_synthetic import write_bibtex

    recs = _records(5)
    return [write_bibtex(recs[:3], tmp_path / "a.bib"), write_bibtex(recs[3:4], tmp_path / "b.bib"),
            write_bibtex(recs[4:], tmp_path / "c.bib")]


def test_one_transaction_per_batch_of_records(seeded_store, tmp_path, monkeypatch):
    files = _files(tmp_path)
    commits: list[int] = []
    real_commit = type(seeded_store).commit

    def counting_commit(self, tx):
        commits.append(len(tx.inserts))
        return real_commit(self, tx)

    monkeypatch.setattr(type(seeded_store), "commit", counting_commit)
    summary = ingest_paths(seeded_store, files, proposer_names=RULES, progress=False, batch_size=2)
    # a.bib's 3 records: 2 + 1; the second batch takes b.bib's record too; c.bib's record is the third
    assert len(commits) == 3 and summary.counts()["new"] == 5
    again = ingest_paths(seeded_store, files, proposer_names=RULES, progress=False, batch_size=2)
    assert len(commits) == 3 and again.counts()["unchanged"] == 5  # nothing to write: no transaction


def test_a_file_over_several_transactions_is_still_all_or_nothing(seeded_store, tmp_path, monkeypatch):
    from pipeline.errors import StoreError

    files = _files(tmp_path)
    before = seeded_store.canonical_dump()
    real_commit = type(seeded_store).commit
    calls = []

    def second_write_fails(self, tx):  # the real store, with its second ingest write refused
        calls.append(len(tx.inserts))
        if len(calls) == 2:
            raise StoreError("disk full (injected)")
        return real_commit(self, tx)

    monkeypatch.setattr(type(seeded_store), "commit", second_write_fails)
    summary = ingest_paths(seeded_store, files[:2], proposer_names=RULES, progress=False, batch_size=2)
    # batch 1 (a.bib's first 2 records) was committed, batch 2 (a's third + b's) failed: both files are undone
    assert sorted(Path(f).name for f, _ in summary.failed) == ["a.bib", "b.bib"]
    assert summary.counts()["records"] == 0 and all("disk full" in why for _, why in summary.failed)
    monkeypatch.setattr(type(seeded_store), "commit", real_commit)
    assert seeded_store.canonical_dump() == before
    again = ingest_paths(seeded_store, files, proposer_names=RULES, progress=False, batch_size=2)
    assert again.ok and again.counts()["new"] == 5


@pytest.mark.parametrize("writer", ["write_bibtex", "write_ris"])
def test_generated_exports_read_back_with_their_fields(tmp_path, writer):
    import make_synthetic

    from pipeline.sources import read_path

    recs = make_synthetic.synthetic_records(40, seed=1)
    path = getattr(make_synthetic, writer)(recs, tmp_path / ("x.bib" if writer == "write_bibtex" else "x.ris"))
    result = read_path(path)
    assert result.problems == [] and len(result.documents) == 40
    for r, d in zip(recs, result.documents):
        assert d.title == r["title"] and d.year == r["year"] and (d.doi or None) == (r["doi"] or None)
        assert (d.arxiv or None) == (r["arxiv"] or None) and d.abstract == r["abstract"]
        assert len(d.authors) == len(r["authors"])


def _count_parses(monkeypatch) -> list[int]:
    """Texts per call of the English parser's ``pipe`` (the real parser runs on)."""
    from pipeline.propose.nlp import get_parser

    parser = get_parser()
    calls: list[int] = []
    real_pipe = parser.pipe

    def counting_pipe(texts, *args, **kwargs):
        texts = list(texts)
        calls.append(len(texts))
        return real_pipe(texts, *args, **kwargs)

    monkeypatch.setattr(parser, "pipe", counting_pipe)
    return calls


def test_the_parser_runs_once_per_batch_of_records(seeded_store, tmp_path, monkeypatch):
    """Through a real ingest with the default proposers (two of them read the parse): one parser
    pass per batch of records, not one per record and proposer."""
    calls = _count_parses(monkeypatch)
    summary = ingest_paths(seeded_store, _files(tmp_path), progress=False, batch_size=2)
    assert summary.ok and summary.counts()["new"] == 5
    # a.bib's 3 records in batches of 2 + 1, b.bib's and c.bib's one record each: 4 batches
    assert len(calls) == 4 and all(n > 0 for n in calls)


def test_batch_parses_change_no_proposal(monkeypatch):
    """The proposers handed the batch's parses propose exactly what each makes parsing alone."""
    from pipeline.propose import ProposalContext, default_proposers

    recs = _records(6)
    context, proposers = ProposalContext(), default_proposers()
    calls = _count_parses(monkeypatch)
    pairs, problems, _ = propose_batch([Document(title=r["title"], abstract=r["abstract"]) for r in recs],
                                       context, proposers, "a.bib")
    assert problems == [] and len(calls) == 1
    got = [(p.proposer, p.code, p.label, p.score, p.start, p.end, p.rationale) for _, props in pairs for p in props]
    want = []
    for r in recs:
        doc = Document(title=r["title"], abstract=r["abstract"])
        by_proposer = {p.name: p.propose(doc, context) for p in proposers}
        want += [(p.proposer, p.code, p.label, p.score, p.start, p.end, p.rationale)
                 for proposer in proposers for p in by_proposer[proposer.name]]
    assert got == want and any(p[0] == "technique-open-v3" for p in got)


def test_the_parse_filter_changes_no_proposal():
    """Parsing only the sentences a parse-reading rule can use (``parse_wanted``) proposes exactly
    what parsing every sentence does, on the development abstracts and generated records."""
    import json

    from pipeline.propose import ProposalContext, default_proposers
    from pipeline.propose.base import document_from_record

    dev = Path(__file__).resolve().parents[3] / "shared" / "dev-gold" / "abstracts.jsonl"
    recs = [json.loads(line) for line in dev.read_text().splitlines()] if dev.is_file() else []
    recs += _records(40)

    def run(filtered: bool) -> list[tuple]:
        proposers = default_proposers()
        for p in proposers:
            if hasattr(p, "parse_filter"):
                p.parse_filter = filtered
        docs = [document_from_record(r) for r in recs]
        pairs, problems, _ = propose_batch(docs, ProposalContext(), proposers, "a.bib")
        assert problems == []
        return [(p.proposer, p.code, p.score, p.start, p.end, p.rationale) for _, props in pairs for p in props]

    assert run(True) == run(False) != []


def test_the_lemma_trigger_finds_every_token_of_its_words():
    """A sentence the trigger skips has no token whose lower form or lemma is a trigger word."""
    from pipeline.propose import frames, goals
    from pipeline.propose.nlp import lemma_trigger, parse

    words = frozenset().union(*(f.words for f in frames.FAMILIES)) | goals.TRIGGER_WORDS
    texts = [s for r in _records(30) for s in r["abstract"].split(". ")]
    texts += ["The devices varies widely.", "We overcame the bottlenecks.", "Costs were lower.", "A resource-aware plan."]
    trigger = lemma_trigger(words)
    for text, doc in zip(texts, parse(texts)):
        if any(t.lower_ in words or t.lemma_.lower() in words or t.lower_.endswith("-aware") for t in doc):
            assert trigger.search(text.lower()), text
