"""End-to-end ingest of a ~10-page two-column PDF vs. the raw embedding floor.

Run on demand (not part of the tests)::

    .venv/bin/python bench/bench_ingest.py [--pages 10] [--tracemalloc] [--profile N] [--device cpu]

1. Typesets the text of ``corpus/seeds/001-xu-fednas.md`` with typst into a
   two-column A4 PDF of about ``--pages`` pages (the text is repeated, with
   numbered parts, until the page count is reached) and caches it under
   ``bench/out/`` (gitignored).
2. Loads the embedding model once (untimed), seeds a temporary store, then times
   ``ingest_paths(store, [pdf], workers=1)`` with a cold embedding cache.
3. Times the floor: reading nothing, parsing nothing -- just ``model.encode`` of
   the sentences the ingest splits out of that PDF (same model, same batch size,
   same longest-first order as ``Embedder.encode``), in the same process.
4. Prints pages/s, sentences/s, end-to-end time, floor time, their ratio, and peak
   memory (``ru_maxrss``; with ``--tracemalloc``, the Python-heap peak of a second,
   untimed ingest into a fresh store). ``--profile N`` adds a cProfile run (into a
   fresh store) and prints the top N functions by cumulative and by own time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import re
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

OUT = ROOT / "bench" / "out"
SEED = ROOT / "corpus" / "seeds" / "001-xu-fednas.md"
HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*$")
CPU: list[float] = []  # process CPU seconds of each timed step, in order (robust to a busy machine)


# ---- the PDF ----------------------------------------------------------------------

def _plain(s: str) -> str:
    s = re.sub(r"<(https?://[^>]+)>", r"\1", s)
    s = re.sub(r"(\*\*|__|\*)(\S.*?\S|\S)\1", r"\2", s)
    return s.replace("\\", "\\\\").replace('"', '\\"')


def typst_source(md: str, repeats: int) -> str:
    """Two-column typst source: the paper's title, then its body ``repeats`` times."""
    lines = md.split("\n")
    title = next(m.group(2) for ln in lines if (m := HEADING.match(ln)))
    body: list[str] = []
    para: list[str] = []

    def flush():
        if para:
            text = " ".join(p.strip() for p in para).strip()
            text = re.sub(r"^[-*+]\s+", "", text)
            if text:
                body.append(f'#text("{_plain(text)}")\n')
            para.clear()

    started = False
    for ln in lines:
        m = HEADING.match(ln)
        if m and m.group(2) == title:
            started = True
            continue
        if not started:
            continue
        if m:
            flush()
            body.append(f'#heading(level: {min(len(m.group(1)) - 1, 3) or 1}, "{_plain(m.group(2))}")\n')
        elif not ln.strip():
            flush()
        elif ln.lstrip().startswith(("- ", "* ")):
            flush()
            para.append(ln)
        else:
            para.append(ln)
    flush()
    # one reference list at the end: keep it (the reader must cut it out), repeat only the body
    refs_at = next(i for i, b in enumerate(body) if "REFERENCES" in b and b.startswith("#heading"))
    main, refs = body[:refs_at], body[refs_at:]
    parts = []
    for r in range(repeats):
        if r:
            parts.append(f'#heading(level: 1, "Part {r + 1}")\n')
        parts += main
    return f"""#set page(paper: "a4", margin: (x: 1.7cm, y: 2cm), columns: 2, numbering: "1")
#set text(size: 10pt)
#set par(justify: true)
#place(top + center, scope: "parent", float: true)[
  #align(center)[#text(17pt, weight: "bold")["{_plain(title)}"]]
  #v(4pt)
  #align(center)[Mengwei Xu, Yuxin Zhao, Kaigui Bian, Gang Huang, Qiaozhu Mei, Xuanzhe Liu]
  #v(8pt)
]
{chr(10).join(parts)}
{chr(10).join(refs)}
"""


def build_pdf(target_pages: int) -> tuple[Path, int]:
    """The cached benchmark PDF (rebuilt when missing) and its page count."""
    import fitz  # pymupdf, already a dependency of the PDF reader
    import typst

    OUT.mkdir(parents=True, exist_ok=True)
    pdf = OUT / f"fednas-{target_pages}p.pdf"
    if pdf.exists():
        with fitz.open(pdf) as d:
            return pdf, d.page_count
    md = SEED.read_text(encoding="utf-8")
    repeats, pages = 1, 0
    while True:
        src = OUT / f"fednas-{target_pages}p.typ"
        src.write_text(typst_source(md, repeats), encoding="utf-8")
        typst.compile(str(src), output=str(pdf))
        with fitz.open(pdf) as d:
            pages = d.page_count
        if pages >= target_pages - 1 or repeats >= 8:
            return pdf, pages
        repeats += 1


# ---- measurements -----------------------------------------------------------------

def fresh_store(base: Path, name: str):
    from pipeline.store import open_store
    from pipeline.store.corpus import init_store

    path = base / name
    store = open_store(path)
    init_store(store)
    return store


def sentences_of(pdf: Path) -> list[str]:
    """The sentences ``ingest`` embeds for this PDF (what the proposers see)."""
    from pipeline.propose.nlp import annotate
    from pipeline.sources import read_path

    doc = read_path(pdf).documents[0]
    annotate(doc)
    return [s.text for s in doc.sentences if s.text.strip()]


def floor_seconds(model, texts: list[str], batch_size: int) -> float:
    """Raw ``model.encode`` time of ``texts``, as ``Embedder.encode`` batches them."""
    todo = sorted(dict.fromkeys(texts), key=len, reverse=True)
    t0, c0 = time.perf_counter(), time.process_time()
    model.encode(todo, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True,
                 show_progress_bar=False)
    CPU.append(time.process_time() - c0)
    return time.perf_counter() - t0


def _copy_cache_without(src_dir: Path, dst_dir: Path, texts: list[str]) -> None:
    """Copy an embedding cache, dropping the vectors of ``texts`` (they stay cold)."""
    import sqlite3

    from pipeline.propose.embed import EmbeddingCache, text_key

    EmbeddingCache(dst_dir)  # creates the table
    src, dst = sqlite3.connect(src_dir / "embeddings.sqlite"), sqlite3.connect(dst_dir / "embeddings.sqlite")
    with dst:
        src.backup(dst)
        dst.executemany("DELETE FROM vec WHERE key = ?", [(text_key(t),) for t in texts])
    src.close()
    dst.close()


def _cache_keys(cache_dir: Path) -> set[str]:
    import sqlite3

    con = sqlite3.connect(cache_dir / "embeddings.sqlite")
    try:
        return {k for (k,) in con.execute("SELECT key FROM vec")}
    finally:
        con.close()


def ingest_once(store, pdf: Path) -> float:
    from pipeline.ingest import ingest_paths

    t0, c0 = time.perf_counter(), time.process_time()
    summary = ingest_paths(store, [pdf], workers=1, progress=False)
    dt = time.perf_counter() - t0
    CPU.append(time.process_time() - c0)
    if not summary.ok or not summary.ingested:
        raise SystemExit("ingest failed:\n" + "\n".join(summary.lines()))
    return dt


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=int, default=10)
    ap.add_argument("--device", default="cpu", help="embedding device (the floor is a CPU floor by default)")
    ap.add_argument("--tracemalloc", action="store_true", help="also measure the Python-heap peak (extra run)")
    ap.add_argument("--profile", type=int, default=0, metavar="N", help="cProfile an extra run; print top N")
    ap.add_argument("--json", type=Path, help="also write the numbers to this file")
    args = ap.parse_args(argv)

    from pipeline.propose import embed

    pdf, pages = build_pdf(args.pages)
    base = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    try:
        # load the model once, untimed, on the chosen device (ingest reuses the process-wide one)
        embedder = embed.Embedder(device=args.device)
        model = embedder.model
        model.encode(["warm-up sentence for the benchmark."], show_progress_bar=False)
        rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

        texts = sentences_of(pdf)
        floor_before = floor_seconds(model, texts, embedder.batch_size)

        store = fresh_store(base, "store")  # cold embedding cache: a new store directory
        e2e = ingest_once(store, pdf)
        rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        cache_dir = Path(store.location) / "embeddings"
        cache_rows = len(embed.EmbeddingCache(cache_dir))

        # steady state: a store that has ingested a paper before has the codebook/exemplar
        # vectors cached; only this paper's sentences are cold
        store_w = fresh_store(base, "store-warm")
        _copy_cache_without(cache_dir, Path(store_w.location) / "embeddings", texts)
        e2e_warm = ingest_once(store_w, pdf)

        floor_after = floor_seconds(model, texts, embedder.batch_size)
        floor = min(floor_before, floor_after)
        cpu_floor_before, cpu_e2e, cpu_warm, cpu_floor_after = CPU[:4]
        cpu_floor = min(cpu_floor_before, cpu_floor_after)
        # the proposers may embed only some sentences: the floor of exactly those, too
        cached = _cache_keys(cache_dir)
        used = [t for t in texts if embed.text_key(t) in cached]
        floor_used = floor_seconds(model, used, embedder.batch_size) if used else 0.0

        out = {
            "pdf": str(pdf.relative_to(ROOT)), "pages": pages, "sentences": len(texts),
            "unique_sentences": len(set(texts)), "texts_embedded_by_ingest": cache_rows,
            "device": str(model.device), "torch_threads": _torch_threads(),
            "end_to_end_s": round(e2e, 3), "embedding_floor_s": round(floor, 3),
            "embedding_floor_runs_s": [round(floor_before, 3), round(floor_after, 3)],
            "ratio": round(e2e / floor, 3), "pages_per_s": round(pages / e2e, 3),
            "sentences_per_s": round(len(texts) / e2e, 1),
            "end_to_end_warm_codebook_s": round(e2e_warm, 3), "ratio_warm_codebook": round(e2e_warm / floor, 3),
            "cpu_end_to_end_s": round(cpu_e2e, 2), "cpu_embedding_floor_s": round(cpu_floor, 2),
            "cpu_warm_codebook_s": round(cpu_warm, 2), "cpu_ratio": round(cpu_e2e / cpu_floor, 3),
            "cpu_ratio_warm_codebook": round(cpu_warm / cpu_floor, 3),
            "sentences_embedded_by_ingest": len(used), "embedding_floor_of_those_s": round(floor_used, 3),
            "ratio_vs_embedded_floor": round(e2e / floor_used, 3) if floor_used else None,
            "ratio_warm_vs_embedded_floor": round(e2e_warm / floor_used, 3) if floor_used else None,
            "peak_rss_mib": round(rss1 / 1024, 1), "rss_after_model_load_mib": round(rss0 / 1024, 1),
        }
        if args.tracemalloc:
            store2 = fresh_store(base, "store-tm")
            tracemalloc.start()
            ingest_once(store2, pdf)
            out["tracemalloc_peak_mib"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
            tracemalloc.stop()
        _print(out)
        if args.profile:
            store3 = fresh_store(base, "store-prof")
            prof = cProfile.Profile()
            prof.enable()
            ingest_once(store3, pdf)
            prof.disable()
            for key in ("cumulative", "tottime"):
                buf = io.StringIO()
                pstats.Stats(prof, stream=buf).strip_dirs().sort_stats(key).print_stats(args.profile)
                print(f"\n--- cProfile, top {args.profile} by {key} ---")
                print("\n".join(ln for ln in buf.getvalue().splitlines() if ln.strip()))
        if args.json:
            args.json.write_text(json.dumps(out, indent=2))
    finally:
        shutil.rmtree(base, ignore_errors=True)
    return 0


def _torch_threads() -> int | None:
    try:
        import torch

        return torch.get_num_threads()
    except Exception:  # pragma: no cover
        return None


def _print(out: dict) -> None:
    print(f"PDF            {out['pdf']}  ({out['pages']} pages, {out['sentences']} sentences, "
          f"{out['texts_embedded_by_ingest']} texts embedded by ingest incl. codebook/exemplars)")
    print(f"device         {out['device']}  (torch threads: {out['torch_threads']})")
    print(f"end-to-end     {out['end_to_end_s']:.2f} s   ({out['pages_per_s']:.2f} pages/s, "
          f"{out['sentences_per_s']:.1f} sentences/s)")
    print(f"embed floor    {out['embedding_floor_s']:.2f} s   (model.encode of the same sentences, cold)")
    print(f"embed floor    runs: {out['embedding_floor_runs_s']} s (before / after the ingests; min used)")
    print(f"ratio          {out['ratio']:.2f}x  (wall clock; cold cache: constant texts come from the shipped vectors)")
    print(f"steady state   {out['end_to_end_warm_codebook_s']:.2f} s, ratio {out['ratio_warm_codebook']:.2f}x "
          f"(codebook/exemplar vectors cached, this paper's sentences cold)")
    if out.get("ratio_vs_embedded_floor") is not None:
        print(f"embedded only  {out['sentences_embedded_by_ingest']} of the sentences are embedded by the proposers; "
              f"their floor {out['embedding_floor_of_those_s']:.2f} s -> ratio {out['ratio_vs_embedded_floor']:.2f}x "
              f"cold, {out['ratio_warm_vs_embedded_floor']:.2f}x steady state")
    print(f"CPU time       end-to-end {out['cpu_end_to_end_s']:.1f} s, steady state {out['cpu_warm_codebook_s']:.1f} s, "
          f"floor {out['cpu_embedding_floor_s']:.1f} s -> ratio {out['cpu_ratio']:.2f}x cold, "
          f"{out['cpu_ratio_warm_codebook']:.2f}x steady state (process CPU; aim <= 1.5x cold, issue 10)")
    print(f"peak memory    {out['peak_rss_mib']:.0f} MiB RSS (after model load: {out['rss_after_model_load_mib']:.0f} MiB)"
          + (f", Python heap peak {out['tracemalloc_peak_mib']:.1f} MiB" if "tracemalloc_peak_mib" in out else ""))


if __name__ == "__main__":
    raise SystemExit(main())
