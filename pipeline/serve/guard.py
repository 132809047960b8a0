"""Static checks on SPARQL text before it runs: no ``SERVICE``, no ``LOAD``, no update at /query.

Oxigraph executes ``SERVICE`` and ``LOAD`` by fetching from other hosts, and it
has no switch to turn that off, so the endpoint refuses such requests before they
run. The check errs on the side of refusing:

1. fast path: the keyword does not occur at all (outside variable names, in the
   text as sent and with ``\\uXXXX`` escapes decoded) -> allowed;
2. a SPARQL lexer finds every occurrence inside a string, comment or IRI, and no
   IRI token could be a misread ``<`` operator -> allowed;
3. otherwise rdflib's SPARQL grammar parses the request and its parse tree must
   hold no ``ServiceGraphPattern`` / ``Load``; a request it cannot parse is refused.

Oxigraph's parser accepts a keyword glued to a previous token (``?s ?p trueSERVICE
<x> {}`` runs a SERVICE), so step 1 matches ``service`` anywhere, not on word
boundaries. These checks run inside the worker process, under the query timeout,
so a pathological request cannot stall the HTTP server.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pipeline.serve.config import EndpointError

SERVICE_REFUSED = "SERVICE is disabled on this endpoint (start with --allow-service to enable)"
LOAD_REFUSED = "LOAD is disabled on this endpoint: it fetches data from other hosts (start with --allow-service to enable)"
UPDATE_AT_QUERY = ("SPARQL Update operations are not accepted at /query; "
                   "POST them to /update with 'Authorization: Bearer TOKEN'")

_VARCHAR = ("A-Za-z0-9_\u00b7\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u037d\u037f-\u1fff\u200c-\u200d"
            "\u203f-\u2040\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
            "\U00010000-\U000effff")
_VAR_RUN = re.compile(f"[?$][{_VARCHAR}]+")
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_TOKEN = re.compile(
    r"""(?P<comment>\#[^\n\r]*)
      | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                  | '''(?:[^'\\]|\\.|'(?!''))*'''
                  | "(?:[^"\\\n\r]|\\.)*"
                  | '(?:[^'\\\n\r]|\\.)*')
      | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
      | (?P<var>[?$][""" + _VARCHAR + r"""]+)
      | (?P<code>[^#"'<?$]+|.)""",
    re.S | re.X,
)
# the word to look for, and whether a word character may precede it (see module doc)
_WORDS = {
    "service": re.compile(r"service", re.I),
    "load": re.compile(r"(?<![A-Za-z0-9_])load", re.I),
}
_UPDATE_KEYWORDS = {"insert", "delete", "load", "clear", "drop", "create", "add", "move", "copy", "with"}
_PROLOGUE = re.compile(r"\s*(?:(?:prefix\s*[^\s:]*:\s*<>|base\s*<>)\s*)*([a-z]+)", re.I)


def _decode_escapes(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        try:
            return chr(int(m.group(1) or m.group(2), 16))
        except ValueError:
            return m.group(0)

    return _ESCAPE.sub(repl, text)


def _variants(text: str) -> list[str]:
    decoded = _decode_escapes(text)
    return [text] if decoded == text else [text, decoded]


def _occurrences(text: str, word: str) -> list[int]:
    """Offsets of ``word`` not wholly inside a variable name."""
    hits = [m.start() for m in _WORDS[word].finditer(text)]
    if not hits:
        return []
    runs = [(m.start(), m.end()) for m in _VAR_RUN.finditer(text)]
    n = len(word)
    return [h for h in hits if not any(a < h and h + n <= b for a, b in runs)]


def _tokens(text: str) -> Iterator[tuple[str, int, int]]:
    for m in _TOKEN.finditer(text):
        yield m.lastgroup or "code", m.start(), m.end()


def _lexically_harmless(text: str, hits: list[int]) -> bool:
    """True if every hit lies in a string, comment or IRI and no IRI is ambiguous."""
    inert: list[tuple[int, int]] = []
    for kind, start, end in _tokens(text):
        if kind == "iri":
            body = text[start:end]
            if "#" in body or "'" in body:
                return False  # could be a '<' operator followed by a comment/string: ask the parser
        if kind in ("comment", "string", "iri"):
            inert.append((start, end))
    return all(any(a <= h < b for a, b in inert) for h in hits)


def _parse_tree_has(text: str, node_name: str, update: bool) -> bool:
    """Parse with rdflib's SPARQL grammar; True if a ``node_name`` node occurs (or parsing fails)."""
    try:
        from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
    except ImportError:  # pragma: no cover - rdflib is a dependency
        return True
    try:
        tree = parseUpdate(text) if update else parseQuery(text)
    except Exception:  # noqa: BLE001 - any parse failure means "cannot prove it harmless"
        return True
    return _contains(tree, node_name)


def _contains(node: object, name: str, depth: int = 0) -> bool:
    if depth > 500:
        return True
    if getattr(node, "name", None) == name:
        return True
    if isinstance(node, dict):
        return any(_contains(v, name, depth + 1) for v in node.values())
    if isinstance(node, (list, tuple)) or type(node).__name__ == "ParseResults":
        return any(_contains(v, name, depth + 1) for v in node)
    return False


def mentions(text: str, word: str, update: bool = False) -> bool:
    """Whether the request may use ``word`` (``service`` or ``load``) as a keyword."""
    node = {"service": "ServiceGraphPattern", "load": "Load"}[word]
    suspicious = False
    for variant in _variants(text):
        hits = _occurrences(variant, word)
        if hits and not _lexically_harmless(variant, hits):
            suspicious = True
    if not suspicious:
        return False
    return any(_parse_tree_has(v, node, update) for v in _variants(text))


def first_keyword(text: str) -> str:
    """The first keyword after the prologue (``select``, ``insert``, ...), lower-cased."""
    code = []
    for kind, start, end in _tokens(text):
        if kind == "comment":
            code.append(" ")
        elif kind == "iri":
            code.append("<>")
        elif kind in ("string", "var"):
            code.append(" x ")
        else:
            code.append(text[start:end])
        if sum(len(c) for c in code) > 100_000:
            break
    m = _PROLOGUE.match("".join(code))
    return m.group(1).lower() if m else ""


def _check_depth(text: str) -> None:
    """Deeply nested SPARQL crashes Oxigraph's parser (a worker segfault): refuse it as 400."""
    from pipeline.errors import QueryError
    from pipeline.store.base import check_nesting

    try:
        check_nesting(text)
    except QueryError as e:
        raise EndpointError(400, e.message) from None


def check_query(text: str, allow_service: bool) -> None:
    """Raise :class:`EndpointError` (400) for an update or, unless allowed, a SERVICE query."""
    _check_depth(text)
    if first_keyword(text) in _UPDATE_KEYWORDS:
        raise EndpointError(400, UPDATE_AT_QUERY)
    if not allow_service and mentions(text, "service"):
        raise EndpointError(400, SERVICE_REFUSED)


def check_update(text: str, allow_service: bool) -> None:
    """Raise :class:`EndpointError` (400) for SERVICE or LOAD in an update unless allowed."""
    _check_depth(text)
    if allow_service:
        return
    if mentions(text, "service", update=True):
        raise EndpointError(400, SERVICE_REFUSED)
    if mentions(text, "load", update=True):
        raise EndpointError(400, LOAD_REFUSED)
