"""A read-only SPARQL console: only SELECT / ASK / CONSTRUCT / DESCRIBE pass.

The judgement is the one SPARQL guard's (``pipeline.store.guard``: a real parse, the
same the HTTP endpoint uses): no update, no SERVICE. The query then runs through the
store's typed reads, which never execute updates.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.errors import QueryError
from pipeline.store import Store
from pipeline.store.guard import check_read

READ_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
MAX_QUERY = 20_000


def check_read_only(sparql: str) -> str:
    """The query form (SELECT...) of ``sparql``; QueryError if it could change the store or
    reach another host."""
    if len(sparql) > MAX_QUERY:
        raise QueryError(f"query longer than {MAX_QUERY} characters")
    found = check_read(sparql, allow_service=False)
    return found.form or ""  # "" when only Oxigraph's parser reads it (then it cannot be an update)


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
