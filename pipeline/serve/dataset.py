"""The RDF dataset of a protocol request: union default graph, protocol graphs, USING injection.

SPARQL 1.1 Protocol lets a client name the dataset in the request
(``default-graph-uri``/``named-graph-uri`` for queries, ``using-graph-uri``/
``using-named-graph-uri`` for updates); a request that names it both there and in
the operation (``FROM``, ``USING``, ``WITH``) is refused for updates and decided by
the protocol for queries. Without either, the default graph is the union of all
graphs, as on the embedded store (``fedatlas query``), so both give the same answers.

Which clauses an operation has is read from rdflib's SPARQL parse, not from text.
"""

from __future__ import annotations

import re
from typing import Any

from pipeline.serve.config import EndpointError


def _parsed_query(text: str) -> Any | None:
    try:
        from rdflib.plugins.sparql.parser import parseQuery

        return parseQuery(text)
    except Exception:  # noqa: BLE001 - Oxigraph gives the syntax error itself
        return None


def has_dataset_clause(query: str) -> bool:
    """True if the query names its own dataset (``FROM`` / ``FROM NAMED``)."""
    tree = _parsed_query(query)
    if tree is None:
        return False
    return any("datasetClause" in part for part in tree if hasattr(part, "keys"))


def use_union_default(query: str, default_graphs: tuple[str, ...], named_graphs: tuple[str, ...]) -> bool:
    """The default graph is the union of all graphs unless the request or the query names a dataset."""
    if default_graphs or named_graphs:
        return False
    return not has_dataset_clause(query)


# ---- updates ----------------------------------------------------------------------------
# Just enough of SPARQL's lexical structure to find the WHERE of each DELETE/INSERT
# operation at brace depth 0: strings, IRIs and comments are skipped whole.
_SKIP = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''
    r'|<[^<>"{}|^`\\\x00-\x20]*>|#[^\n]*'
)
_WORD = re.compile(r"(?<![:?$\w])[A-Za-z]+(?![\w:])")


def _top_level_words(text: str) -> list[tuple[str, int]]:
    words: list[tuple[str, int]] = []
    depth, i = 0, 0
    while i < len(text):
        skip = _SKIP.match(text, i)
        if skip:
            i = skip.end()
            continue
        ch = text[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif depth == 0 and ch.isalpha():
            word = _WORD.match(text, i)
            if word:
                words.append((word.group(0).upper(), i))
                i = word.end()
                continue
        i += 1
    return words


def apply_using(update: str, using: tuple[str, ...], using_named: tuple[str, ...]) -> str:
    """The update with the protocol's ``using-graph-uri``/``using-named-graph-uri`` as USING clauses.

    Refuses (400) an update that has its own USING or WITH, as SPARQL 1.1 Protocol requires.
    """
    if not using and not using_named:
        return update
    try:
        from rdflib.plugins.sparql.parser import parseUpdate

        tree = parseUpdate(update)
    except Exception:  # noqa: BLE001 - let Oxigraph report the syntax error
        return update
    modifies = [r for r in tree.request if getattr(r, "name", "") == "Modify"]
    if any("withClause" in r or "using" in r for r in modifies):
        raise EndpointError(400, "the update names its dataset with USING/WITH and the request with "
                                 "using-graph-uri/using-named-graph-uri: give one of them (SPARQL 1.1 Protocol 2.2.3)")
    words = _top_level_words(update)
    points = [pos for k, (word, pos) in enumerate(words)
              if word == "WHERE" and not (k and words[k - 1][0] == "DELETE")]
    if len(points) != len(modifies):
        raise EndpointError(400, "cannot apply using-graph-uri/using-named-graph-uri to this update; "
                                 "write USING clauses in the update instead")
    clause = " ".join([f"USING <{g}>" for g in using] + [f"USING NAMED <{g}>" for g in using_named]) + " "
    for pos in reversed(points):
        update = update[:pos] + clause + update[pos:]
    return update
