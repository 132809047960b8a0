"""YASGUI and cross-origin pages in a real Chromium (Debian's) against ``fedatlas serve``.

No request may leave the machine: YASGUI is served from the vendored files.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from atlas_testing import CHROMIUM, CHROMIUM_ARGS

from .conftest import N_TRIPLES

HANG_MS = 180_000  # Playwright waits are for events; this bound only guards a hang on a busy machine

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                 reason=f"{CHROMIUM} not installed (apt-get install chromium; .ci/run does this)")]

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-artifacts" / "screenshots"


def _browser(pw):
    return pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def _local_only(page, outside: list[str]) -> None:
    def route(r):
        host = urlsplit(r.request.url).hostname
        if host in ("127.0.0.1", "localhost"):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()
    page.route("**/*", route)


def test_yasgui_type_a_query_see_the_table(make_endpoint):
    from playwright.sync_api import expect, sync_playwright

    server = make_endpoint()
    outside: list[str] = []
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = _browser(pw)
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        _local_only(page, outside)
        page.goto(server.base_url + "/")
        editor = page.locator(".yasqe .CodeMirror").first
        expect(editor).to_be_visible(timeout=HANG_MS)
        editor.click()
        page.keyboard.press("Control+A")
        page.keyboard.press("Delete")
        page.keyboard.type("SELECT (COUNT(*) AS ?total) WHERE { ?s ?p ?o }")
        page.locator(".yasqe_queryButton").first.click()
        table = page.locator(".yasr table")
        try:
            expect(table).to_contain_text("total", timeout=HANG_MS)
            expect(table).to_contain_text(str(N_TRIPLES), timeout=HANG_MS)
        finally:
            page.screenshot(path=str(SHOTS / "yasgui.png"))
        browser.close()
    assert outside == [], f"YASGUI reached outside the machine: {outside}"


class _PageServer(ThreadingHTTPServer):
    """Another origin: serves one page that fetches from the endpoint the way YASGUI does."""

    daemon_threads = True

    def __init__(self, page: bytes) -> None:
        self.page = page

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *args: object) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


FETCHES = """
async (endpoint) => {
  const out = {};
  async function attempt(name, url, init) {
    try {
      const r = await fetch(url, init);
      out[name] = {status: r.status, body: await r.text()};
    } catch (e) { out[name] = {error: String(e)}; }
  }
  // YASGUI's POST: a form body with an Accept header listing result types (a simple request)
  await attempt("form", endpoint + "/query", {method: "POST", headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      "Accept": "application/sparql-results+json,*/*;q=0.9"},
    body: "query=" + encodeURIComponent("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")});
  // a direct POST needs a CORS preflight (OPTIONS)
  await attempt("direct", endpoint + "/query", {method: "POST", headers: {
      "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
    body: "ASK { ?s ?p ?o }"});
  await attempt("get", endpoint + "/query?query=" + encodeURIComponent("ASK {}"), {});
  // an update from the page, even with the token, must not go through
  await attempt("update", endpoint + "/update", {method: "POST", headers: {
      "Content-Type": "application/sparql-update", "Authorization": "Bearer t0ken"}, body: "CLEAR ALL"});
  return out;
}
"""


def _fetch_from_other_origin(allowed: bool, make_endpoint) -> dict:
    from playwright.sync_api import sync_playwright

    page_server = _PageServer(b"<!doctype html><title>other origin</title><p>a page elsewhere</p>")
    try:
        origins = (page_server.origin,) if allowed else ()
        server = make_endpoint(cors_origins=origins, token="t0ken")
        with sync_playwright() as pw:
            browser = _browser(pw)
            page = browser.new_page()
            page.goto(page_server.origin + "/")
            result = page.evaluate(FETCHES, server.base_url)
            browser.close()
        return {"result": result, "server": server}
    finally:
        page_server.shutdown()
        page_server.server_close()


def test_cross_origin_page_reads_when_allowed_and_never_updates(make_endpoint):
    from .conftest import count_triples

    answers = _fetch_from_other_origin(True, make_endpoint)
    result, server = answers["result"], answers["server"]
    assert result["form"]["status"] == 200 and f'"{N_TRIPLES}"' in result["form"]["body"]
    assert result["direct"]["status"] == 200 and "true" in result["direct"]["body"]
    assert result["get"]["status"] == 200
    assert "error" in result["update"], result["update"]  # the preflight gets no CORS answer
    assert count_triples(server.config.location) == N_TRIPLES


def test_cross_origin_page_is_refused_without_cors_origin(make_endpoint):
    result = _fetch_from_other_origin(False, make_endpoint)["result"]
    assert all("error" in result[name] for name in ("form", "direct", "get", "update")), result
