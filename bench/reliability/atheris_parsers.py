"""Coverage-guided fuzzing of the readers (PDF, BibTeX, RIS, Markdown/text) with atheris.

A reader may refuse an input only with InputError (one line) or return problems; any other exception
is a crash. Bench-only dependency: `.venv/bin/pip install atheris` (never imported by tests/).

    .venv/bin/python bench/reliability/atheris_parsers.py --reader bibtex -- -runs=20000 -max_len=4096
    .venv/bin/python bench/reliability/atheris_parsers.py --reader pdf -- -runs=2000 -max_total_time=300
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

import atheris
from _common import relkit

with atheris.instrument_imports():
    from pipeline.errors import AtlasError
    from pipeline.sources import read_path

ap = argparse.ArgumentParser()
ap.add_argument("--reader", choices=["pdf", "bibtex", "ris", "text"], default="bibtex")
ap.add_argument("--slow-s", type=float, default=10.0, help="report an input slower than this as a hang")
args, rest = ap.parse_known_args()
SUFFIX = {"pdf": ".pdf", "bibtex": ".bib", "ris": ".ris", "text": ".md"}[args.reader]
TMP = Path(tempfile.mkdtemp()) / f"input{SUFFIX}"
stats = {"inputs": 0, "hangs": 0, "refused": 0}


def one(data: bytes) -> None:
    stats["inputs"] += 1
    TMP.write_bytes(data)
    t0 = time.monotonic()
    try:
        read_path(TMP)
    except AtlasError as e:
        stats["refused"] += 1
        assert "\n" not in e.message, "an error message of more than one line"
    if time.monotonic() - t0 > args.slow_s:
        stats["hangs"] += 1
        (Path("atheris-slow-" + str(stats["hangs"]) + SUFFIX)).write_bytes(data)
    if stats["inputs"] % 1000 == 0:
        print(f"atheris-{args.reader}: inputs={stats['inputs']} refused={stats['refused']} hangs={stats['hangs']}",
              file=sys.stderr)


if __name__ == "__main__":
    corpus = Path(tempfile.mkdtemp())  # seed corpus: the fixed hostile inputs of this reader's kind
    for name, data in relkit.hostile_inputs(big_field=4096, many_pages=3):
        if name.endswith(SUFFIX) or (args.reader == "text" and name.endswith(".txt")):
            (corpus / name).write_bytes(data)
    import atexit

    # atheris exits the process itself: a crash (uncaught exception) is reported by libFuzzer with its input
    atexit.register(lambda: print(f"atheris-{args.reader}: inputs={stats['inputs']} hangs={stats['hangs']} "
                                  f"refused={stats['refused']} (crashes: libFuzzer's report above, 0 if none)",
                                  flush=True))
    if not any(a.startswith("-artifact_prefix=") for a in rest):  # crash-* files go to bench/out/atheris/
        out = relkit.ROOT / "bench" / "out" / "atheris"
        out.mkdir(parents=True, exist_ok=True)
        rest.append(f"-artifact_prefix={out}/{args.reader}-")
    atheris.Setup([sys.argv[0], *rest, str(corpus)], one)
    atheris.Fuzz()
