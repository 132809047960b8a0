"""Reliability kit: hostile inputs, a forking CLI runner, store invariants and worker roles.

Shared by ``tests/reliability`` (small fixed counts) and ``bench/reliability`` (big counts).
Run as a script it plays one role in its own process:

    python relkit.py driver                      # forking CLI runner (JSON lines on stdin/stdout)
    python relkit.py curate-worker STORE NAME N PROPOSAL...   # N accept decisions, one per proposal
    python relkit.py curate-loop STORE NAME      # toggles accept/reject in batches until killed
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FAST_PROPOSERS = ["challenge-rules-v1", "nastype-rules-v1"]
PROPOSER_ARGS = [a for n in FAST_PROPOSERS for a in ("--proposer", n)]
BATCH = 5  # decisions per curation transaction in the crash tests


# ---- hostile inputs ---------------------------------------------------------------------------

def _base_pdf() -> bytes:
    import pymupdf

    doc = pymupdf.open()
    for i in range(2):
        page = doc.new_page()
        page.insert_text((72, 72), f"Federated neural architecture search, page {i + 1}", fontsize=14)
        page.insert_text((72, 110), "Clients hold non-IID data and differ in hardware. We use a supernet.",
                         fontsize=10)
    doc.set_metadata({"title": "Hostile input base paper", "author": "A. Author"})
    data = doc.tobytes()
    doc.close()
    return data


def _encrypted_pdf() -> bytes:
    import pymupdf

    doc = pymupdf.open("pdf", _base_pdf())
    data = doc.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="secret", owner_pw="owner")
    doc.close()
    return data


def _flip(data: bytes, rng: random.Random, n: int) -> bytes:
    b = bytearray(data)
    for _ in range(n):
        i = rng.randrange(len(b))
        b[i] ^= 1 << rng.randrange(8)
    return bytes(b)


def _nested_pdf(depth: int) -> bytes:
    arr = b"[" * depth + b"]" * depth
    dicts = b"<< /A " * depth + b"1" + b" >>" * depth
    objs = [b"<< /Type /Catalog /Pages 2 0 R /X 4 0 R /Y 5 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>", arr, dicts]
    return _assemble(objs)


def _assemble(objs: list[bytes], count_override: bytes | None = None) -> bytes:
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def _huge_pages_pdf() -> bytes:
    # a page tree claiming 2^31-1 pages, and a real tree of 3000 empty pages
    claim = _assemble([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 2147483647 >>",
                       b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"])
    return claim


def _many_pages_pdf(n: int) -> bytes:
    import pymupdf

    doc = pymupdf.open()
    for _ in range(n):
        doc.new_page()
    data = doc.tobytes()
    doc.close()
    return data


def _wrong_xref(data: bytes) -> bytes:
    i = data.rfind(b"startxref")
    return data[:i] + b"startxref\n999999999\n%%EOF\n"


def _scrambled_xref(data: bytes, rng: random.Random) -> bytes:
    i = data.rfind(b"xref")
    j = data.find(b"trailer", i)
    if i < 0 or j < 0:
        return _wrong_xref(data)
    table = bytearray(data[i:j])
    for k in range(len(table)):
        if chr(table[k]).isdigit() and rng.random() < 0.3:
            table[k] = ord(str(rng.randrange(10)))
    return data[:i] + bytes(table) + data[j:]


BIB_OK = ("@article{xu2020,\n  title = {Federated Neural Architecture Search with Client Groups},\n"
          "  author = {Xu, Mengwei and Zhao, Yuxin},\n  year = {2020},\n"
          "  abstract = {Clients hold non-IID data and differ in hardware; we search a supernet.}\n}\n")
RIS_OK = ("TY  - JOUR\nTI  - Federated architecture search under heterogeneity\nAU  - Doe, Jane\nPY  - 2021\n"
          "AB  - We federate a supernet across heterogeneous clients.\nER  - \n")


HUGE_INPUTS = {"ten-mb-field.bib": "LaTeX decoding of a 10 MB field (pylatexenc) takes minutes",
               "many-pages.pdf": "the layout model runs on every one of 2000 pages"}


def hostile_inputs(seed: int = 20240611, scale: int = 1, big_field: int = 10 * 2**20,
                   many_pages: int = 2000) -> list[tuple[str, bytes]]:
    """(file name, bytes) of hostile inputs: a fixed corpus for a seed; ``scale`` repeats the random ones."""
    rng = random.Random(seed)
    pdf = _base_pdf()
    big = big_field
    out: list[tuple[str, bytes]] = [
        ("zero-byte.pdf", b""),
        ("truncated-half.pdf", pdf[: len(pdf) // 2]),
        ("truncated-header.pdf", pdf[:12]),
        ("wrong-startxref.pdf", _wrong_xref(pdf)),
        ("scrambled-xref.pdf", _scrambled_xref(pdf, rng)),
        ("encrypted.pdf", _encrypted_pdf()),
        ("huge-page-count.pdf", _huge_pages_pdf()),
        ("many-pages.pdf", _many_pages_pdf(many_pages)),
        ("deeply-nested.pdf", _nested_pdf(100_000)),
        ("not-a-pdf-text.pdf", b"Hello, I am plain text pretending to be a PDF.\n" * 20),
        ("not-a-pdf-png.pdf", b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(4096))),
        ("pdf-header-garbage.pdf", b"%PDF-1.7\n" + bytes(rng.randrange(256) for _ in range(8192))),
        # BibTeX
        ("unbalanced-open.bib", b"@article{k1,\n  title = {Never {closed,\n  year = {2020}\n"),
        ("unbalanced-close.bib", b"@article{k2,\n  title = {Too many}}}}},\n  year = 2020}\n" + BIB_OK.encode()),
        ("latin1.bib", BIB_OK.replace("Xu, Mengwei", "M\u00fcller, J\u00fcrgen").encode("latin-1")),
        ("utf16.bib", BIB_OK.encode("utf-16")),
        ("invalid-utf8.bib", BIB_OK.encode().replace(b"Client", b"Cl\xff\xfe\xc3nt")),
        ("ten-mb-field.bib", ("@article{big,\n  title = {Big field},\n  year = {2020},\n  abstract = {"
                              + "a" * big + "}\n}\n").encode()),
        ("nested-braces.bib", ("@article{deep,\n  title = {" + "{" * 20_000 + "x" + "}" * 20_000
                               + "},\n year={2020}}\n").encode()),
        ("no-key.bib", b"@article{,\n title={No key}, year={2020}}\n@misc{\n}\n@@@@{{{{\n"),
        # RIS
        ("no-er.ris", RIS_OK.replace("ER  - \n", "").encode() + RIS_OK.replace("ER  - \n", "").encode()),
        ("no-ty.ris", b"TI  - Orphan title\nAU  - Nobody\nER  - \n"),
        ("ten-mb-field.ris", ("TY  - JOUR\nTI  - Big\nAB  - " + "b" * big + "\nER  - \n").encode()),
        ("binary.ris", bytes(rng.randrange(256) for _ in range(8192))),
        ("latin1.ris", RIS_OK.replace("Doe, Jane", "D\u00f8e, J\u00e9r\u00f4me").encode("latin-1")),
        # odd text
        ("control-chars.txt", ("Federated NAS\n\n" + "".join(chr(c) for c in range(32) if c not in (10,)) * 50
                               + "\nclients\x00with\x07bells\x1b[31mred\n").encode()),
        ("rtl.md", ("# \u202eFederated \u05d7\u05d9\u05e4\u05d5\u05e9 \u0628\u062d\u062b\n\n"
                    "\u0627\u0644\u0639\u0645\u0644\u0627\u0621 \u202bnon-IID\u202c \u2067data\u2069 "
                    "\u200f\u200e\ufeff supernet.\n").encode()),
        ("long-line.txt", ("Federated architecture search. " + "x" * 100_000 + "\n").encode()),
        ("long-line-words.md", ("# Long\n\n" + "supernet client " * 7_000 + "\n").encode()),
        ("nul-only.txt", b"\x00" * 4096),
        ("whitespace-only.md", b"   \n\t\n  \r\n" * 100),
        ("surrogates.txt", "Federated \ud800 search".encode("utf-8", "surrogatepass")),
        ("crlf-mixed.md", b"# T\r\r\n\n\rbody\r" * 200),
        ("bom-only.md", b"\xef\xbb\xbf"),
        ("comment-only.bib", b"@comment{nothing here}\n@preamble{\"x\"}\n"),
    ]
    names = {n for n, _ in out}
    for r in range(scale):  # bit-flipped variants (more with a bigger scale)
        for kind, base in (("pdf", pdf), ("bib", BIB_OK.encode()), ("ris", RIS_OK.encode()),
                           ("md", b"# Title\n\nClients hold non-IID data.\n")):
            name = f"bitflip-{r}.{kind}"
            if name not in names:
                out.append((name, _flip(base, rng, max(1, len(base) // 200) if kind == "pdf" else 8)))
    extra = [("bitflip-heavy.pdf", _flip(pdf, rng, 500)),
             ("truncated-random.pdf", pdf[: rng.randrange(20, len(pdf))]),
             ("bib-garbage-tail.bib", BIB_OK.encode() + bytes(rng.randrange(256) for _ in range(2048)))]
    return out + extra


def write_inputs(directory: Path, inputs: list[tuple[str, bytes]]) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in inputs:
        p = directory / name
        p.write_bytes(data)
        paths.append(p)
    return paths


# ---- the forking CLI runner -------------------------------------------------------------------

@dataclass
class Outcome:
    rc: int | None
    stdout: str
    stderr: str
    elapsed: float
    timed_out: bool
    killed: bool


class Driver:
    """A process that imports Atlas once, then runs each CLI command (or kit function) in a forked
    child under a time limit, or SIGKILLs it after ``kill_after`` seconds: per-command process
    isolation at a fraction of a new interpreter's start-up cost."""

    def __init__(self) -> None:
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen([sys.executable, str(HERE / "relkit.py"), "driver"], cwd=ROOT, env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        ready = self.proc.stdout.readline()
        if ready.strip() != "ready":
            raise RuntimeError(f"driver did not start: {ready!r}")

    def run(self, args: list[str] | None = None, call: list | None = None, timeout: float = 60,
            kill_after: float | None = None) -> Outcome:
        job = {"args": args, "call": call, "timeout": timeout, "kill_after": kill_after}
        self.proc.stdin.write(json.dumps(job) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("driver died")
        return Outcome(**json.loads(line))

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def __enter__(self) -> Driver:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _driver_main() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import pipeline.cli  # noqa: F401  warm imports the children inherit
    import pipeline.ingest
    from pipeline import curate  # noqa: F401
    from pipeline.store.shacl import validate_store  # noqa: F401

    pipeline.ingest.process_file(str(ROOT / "corpus" / "seeds" / "001-xu-fednas.md"), None, FAST_PROPOSERS)
    out = sys.stdout
    print("ready", flush=True)
    for line in sys.stdin:
        job = json.loads(line)
        tmp = tempfile.TemporaryDirectory()
        o_path, e_path = Path(tmp.name) / "o", Path(tmp.name) / "e"
        t0 = time.monotonic()
        pid = os.fork()
        if pid == 0:  # child
            code = 70
            try:
                fo = os.open(o_path, os.O_WRONLY | os.O_CREAT)
                fe = os.open(e_path, os.O_WRONLY | os.O_CREAT)
                os.dup2(fo, 1)
                os.dup2(fe, 2)
                sys.stdout = open(1, "w", closefd=False)
                sys.stderr = open(2, "w", closefd=False)
                try:
                    if job["args"] is not None:
                        pipeline.cli.main(job["args"])
                        code = 0
                    else:
                        fn, *fargs = job["call"]
                        globals()[fn](*fargs)
                        code = 0
                except SystemExit as e:
                    code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
                except BaseException:  # noqa: BLE001 - a traceback is what the tests look for
                    import traceback

                    traceback.print_exc()
                    code = 99
            finally:
                try:
                    sys.stdout.flush()
                    sys.stderr.flush()
                finally:
                    os._exit(code)
        limit = job["kill_after"] if job["kill_after"] is not None else job["timeout"]
        rc, timed_out, killed = None, False, False
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                rc = os.waitstatus_to_exitcode(status)
                break
            if time.monotonic() - t0 > limit:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                killed = job["kill_after"] is not None
                timed_out = not killed
                break
            time.sleep(0.005)
        res = {"rc": rc, "stdout": o_path.read_text(errors="replace") if o_path.exists() else "",
               "stderr": e_path.read_text(errors="replace") if e_path.exists() else "",
               "elapsed": time.monotonic() - t0, "timed_out": timed_out, "killed": killed}
        tmp.cleanup()
        out.write(json.dumps(res) + "\n")
        out.flush()


# ---- store invariants -------------------------------------------------------------------------

def open_store(path):
    from pipeline.store import EmbeddedStore

    return EmbeddedStore(path, wait_s=60)


def graph_counts(store) -> dict[str, int]:
    rows = store.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {r["g"]: int(r["n"]) for r in rows}


def dump_by_graph(store) -> dict[str, set[str]]:
    """graph -> its quads as N-Quads lines (same store before/after: blank node ids are stable)."""
    out: dict[str, set[str]] = {}
    for q in store.quads():
        out.setdefault(str(q.graph_name), set()).add(str(q))
    return out


def decision_rows(store) -> list[dict]:
    from pipeline.vocab import CURATION_GRAPH

    return store.select(f"""
        SELECT ?d ?action ?target ?payload WHERE {{ GRAPH <{CURATION_GRAPH.value}> {{
          ?d a fa:Decision ; fa:action ?action ; fa:target ?target ; fa:payload ?payload }} }}""")


def curation_consistency(store) -> list[str]:
    """Problems of the decision log: forked chains, decisions whose effect is missing, duplicates."""
    from pipeline.curate.events import effective_stack, history
    from pipeline.vocab import CURATION_GRAPH

    problems = []
    cg = CURATION_GRAPH.value
    with store.session():
        rows = decision_rows(store)
        ids = [r["d"] for r in rows]
        if len(ids) != len(set(ids)):
            problems.append("a decision has two actions/targets/payloads")
        heads = store.select(f"""SELECT ?t (COUNT(?d) AS ?n) WHERE {{ GRAPH <{cg}> {{ ?d a fa:Decision ; fa:target ?t .
            FILTER NOT EXISTS {{ ?d2 fa:target ?t ; fa:basedOn ?d }} }} }} GROUP BY ?t""")
        for h in heads:
            if int(h["n"]) != 1:
                problems.append(f"{h['t']}: {h['n']} latest decisions (forked chain)")
        status_targets = {r["target"] for r in rows if r["action"] in ("accept", "reject")}
        for t in status_targets:
            stack = effective_stack(history(store, t))
            cur = store.select(f"SELECT ?s WHERE {{ GRAPH <{cg}> {{ <{t}> fa:status ?s }} }}")
            want = {"accept": "accepted", "reject": "rejected"}.get(stack[-1].action) if stack else None
            have = [r["s"].rsplit("Status", 1)[-1].lower() for r in cur]
            if want is None and have:
                problems.append(f"{t}: curated status {have} with no decision in effect")
            elif want is not None and have != [want]:
                problems.append(f"{t}: decision says {want}, store says {have}")
    return problems


def batch_problems(store, size: int = BATCH) -> tuple[int, list[str]]:
    """Decisions carry payload ``batch``: every batch must be all there (``size``) or absent."""
    counts: dict[str, int] = {}
    for r in decision_rows(store):
        b = json.loads(r["payload"]).get("batch")
        if b is not None:
            counts[b] = counts.get(b, 0) + 1
    bad = [f"batch {b}: {n} of {size} decisions" for b, n in counts.items() if n != size]
    return len(counts), bad


def many_proposals_store(path, n: int = 40):
    """A seeded store with one paper holding ``n`` proposals (targets for decisions)."""
    from pipeline.ingest.testing import make_ingested_paper
    from pipeline.store.corpus import init_store

    store = open_store(path)
    init_store(store)
    make_ingested_paper(store, "rel2024-target", "Reliability target paper", "Decisions land here.",
                        _target_specs(n), text=_TARGET_TEXT(n))
    return store


def _TARGET_TEXT(n: int) -> str:  # one distinct evidence sentence per proposal, as a real paper has
    return " ".join(f"Client group {i} holds non-IID data." for i in range(n))


def _target_specs(n: int) -> list[dict]:
    from pipeline.vocab import challenge

    return [{"kind": "challenge", "code": challenge("non_iid_data"), "quote": f"Client group {i} holds non-IID data.",
             "score": 0.5 + i / (4 * n)} for i in range(n)]


def proposal_iris(n: int = 40) -> list[str]:
    from pipeline.ingest.testing import proposal_node

    return [proposal_node("rel2024-target", spec, _TARGET_TEXT(n)).value for spec in _target_specs(n)]


# ---- worker roles -----------------------------------------------------------------------------

def curate_worker(store_path: str, who: str, *proposals: str) -> None:
    """An app session: one accept per proposal, each its own transaction; prints each decision IRI."""
    from pipeline import curate

    store = open_store(store_path)
    for p in proposals:
        print(curate.accept(store, who, p), flush=True)


def curate_loop(store_path: str, who: str, seed: str = "1", rounds: str = "1000000") -> None:
    """Batches of BATCH status decisions (one transaction each) until killed; prints batch ids."""
    from pipeline.curate.events import commit, node
    from pipeline.curate.proposals import _status_op

    rng = random.Random(int(seed))
    store = open_store(store_path)
    props = proposal_iris()
    for i in range(int(rounds)):
        chosen = rng.sample(props, BATCH)
        action = rng.choice(["accept", "reject"])
        batch = f"{who}-{seed}-{i}"
        with store.session(write=True):
            ops = [_status_op(store, node(p), action, action + "ed" if action == "reject" else "accepted",
                              None, {"batch": batch}) for p in chosen]
            from pipeline.curate.events import LATEST

            for op in ops:
                op.based_on = LATEST
            commit(store, who, ops)
        print(batch, flush=True)


if __name__ == "__main__":
    role, *rest = sys.argv[1:]
    if role == "driver":
        _driver_main()
    elif role == "curate-worker":
        curate_worker(*rest)
    elif role == "curate-loop":
        curate_loop(*rest)
    else:
        raise SystemExit(f"unknown role {role}")


# ---- scenarios (tests run them with small counts, bench/reliability with big ones) -------------

def _messages_ok(out: Outcome) -> tuple[bool, int]:
    """(no traceback and every failure is one short line, lines of library noise)."""
    text = out.stdout + out.stderr
    if "Traceback" in text or out.rc not in (0, 1, 2, 7):  # 7: the documented exit code of an input error
        return False, 0
    noise = 0
    for line in out.stderr.splitlines():
        s = line.strip()
        if not s:
            continue
        if s.startswith(("FAILED", "error:", "hint:")) or s.startswith("ingested "):
            if len(s) > 600:
                return False, noise
        else:
            noise += 1
    if out.rc in (1, 7) and not any(line.strip().startswith(("FAILED", "error:")) for line in out.stderr.splitlines()):
        return False, noise
    return True, noise


def run_fuzz(driver: Driver, workdir: Path, inputs: list[tuple[str, bytes]], limit_s: float,
             template: Path | None = None) -> dict:
    """Each input through the real CLI (`fedatlas ingest FILE`); ``limit_s`` only guards against a hang
    (far above any input's normal time, so load cannot make it fail). The store must be unchanged
    whenever no paper was ingested, and outside paper graphs always."""
    import shutil

    store_dir = workdir / "store"
    if template is not None:
        shutil.copytree(template, store_dir, ignore=shutil.ignore_patterns("atlas.lock"))
    else:
        from pipeline.store.corpus import init_store

        init_store(open_store(store_dir))
    store = open_store(store_dir)
    paths = write_inputs(workdir / "inputs", inputs)
    fig: dict = {"inputs": 0, "crashes": 0, "hangs": 0, "store_changes": 0, "rejected": 0, "ingested": 0,
                 "noise_lines": 0, "output": {}}
    details: list[str] = []
    for p in paths:
        before = dump_by_graph(store)
        out = driver.run(["--store", str(store_dir), "ingest", str(p), "--quiet", *PROPOSER_ARGS], timeout=limit_s)
        fig["inputs"] += 1
        if out.timed_out:
            fig["hangs"] += 1
            details.append(f"HANG {p.name} (> {limit_s:g} s)")
            continue
        ok, noise = _messages_ok(out)
        fig["output"][p.name] = out.stdout + out.stderr
        fig["noise_lines"] += noise
        if not ok:
            fig["crashes"] += 1
            details.append(f"CRASH {p.name}: rc={out.rc} {out.stderr.strip()[-400:]}")
        after = dump_by_graph(store)
        got = [int(w.split()[1]) for w in out.stdout.splitlines() if w.startswith("ingested ")]
        n = got[0] if got else 0
        fig["ingested" if n else "rejected"] += 1
        if n == 0 and after != before:
            fig["store_changes"] += 1
            details.append(f"STORE CHANGED by failed {p.name}")
        elif n:
            changed = {g for g in set(before) | set(after) if before.get(g) != after.get(g)}
            # ingest writes paper graphs and its dedup record (merges, suspected duplicates), nothing else
            if any("/graph/paper/" not in g and not g.endswith("/graph/dedup>") for g in changed):
                fig["store_changes"] += 1
                details.append(f"NON-PAPER GRAPH CHANGED by {p.name}: {sorted(changed)[:3]}")
    fig["details"] = details
    return fig


def effective_graph(store):
    """The union graph as Atlas reads it: a curated fa:status / fa:proposesCode / fa:evidence in the
    curation graph replaces the paper graph's value (see pipeline.curate.proposals)."""
    import rdflib

    from pipeline.curate.proposals import CURATED_PROPS
    from pipeline.vocab import CURATION_GRAPH

    ds = rdflib.Dataset()
    ds.parse(data=store.dump("nquads"), format="nquads")
    cg = rdflib.URIRef(CURATION_GRAPH.value)
    curated = {(s, p) for s, p, o, g in ds.quads((None, None, None, None))
               if g == cg and str(p) in CURATED_PROPS}
    out = rdflib.Graph()
    for s, p, o, g in ds.quads((None, None, None, None)):
        if (s, p) in curated and g != cg:
            continue
        out.add((s, p, o))
    return out


def _validate(path) -> bool:
    """SHACL on the store as Atlas reads it (``validate_store`` itself flags every accepted
    proposal: see docs/reliability.md, finding 1)."""
    from pipeline.store.shacl import validate_graph

    return validate_graph(effective_graph(open_store(path))).conforms


def _fresh_copy(template: Path, dst: Path) -> Path:
    import shutil

    shutil.rmtree(dst, ignore_errors=True)
    shutil.copytree(template, dst, ignore=shutil.ignore_patterns("atlas.lock"))
    return dst


def make_import_file(path: Path, n: int = 20_000) -> int:
    lines = [f'<http://example.org/rel/s{i}> <http://example.org/rel/p> "value {i} \\u00e9\\n" '
             f'<http://example.org/rel/import> .' for i in range(n)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return n


def run_kills(driver: Driver, workdir: Path, template: Path, kills: dict[str, int], seed: int = 7,
              validate_every: int = 1) -> dict:
    """SIGKILL ingest, import and curation writers at random moments; after each kill the store must
    open, conform to the SHACL shapes and hold every operation whole or not at all."""
    rng = random.Random(seed)
    fig = {"kills": 0, "attempts": 0, "corrupt_stores": 0, "partial_papers": 0, "partial_imports": 0,
           "partial_batches": 0, "broken_chains": 0, "validated": 0}
    details: list[str] = []
    seeds = sorted((ROOT / "corpus" / "seeds").glob("*.md"))[:2]  # two short full texts + a BibTeX file
    bib = workdir / "two.bib"
    bib.write_text(BIB_OK + BIB_OK.replace("xu2020", "doe2021").replace("Client Groups", "Elastic Supernets"))
    files = [str(f) for f in seeds] + [str(bib)]
    nq = workdir / "big.nq"
    n_import = make_import_file(nq)

    def after_kill(path: Path, kind: str, reference: dict | None) -> None:
        try:
            store = open_store(path)
            counts = graph_counts(store)
        except Exception as e:  # noqa: BLE001 - a store that does not open is the finding
            fig["corrupt_stores"] += 1
            details.append(f"{kind}: store does not open: {e}")
            return
        if kind == "ingest":
            for g, n in counts.items():
                if "/graph/paper/" in g and reference.get(g) != n:
                    fig["partial_papers"] += 1
                    details.append(f"ingest: {g} has {n} quads, complete: {reference.get(g)}")
        elif kind == "import":
            n = counts.get("http://example.org/rel/import", 0)
            if n not in (0, n_import):
                fig["partial_imports"] += 1
                details.append(f"import: {n} of {n_import} quads")
        else:
            _, bad = batch_problems(store)
            fig["partial_batches"] += len(bad)
            details.extend(bad)
            chain = curation_consistency(store)
            fig["broken_chains"] += len(chain)
            details.extend(chain)
        if fig["kills"] % validate_every == 0:
            fig["validated"] += 1
            if not _validate(path):
                fig["corrupt_stores"] += 1
                details.append(f"{kind}: SHACL violations after a kill")

    ingest_args = lambda p: ["--store", str(p), "ingest", *files, "--quiet", *PROPOSER_ARGS]  # noqa: E731
    # reference runs: the complete result and how long it takes
    ref_dir = _fresh_copy(template, workdir / "ref")
    t_ingest = driver.run(ingest_args(ref_dir), timeout=120).elapsed
    reference = graph_counts(open_store(ref_dir))
    t_import = driver.run(["--store", str(ref_dir), "import", str(nq)], timeout=120).elapsed
    for kind, n in kills.items():
        path = _fresh_copy(template, workdir / f"kill-{kind}")
        # a writer that finishes before its kill time (the machine's load changed since the reference
        # run) is not a kill: try again, up to 3n attempts, so the count does not hang on timing
        killed = attempts = 0
        while killed < n and attempts < 3 * n:
            i, attempts = attempts, attempts + 1
            if kind == "ingest":
                path = _fresh_copy(template, workdir / f"kill-{kind}")  # every kill lands in a write phase
                out = driver.run(ingest_args(path), kill_after=rng.uniform(0.02, t_ingest * 1.05), timeout=120)
            elif kind == "import":
                path = _fresh_copy(template, workdir / f"kill-{kind}")
                out = driver.run(["--store", str(path), "import", str(nq)], kill_after=rng.uniform(0.02, t_import),
                                 timeout=120)
            else:
                out = driver.run(call=["curate_loop", str(path), f"killed{i}", str(rng.randrange(10**6))],
                                 kill_after=rng.uniform(0.05, 1.5), timeout=120)
            fig["kills"] += int(out.killed)
            fig["attempts"] += 1  # a writer that finished first is checked like a killed one
            killed += int(out.killed)
            after_kill(path, kind, reference)
        # after the last kill the interrupted operation can be run to completion
        if kind == "ingest":
            driver.run(ingest_args(path), timeout=120)
            done = graph_counts(open_store(path))
            if {g: n for g, n in done.items() if "/graph/paper/" in g} != \
                    {g: n for g, n in reference.items() if "/graph/paper/" in g}:
                details.append("ingest: rerun after the kills did not complete the papers")
                fig["partial_papers"] += 1
    fig["details"] = details
    return fig
