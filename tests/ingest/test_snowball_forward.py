"""Forward snowballing against a local OpenAlex-shaped HTTP server on 127.0.0.1.

OpenAlex is a remote service, not part of Atlas: the fake answers like it does
(``meta.count``, ``meta.next_cursor``, 200 per page at most, 404 for unknown DOIs,
a 503 now and then) so paging, the count check, retries and ``mailto`` are tested
over real HTTP with the real client.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

CITING = {"W111": (450, 450), "W222": (3, 5)}  # work -> (works served, meta.count claimed)
DOIS = {"10.48550/arxiv.2002.06352": "W111", "10.48550/arxiv.2004.08546": "W222"}


class FakeOpenAlex(BaseHTTPRequestHandler):
    requests: list[str] = []
    fail_once: set[str] = set()
    always_fail = False

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def _send(self, code: int, body: dict | None = None, headers: dict | None = None) -> None:
        data = json.dumps(body or {}).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802
        type(self).requests.append(self.path)
        url = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(url.query)
        if type(self).always_fail:
            return self._send(503, {"error": "busy"}, {"Retry-After": "0"})
        if url.path.startswith("/works/doi:"):
            work = DOIS.get(urllib.parse.unquote(url.path[len("/works/doi:"):]).lower())
            return self._send(200, {"id": f"https://openalex.org/{work}"}) if work else self._send(404, {"error": "no"})
        if url.path == "/works":
            work = q["filter"][0].split(":", 1)[1]
            per_page, cursor = min(200, int(q["per-page"][0])), q["cursor"][0]
            key = f"{work}|{cursor}"
            if key in type(self).fail_once:
                type(self).fail_once.discard(key)
                return self._send(503, {"error": "busy"}, {"Retry-After": "0"})
            served, claimed = CITING[work]
            start = 0 if cursor == "*" else int(cursor)
            works = [{"id": f"https://openalex.org/W{work}{i}", "display_name": f"Citing study {i} of {work} on federated search",
                      "publication_year": 2024, "doi": f"https://doi.org/10.9999/{work.lower()}.{i}"}
                     for i in range(start, min(served, start + per_page))]
            nxt = str(start + per_page) if start + per_page < served else None
            return self._send(200, {"meta": {"count": claimed, "per_page": per_page, "next_cursor": nxt},
                                    "results": works})
        return self._send(404, {})


@pytest.fixture
def openalex():
    FakeOpenAlex.requests, FakeOpenAlex.fail_once, FakeOpenAlex.always_fail = [], {"W111|200"}, False
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeOpenAlex)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_forward_pages_through_everything_and_checks_the_count(seeded_store, openalex):
    from pipeline.ingest.snowball import SNOWBALL_GRAPH, forward

    waits: list[float] = []
    result = forward(seeded_store, base=openalex, mailto="review@example.org", sleep=waits.append)
    assert result.fetched == 453 and result.reported == 455
    assert len(result.proposed) == 453
    # the fake claims 5 works citing He et al. but serves 3: the shortfall is reported, not hidden
    assert result.left_out == {"https://w3id.org/fedatlas/id/paper/he2020-fednas": 2}
    assert result.not_found == ["https://w3id.org/fedatlas/id/paper/dudziak2022-fedoras"]
    assert "2 LEFT OUT (pages missing)" in result.summary()
    pages = [r for r in FakeOpenAlex.requests if "filter=cites:W111" in r]
    assert len(pages) == 4  # 200 + (503, retried) 200 + 50
    assert waits == [0.0]  # one retry, after the server's Retry-After
    assert all("mailto=review@example.org" in r for r in FakeOpenAlex.requests)
    n = seeded_store.select(f"SELECT (COUNT(?p) AS ?n) WHERE {{ GRAPH {SNOWBALL_GRAPH} {{ ?p fa:recordSource 'forward' }} }}")
    assert n[0]["n"] == 453


def test_forward_cap_says_how_many_were_left_out(seeded_store, openalex):
    from pipeline.ingest.snowball import forward

    result = forward(seeded_store, base=openalex, max_per_paper=100, dry_run=True, sleep=lambda s: None)
    assert result.fetched == 103
    assert result.left_out == {"https://w3id.org/fedatlas/id/paper/xu2020-fednas": 350,
                               "https://w3id.org/fedatlas/id/paper/he2020-fednas": 2}
    assert "352 LEFT OUT (the cap of 100 per paper)" in result.summary()


def test_forward_gives_up_after_retries_and_writes_nothing(seeded_store, openalex):
    from pipeline.ingest.snowball import SNOWBALL_GRAPH, forward

    FakeOpenAlex.always_fail = True
    waits: list[float] = []
    with pytest.raises(urllib.error.HTTPError) as err:
        forward(seeded_store, base=openalex, retries=3, sleep=waits.append)
    assert err.value.code == 503 and len(waits) == 3
    assert seeded_store.count(SNOWBALL_GRAPH) == 0


def test_backoff_doubles_without_retry_after():
    from pipeline.errors import NetworkUnavailableError
    from pipeline.ingest.openalex import with_retry

    calls, waits = [], []

    def flaky(url: str) -> dict:
        calls.append(url)
        if len(calls) < 4:
            raise NetworkUnavailableError("timed out")
        return {"ok": True}

    assert with_retry(flaky, retries=4, backoff_s=0.5, sleep=waits.append)("u") == {"ok": True}
    assert waits == [0.5, 1.0, 2.0]
