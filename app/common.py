"""Shared helpers of the app pages: the store handle, the reviewer, safe text, decisions.

Safety: paper text and user input are only ever rendered with ``st.text``,
``st.code``, dataframes, or ``st.markdown`` of :func:`md_escape`-d text; the
app never enables raw HTML.
"""

from __future__ import annotations

import os
import re
import sys
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st

from pipeline.errors import AtlasError, StaleWriteError
from pipeline.vocab import local_name

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=^&])")


def md_escape(text: str) -> str:
    """Text that st.markdown shows verbatim (no links, HTML, math or directives)."""
    return _MD_SPECIAL.sub(r"\\\1", str(text or ""))


def highlight(paragraph: str, start: int, end: int) -> str:
    """Markdown of ``paragraph`` with ``[start, end)`` in bold, everything escaped."""
    start, end = max(0, start), min(len(paragraph), end)
    before, mid, after = paragraph[:start], paragraph[start:end], paragraph[end:]
    lead = len(mid) - len(mid.lstrip())
    trail = len(mid) - len(mid.rstrip())
    before, mid, after = before + mid[:lead], mid.strip(), (mid[len(mid) - trail:] if trail else "") + after
    if not mid:
        return md_escape(paragraph)
    return md_escape(before) + "**" + md_escape(mid) + "**" + md_escape(after)


def highlight_terms(text: str, terms: list[str]) -> str:
    """Markdown of ``text`` with every occurrence of ``terms`` (whole words, any case) in bold,
    everything escaped: the review's keywords stand out as in Rayyan, and no paper text becomes markup."""
    words = sorted({t.strip() for t in terms if t and t.strip()}, key=len, reverse=True)
    if not words:
        return md_escape(text)
    pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(w) for w in words) + r")(?!\w)", re.IGNORECASE)
    out, pos = [], 0
    for m in pattern.finditer(text or ""):
        out.append(md_escape(text[pos:m.start()]) + "**" + md_escape(m.group()) + "**")
        pos = m.end()
    return "".join(out) + md_escape((text or "")[pos:])


def store_location() -> str | None:
    argv = sys.argv[1:]
    for i, arg in enumerate(argv):
        if arg == "--store" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--store="):
            return arg.split("=", 1)[1]
    return os.environ.get("FEDATLAS_STORE")


@st.cache_resource(show_spinner=False)
def _open(location: str | None):
    from pipeline.store import open_store

    return open_store(location)


def get_store():
    return _open(store_location())


def read_model(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(store, *args)`` from the library's read-model cache (:mod:`pipeline.curate.readmodel`):
    computed once per store revision (every write, in any process, changes it), followed through this
    app's own decisions without a full re-read, shared by every rerun and session and never copied
    (treat it as read-only); a store that cannot tell its revision is read each time."""
    from pipeline.curate import readmodel

    return readmodel.get(get_store(), fn, *args)


@st.cache_resource(show_spinner=False)
def warm_up(location: str | None, _store: Any) -> threading.Thread:
    """Read the heavy read models once when the app starts (in the background), so the first page a
    reviewer opens finds them in memory; later writes are followed by the cache itself."""
    store = _store

    def run() -> None:
        from pipeline import curate
        from pipeline.curate import events_model, proposals_model, records_model

        try:
            with store.session():
                records_model.records(store)
                proposals_model.papers(store)  # and every proposal, the paper titles
                read_model_of(store, curate.method_views)
                read_model_of(store, curate.code_labels)
                events_model.events(store)
                from app.figures import drawn
                from pipeline.report.tables import overview_tables

                for table in read_model_of(store, overview_tables):  # the heatmaps the Overview opens with
                    drawn("table", table)
        except Exception:  # noqa: BLE001 - warming is an optimisation: a page reads what it needs itself
            pass

    thread = threading.Thread(target=run, name="atlas-warm-up", daemon=True)
    thread.start()
    return thread


def read_model_of(store: Any, fn: Callable[..., Any], *args: Any) -> Any:
    from pipeline.curate import readmodel

    return readmodel.get(store, fn, *args)


def reviewer() -> str | None:
    return st.session_state.get("reviewer") or None


def require_reviewer() -> str | None:
    who = reviewer()
    if not who:
        st.info("Enter your name in the sidebar before deciding: every decision records who made it.")
    return who


def shown_as(labels: dict) -> Callable[[Any], str]:
    """A ``format_func`` for a selectbox of ``labels``' keys (the key itself when it has no label)."""
    return lambda key: str(labels.get(key, key))


def short(iri: str | None) -> str:
    return local_name(iri) if iri else ""


def action(fn: Callable[..., Any], *args: Any, success: str = "Saved", keys: dict[str, str] | None = None,
           then: Callable[[], None] | None = None, flash_key: str = "flash", **kwargs: Any) -> dict:
    """``on_click``/``args`` for a button that calls the curation API.

    The arguments (above all ``based_on``: the latest decision the reviewer
    saw) are fixed when the button is drawn, so a click after someone else's
    change is detected as stale instead of being applied over it. ``keys``
    maps parameter names to widget keys read at click time (form fields). The outcome is left in
    ``st.session_state[flash_key]`` for :func:`show_flash` (a fragment shows its own, see the Screening page).
    """
    return {"on_click": _run_action, "args": (fn, args, kwargs, keys or {}, success, then, flash_key)}


_IRI = re.compile(r"<?(https://w3id\.org/fedatlas/id/[^\s<>\"'),]+)>?")


def paper_titles(store) -> dict[str, str]:
    """Paper IRI -> its title (any one, when sources disagree), at the store's current revision."""
    from pipeline.curate.proposals import paper_titles as titles

    return read_model_of(store, titles)


def labels_for(store) -> dict[str, str]:
    """IRI -> what a reviewer calls it: concept labels, paper titles, method names (from cached read models)."""
    from pipeline import curate

    with store.session():
        out = dict(read_model_of(store, curate.code_labels))
        out.update(paper_titles(store))
        out.update({m.iri: m.label for m in read_model_of(store, curate.method_views)})
        for v in read_model_of(store, curate.proposals):
            out[v.iri] = f"{v.kind} {v.code_label} on {out.get(v.paper, local_name(v.paper))}"
        for r in store.select("SELECT ?x (SAMPLE(?l0) AS ?l) WHERE { GRAPH ?g { ?x a fa:OpenCode ; rdfs:label ?l0 } } "
                              "GROUP BY ?x"):
            out.setdefault(r["x"], r["l"])
    return out


_LOCAL: list = [None, {}]  # the labels last indexed by local name, and that index (one page run's labels)


def _by_local(labels: dict[str, str]) -> dict[str, str]:
    seen, index = _LOCAL
    if seen is not labels:
        index = {local_name(k): v for k, v in labels.items()}
        _LOCAL[:] = [labels, index]
    return index


def label_of(iri: str, labels: dict[str, str]) -> str:
    """A readable name for an Atlas IRI (labels first; cells, proposals, screening decisions by their parts)."""
    from pipeline.vocab import ID_NS

    if iri in labels:
        return labels[iri]
    rest = iri[len(ID_NS):] if iri.startswith(ID_NS) else iri
    kind, _, local = rest.partition("/")
    by_local = _by_local(labels)
    if kind == "cell":
        t, _, c = local.partition("/")
        return f"{by_local.get(t, t)} × {by_local.get(c, c)}"
    if kind == "screening":
        paper, _, stage = local.partition("/")
        return f"screening of '{by_local.get(paper, paper)}' ({stage.split('/')[0]})"
    if kind == "decision":
        return "an earlier decision"
    return by_local.get(local_name(iri), local_name(iri))


def readable(text: str, store=None) -> str:
    """``text`` with every Atlas IRI replaced by its label."""
    if "https://w3id.org/fedatlas/id/" not in text:
        return text
    try:
        labels = labels_for(store) if store is not None else read_model(labels_for)
    except Exception:  # noqa: BLE001 - a message must still be shown
        labels = {}
    return _IRI.sub(lambda m: "'" + label_of(m.group(1), labels) + "'", text)


def _run_action(fn, args, kwargs, keys, success, then, flash_key="flash") -> None:
    values = {name: st.session_state.get(key) for name, key in keys.items()}
    try:
        with get_store().session():  # the decision's reads and writes share one open of the database
            fn(*args, **kwargs, **values)
    except StaleWriteError as e:
        st.session_state[flash_key] = ("error", f"Not saved: {readable(e.message)}. The page now shows the current "
                                     "state; decide again if you still want to.")
        return
    except AtlasError as e:
        st.session_state[flash_key] = ("error", readable(str(e)))
        return
    st.session_state[flash_key] = ("success", success)
    if then is not None:
        then()


def show_flash(key: str = "flash") -> None:
    flash = st.session_state.pop(key, None)
    if flash:
        kind, msg = flash
        (st.error if kind == "error" else st.success)(msg)


def history_table(events) -> list[dict]:
    return [{"time": e.time[:19].replace("T", " "), "reviewer": e.reviewer_name, "action": e.action,
             "details": ", ".join(f"{k}={short(v) if isinstance(v, str) and v.startswith('http') else v}"
                                  for k, v in e.params.items() if v not in (None, [], "")),
             "undone": "yes" if e.undone_by else "", "decision": e.iri} for e in events]


def undo_latest(store, events, key: str, flash_key: str = "flash") -> None:
    """An undo button for the latest decision in effect among ``events`` of one target."""
    from pipeline import curate

    stack = curate.effective_stack(events)
    if not stack:
        return
    top = stack[-1]
    who = reviewer()
    st.button(f"Undo '{top.action}' by {top.reviewer_name}", key=key, disabled=not who,
              help="Reverts the latest decision still in effect (shortcut: u)", shortcut="u",
              **action(curate.undo, store, who, top.iri, based_on=events[-1].iri, success="Undone", flash_key=flash_key))


def column_keys(columns: list[tuple[str, str]]) -> list[str]:
    """Short column names (C1, C2, ...) so all the review's challenges fit the page."""
    return [f"C{i + 1}" for i in range(len(columns))]


def compact_table(row_head: str, rows: list[tuple[str, str]], columns: list[tuple[str, str]],
                  value: Callable[[str, str], str]) -> str:
    """A Markdown table with short column keys and a key legend below; every label escaped."""
    keys = column_keys(columns)
    lines = ["| " + md_escape(row_head) + " | " + " | ".join(keys) + " |",
             "|---|" + "|".join(":-:" for _ in keys) + "|"]
    for r, label in rows:
        lines.append("| " + md_escape(label) + " | " + " | ".join(md_escape(value(r, c)) or " " for c, _ in columns)
                     + " |")
    legend = " · ".join(f"**{k}** {md_escape(lab)}" for k, (_, lab) in zip(keys, columns))
    return "\n".join(lines) + "\n\n" + legend


def start_page(title: str):
    """Title, the outcome of the last action (saved / stale / error), and the store."""
    st.title(title)
    show_flash()
    return get_store()


def _allowed_uploads() -> tuple[str, ...]:
    from pipeline.sources import known_suffixes  # one list of suffixes: the registered readers'

    return tuple(sorted(known_suffixes()))


ALLOWED_UPLOADS = _allowed_uploads()


def safe_name(name: str) -> str:
    """A file name that cannot leave the uploads folder: [A-Za-z0-9._-], no leading dot, unique prefix."""
    base = Path(name).name
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(base).stem).strip("._")[:80] or "upload"
    suffix = Path(base).suffix.lower()
    return f"{uuid.uuid4().hex[:8]}-{stem}{suffix if suffix in ALLOWED_UPLOADS else '.bin'}"
