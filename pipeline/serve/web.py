"""What a browser needs from ``fedatlas serve``: CORS for reads and the YASGUI page.

CORS: a page from another origin may *read* (``/query``, ``GET /store``) when its
origin is one of ``--cors-origin`` (or ``*``); ``/update`` and Graph Store writes
never get CORS headers, so a web page the reviewer visits cannot change the store.

YASGUI (``@zazuko/yasgui``, MIT) is vendored under ``static/``: no CDN at run time.
"""

from __future__ import annotations

from importlib import resources

READ_METHODS = ("GET", "HEAD", "POST")
# request headers a cross-origin read may send (never Authorization: reads need no token)
_ALLOWED_HEADERS = {"accept", "content-type", "accept-language", "content-language", "x-requested-with"}
STATIC_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
                ".txt": "text/plain; charset=utf-8"}


def is_read(path: str, method: str) -> bool:
    """Requests a cross-origin page may make: queries, Graph Store reads, the page itself."""
    if path in ("/query", "/sparql"):
        return method in READ_METHODS or method == "OPTIONS"
    if path == "/store":
        return method in ("GET", "HEAD", "OPTIONS")
    return path == "/" or path.startswith("/static/")


def allowed_origin(origin: str | None, allowed: tuple[str, ...]) -> str | None:
    """The value of Access-Control-Allow-Origin for this Origin, or None (no CORS)."""
    if not origin or not allowed:
        return None
    if "*" in allowed:
        return "*"
    return origin if origin in allowed else None


def cors_headers(origin: str | None, allowed: tuple[str, ...]) -> dict[str, str]:
    value = allowed_origin(origin, allowed)
    return {"Access-Control-Allow-Origin": value} if value else {}


def preflight_headers(origin: str | None, allowed: tuple[str, ...], path: str,
                      method: str | None, requested: str | None) -> dict[str, str]:
    """Headers answering an OPTIONS preflight; empty (the browser then refuses) unless allowed."""
    value = allowed_origin(origin, allowed)
    if not value or not method or not is_read(path, method.upper()):
        return {}
    asked = [h.strip().lower() for h in (requested or "").split(",") if h.strip()]
    if any(h not in _ALLOWED_HEADERS for h in asked):
        return {}
    methods = "GET, HEAD, POST" if path in ("/query", "/sparql") else "GET, HEAD"
    headers = {"Access-Control-Allow-Origin": value, "Access-Control-Allow-Methods": methods,
               "Access-Control-Max-Age": "600"}
    if asked:
        headers["Access-Control-Allow-Headers"] = ", ".join(asked)
    return headers


def static_file(path: str) -> tuple[bytes, str] | None:
    """A vendored file under ``/static/NAME`` (no subdirectories), or None."""
    name = path.removeprefix("/static/")
    if not name or "/" in name or name.startswith("."):
        return None
    suffix = name[name.rfind("."):] if "." in name else ""
    if suffix not in STATIC_TYPES:
        return None
    ref = resources.files("pipeline.serve").joinpath("static", name)
    if not ref.is_file():
        return None
    return ref.read_bytes(), STATIC_TYPES[suffix]


def yasgui_page(default_query: str) -> bytes:
    """The YASGUI page, talking to this endpoint's /query (same origin)."""
    import json

    config = json.dumps(default_query).replace("</", "<\\/")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>FedNAS Atlas SPARQL endpoint</title>
<link rel="stylesheet" href="/static/yasgui.min.css">
<style>body{{margin:0;font-family:sans-serif}} header{{padding:.4em 1em;background:#f3f3f3}}</style>
</head><body>
<header>FedNAS Atlas SPARQL endpoint: queries at <code>/query</code>,
service description as JSON at <code>/</code> with <code>Accept: application/json</code></header>
<div id="yasgui"></div>
<script src="/static/yasgui.min.js"></script>
<script>
Yasgui.Yasqe.defaults.value = {config};
const yasgui = new Yasgui(document.getElementById("yasgui"), {{
  requestConfig: {{ endpoint: new URL("/query", window.location.href).href, method: "POST" }},
  copyEndpointOnNewTab: false,
  persistenceId: null,
}});
</script>
</body></html>
""".encode()
