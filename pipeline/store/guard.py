"""The one SPARQL guard: what a request would do, read from a real parse.

The app's read-only console, ``fedatlas query`` and the HTTP endpoint all ask this
module, which parses the request with rdflib's SPARQL 1.1 grammar and walks the parse
tree for ``SERVICE`` (Oxigraph would fetch from another host), ``LOAD`` (likewise) and
the query form (an update is never a read). There is no hand-written lexer here:

* the text is first checked for nesting (Oxigraph's parser overflows on very deep
  brackets) and its ``\\uXXXX`` escapes are expanded, as both parsers do;
* if ``service`` (or, for updates, ``load``) does not occur anywhere in it, in any case,
  glued to other words or not, the request cannot use the keyword: no parse is needed
  to clear it (this keeps a large ``INSERT DATA`` cheap);
* otherwise the request must parse, and its tree must hold no ``ServiceGraphPattern``
  or ``Load`` node. Oxigraph accepts some text the grammar does not (``?o trueSERVICE
  <x> {}`` runs a SERVICE there), so a request that does not parse is refused.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

from pipeline.errors import QueryError
from pipeline.store.base import check_nesting

READ_FORMS = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT",
              "DescribeQuery": "DESCRIBE"}


class RefusedQuery(QueryError):
    """A request the guard will not let run (SERVICE, LOAD, an update where a read is asked)."""

    code = "E201"
    hint = "Atlas runs SPARQL without reaching other hosts; use SELECT, ASK, CONSTRUCT or DESCRIBE"


@dataclass(frozen=True)
class Inspection:
    form: str | None  # SELECT / ASK / CONSTRUCT / DESCRIBE / UPDATE, None if it did not parse
    service: bool  # uses SERVICE (or could: it mentions the word and did not parse)
    load: bool  # uses LOAD (likewise)
    parsed: bool


def _expand(text: str) -> str:
    from rdflib.plugins.sparql.parser import expandUnicodeEscapes

    try:
        return expandUnicodeEscapes(text)
    except Exception:  # noqa: BLE001 - an invalid escape: judge the text as sent
        return text


_PARSE_LOCK = threading.Lock()  # pyparsing's grammar objects are shared state: one parse at a time


def _parse(text: str, update: bool):
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    with _PARSE_LOCK:
        try:
            return parseUpdate(text) if update else parseQuery(text)
        except RecursionError:
            return None
        except Exception:  # noqa: BLE001 - pyparsing's ParseException and friends: "did not parse"
            return None


def _contains(node: object, name: str, depth: int = 0) -> bool:
    if depth > 2000:
        return True  # deeper than any real request: refuse rather than guess
    if getattr(node, "name", None) == name:
        return True
    if isinstance(node, dict):
        return any(_contains(v, name, depth + 1) for v in node.values())
    if isinstance(node, (list, tuple)) or type(node).__name__ == "ParseResults":
        # a ParseResults is checked by name so that pyparsing stays a lazy import
        return any(_contains(v, name, depth + 1) for v in cast("Iterable[object]", node))
    return False


def _query_form(tree) -> str | None:
    for part in tree:
        form = READ_FORMS.get(getattr(part, "name", ""))
        if form:
            return form
    return None


UPDATE_WORDS = ("insert", "delete", "load", "clear", "drop", "create", "add", "move", "copy")


def inspect(text: str, update: bool = False, need_form: bool = True) -> Inspection:
    """What ``text`` (a query, or an update with ``update=True``) would do.

    With ``need_form=False`` (the endpoint) a query that cannot use SERVICE and holds no
    update keyword is cleared without a parse (Oxigraph's query parser refuses updates)."""
    check_nesting(text)
    lowered = _expand(text).lower()
    may_service = "service" in lowered
    may_load = update and "load" in lowered
    if not (need_form or update or may_service or any(w in lowered for w in UPDATE_WORDS)):
        return Inspection(None, False, False, False)
    tree = _parse(text, update)
    if tree is None and not update:
        as_update = _parse(text, True) if any(w in lowered for w in UPDATE_WORDS) else None
        if as_update is not None:
            return Inspection("UPDATE", _contains(as_update, "ServiceGraphPattern"), _contains(as_update, "Load"),
                              True)
    if tree is None:
        return Inspection(None, may_service, may_load, False)
    form = "UPDATE" if update else _query_form(tree)
    return Inspection(form, may_service and _contains(tree, "ServiceGraphPattern"),
                      may_load and _contains(tree, "Load"), True)


def declares_dataset(text: str) -> bool:
    """Whether a query names its own dataset (``FROM`` / ``FROM NAMED``).

    Atlas reads the default graph as the union of all graphs; a query that says which graphs
    it reads must get exactly those, so the stores drop the union for it. The word ``from``
    appears in few queries, so only those are parsed."""
    if "from" not in _expand(text).lower():
        return False
    tree = _parse(text, False)
    return tree is not None and _contains(tree, "DatasetClause")


def check_read(text: str, allow_service: bool = False) -> Inspection:
    """Refuse (RefusedQuery) anything but a read; SERVICE only when allowed."""
    found = inspect(text)
    if found.form == "UPDATE":
        raise RefusedQuery("this is a SPARQL update; only SELECT, ASK, CONSTRUCT or DESCRIBE are read here")
    if found.service and not allow_service:
        reason = "uses SERVICE" if found.parsed else "mentions SERVICE and cannot be parsed, so it may use it"
        raise RefusedQuery(f"the query {reason}: Atlas does not fetch from other hosts")
    return found


def check_write(text: str, allow_service: bool = False) -> Inspection:
    """Refuse (RefusedQuery) an update using SERVICE or LOAD unless allowed."""
    found = inspect(text, update=True)
    if not allow_service and (found.service or found.load):
        word = "SERVICE" if found.service else "LOAD"
        reason = f"uses {word}" if found.parsed else f"mentions {word} and cannot be parsed, so it may use it"
        raise RefusedQuery(f"the update {reason}: Atlas does not fetch from other hosts")
    return found
