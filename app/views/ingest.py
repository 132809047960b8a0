"""Ingest: upload PDFs / BibTeX / RIS / text; the same pipeline as `fedatlas ingest`."""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from app.common import ALLOWED_UPLOADS as ALLOWED
from app.common import require_reviewer, safe_name, start_page
from pipeline.ingest import ingest_paths  # the one ingest loop, as `fedatlas ingest`

MAX_BYTES = 50 * 1024 * 1024


store = start_page("Ingest")
who = require_reviewer()

if not hasattr(store, "path"):
    st.info("Uploads need an embedded store (a directory); this store is remote.")
    st.stop()
uploads_dir = Path(store.path) / "uploads"
origin = st.selectbox("Record source", ["database", "backward", "forward", "manual"])
files = st.file_uploader("PDF, BibTeX, RIS or text files (max 50 MB each)", type=[s.lstrip(".") for s in ALLOWED],
                         accept_multiple_files=True)
if files and st.button("Ingest", type="primary", disabled=not who):
    uploads_dir.mkdir(parents=True, exist_ok=True)
    paths: list[str | os.PathLike[str]] = []
    for f in files:
        if f.size > MAX_BYTES:
            st.error(f"{f.name}: larger than 50 MB, skipped")
            continue
        target = uploads_dir / safe_name(f.name)
        target.write_bytes(f.getbuffer())
        paths.append(target)
    bar = st.progress(0.0, text="Starting")

    def on_file(i: int, n: int, path: str) -> None:
        bar.progress(i / max(n, 1), text=f"{i}/{n}: {Path(path).name}")

    with st.spinner("Parsing, embedding, proposing..."):
        summary = ingest_paths(store, paths, progress=False, on_file=on_file, origin=origin)
    bar.progress(1.0, text="Done")
    st.json(summary.as_dict())
