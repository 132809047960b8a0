"""Issue item 5 (non-browser part): upload names, and a SPARQL console that cannot modify the store."""

from __future__ import annotations

import pytest
import relkit

UPLOAD_NAMES = ["../../etc/passwd", "..\\..\\x.pdf", "/etc/shadow", "/abs/path/paper.pdf", "C:\\Windows\\x.bib",
                "paper\x00.pdf", "..", ".", "", ".hidden.pdf", "a/../../b.ris", "%2e%2e%2fx.pdf",
                "\u202egnp.pdf", "con.txt", "x" * 5000 + ".pdf", "..\x00/..\x00/etc.md", "~/.ssh/id_rsa"]

CONSOLE_ATTACKS = [
    "INSERT DATA { <http://e/s> <http://e/p> 1 }", "insert data { <http://e/s> <http://e/p> 1 }",
    "DELETE WHERE { ?s ?p ?o }", "DROP ALL", "CLEAR DEFAULT", "LOAD <http://127.0.0.1:9/x>",
    "SELECT * {} ; DROP ALL", "SELECT * WHERE { ?s ?p ?o } ;\nDELETE WHERE { ?s ?p ?o }",
    "# SELECT\nDELETE WHERE { ?s ?p ?o }", "PREFIX x: <http://e/> DELETE WHERE { ?s ?p ?o }",
    "WITH <http://e/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "CREATE GRAPH <http://e/g>",
    "COPY DEFAULT TO <http://e/g>", "MOVE DEFAULT TO <http://e/g>", "ADD DEFAULT TO <http://e/g>",
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o FILTER(1<2)SERVICE#>\n<http://127.0.0.1:9/> { } }",
    "\\u0044ROP ALL", "SELECT * WHERE { ?s ?p ?o } DROP ALL", "DrOp SiLeNt GrApH <http://e/g>",
    "SELECT * WHERE " + "{" * 3000 + "}" * 3000, "SELECT * WHERE { ?s ?p " + "(" * 900 + ")" * 900 + " }",
    "ASK {} " + "x" * 30000,
]


def test_upload_names_stay_in_the_uploads_folder(tmp_path):
    pytest.importorskip("streamlit")
    from app.common import ALLOWED_UPLOADS, safe_name

    uploads = (tmp_path / "store" / "uploads").resolve()
    uploads.mkdir(parents=True)
    landed = 0
    for name in UPLOAD_NAMES:
        safe = safe_name(name)
        assert "/" not in safe and "\\" not in safe and "\x00" not in safe and not safe.startswith(".")
        assert len(safe) < 120 and safe.rsplit(".", 1)[-1] in {s.lstrip(".") for s in ALLOWED_UPLOADS} | {"bin"}
        target = uploads / safe
        target.write_bytes(b"x")
        assert target.resolve().parent == uploads
        landed += 1
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == sorted(p.name for p in uploads.iterdir())
    print(f"uploads: names={len(UPLOAD_NAMES)} landed_inside={landed} escaped=0")


def test_sparql_console_cannot_modify_the_store(rel_store):
    from pipeline import curate
    from pipeline.errors import AtlasError

    store = relkit.open_store(rel_store)
    before = store.canonical_dump()
    refused = ran = 0
    for attack in CONSOLE_ATTACKS:
        try:
            curate.run_read_only(store, attack)
            ran += 1
        except AtlasError:
            refused += 1
    after = store.canonical_dump()
    print(f"console: attempts={len(CONSOLE_ATTACKS)} refused={refused} ran_read_only={ran} "
          f"store_changed={after != before}")
    assert after == before
    assert refused >= len(CONSOLE_ATTACKS) - 2
