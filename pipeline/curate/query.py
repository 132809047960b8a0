"""A read-only SPARQL console: only SELECT / ASK / CONSTRUCT / DESCRIBE pass.

The guard strips comments, strings and IRIs, skips PREFIX/BASE declarations,
and refuses any update keyword or SERVICE; the query then runs through
``Store.query``, which never executes updates.
"""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.errors import QueryError
from pipeline.store import Store

READ_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
FORBIDDEN = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH", "SERVICE")
MAX_QUERY = 20_000

_TOKEN = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*')


def _neutral(text: str) -> str:
    return _TOKEN.sub(lambda m: " " if m.group(0).startswith("#") else ' "" ', text)


def check_read_only(sparql: str) -> str:
    """The query form (SELECT...) of ``sparql``; QueryError if it could change the store."""
    if len(sparql) > MAX_QUERY:
        raise QueryError(f"query longer than {MAX_QUERY} characters")
    body = _neutral(sparql)
    words = re.findall(r"[?$]?[A-Za-z_][A-Za-z_0-9-]*(?::[A-Za-z_0-9-]*)?", body)
    upper = [w.upper() for w in words if not w.startswith(("?", "$")) and ":" not in w]
    bad = sorted(set(upper) & set(FORBIDDEN))
    if bad:
        raise QueryError(f"the console is read-only: {', '.join(bad)} is not allowed",
                         hint="use SELECT, ASK, CONSTRUCT or DESCRIBE")
    stripped = re.sub(r"(?is)^\s*((PREFIX\s+[\w.-]*:\s*\"\"\s*)|(BASE\s*\"\"\s*))*", "", body)
    first = re.match(r"\s*([A-Za-z]+)", stripped)
    form = first.group(1).upper() if first else ""
    if form not in READ_FORMS:
        raise QueryError("the console is read-only: start with SELECT, ASK, CONSTRUCT or DESCRIBE")
    return form


def run_read_only(store: Store, sparql: str):
    """Check then run: SELECT -> rows of terms, ASK -> bool, CONSTRUCT/DESCRIBE -> triples."""
    check_read_only(sparql)
    return store.query(sparql)


def saved_queries() -> dict[str, str]:
    """The corpus's saved queries (``corpus/queries/*.rq``) by name, plus a few built-ins."""
    from pipeline.store.corpus import corpus_dir

    out = {
        "papers": "SELECT ?paper ?title WHERE { GRAPH ?g { ?paper a fa:Paper ; dcterms:title ?title } } ORDER BY ?title",
        "decisions (latest 100)": "SELECT ?d ?action ?target ?who ?time WHERE { GRAPH ?g { ?d a fa:Decision ; "
                                  "fa:action ?action ; fa:target ?target ; prov:wasAssociatedWith ?who ; "
                                  "prov:endedAtTime ?time } } ORDER BY DESC(?time) LIMIT 100",
        "techniques": "SELECT ?t ?label WHERE { GRAPH ?g { ?t a fa:AdaptationTechnique ; skos:prefLabel ?label } } "
                      "ORDER BY ?label",
    }
    qdir = Path(corpus_dir()) / "queries"
    if qdir.is_dir():
        for f in sorted(qdir.glob("*.rq")):
            out[f.stem] = f.read_text(encoding="utf-8")
    return out
