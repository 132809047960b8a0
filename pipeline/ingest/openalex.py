"""OpenAlex client for forward snowballing: JSON over HTTP, retry with backoff, cursor paging.

OpenAlex answers at most 200 works a page; ``cursor=*`` then ``meta.next_cursor``
walks through all of them, and ``meta.count`` says how many there are, so a
short read is noticed. Requests carry ``mailto`` (OpenAlex's "polite pool")
when an address is given (argument, or ``FEDATLAS_MAILTO`` / ``OPENALEX_MAILTO``).
``FEDATLAS_OPENALEX_URL`` points the client at another server (a mirror, a test).
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field

from pipeline.errors import NetworkUnavailableError

OPENALEX = "https://api.openalex.org"
TIMEOUT_S = 5.0
PER_PAGE = 200  # OpenAlex's maximum
RETRIES = 4
RETRY_STATUS = {429, 500, 502, 503, 504}

Fetch = Callable[[str], dict]


def base_url() -> str:
    return os.environ.get("FEDATLAS_OPENALEX_URL", OPENALEX).rstrip("/")


def default_mailto() -> str | None:
    return os.environ.get("FEDATLAS_MAILTO") or os.environ.get("OPENALEX_MAILTO") or None


def fetch_json(url: str, timeout: float = TIMEOUT_S) -> dict:
    """GET ``url`` as JSON; NetworkUnavailableError when the network is not there.

    The whole call (DNS included, which ``urlopen``'s timeout does not cover)
    is bounded by ``timeout``. An HTTP error status is raised as ``HTTPError``.
    """
    box: dict = {}

    def run() -> None:
        try:
            req = urllib.request.Request(url, headers={"User-Agent": "fednas-atlas (snowball)"})
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                box["data"] = json.loads(resp.read().decode("utf-8"))
        except urllib.error.HTTPError as e:
            box["http"] = e
        except (urllib.error.URLError, OSError, ValueError) as e:
            box["error"] = e

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout + 1)
    if "http" in box:
        raise box["http"]
    if "data" in box:
        return box["data"]
    reason = box.get("error") or f"no answer within {timeout:.0f} s"
    raise NetworkUnavailableError(
        f"forward snowballing asks OpenAlex ({base_url()}) for citing works, but it cannot be reached: {reason}",
        hint="connect to the internet and retry; `fedatlas snowball --backward` works offline")


def with_retry(fetch: Fetch, retries: int = RETRIES, backoff_s: float = 1.0,
               sleep: Callable[[float], None] = time.sleep) -> Fetch:
    """``fetch`` that retries rate limits, server errors and lost connections with exponential backoff."""

    def call(url: str) -> dict:
        for attempt in range(retries + 1):
            try:
                return fetch(url)
            except urllib.error.HTTPError as e:
                if e.code not in RETRY_STATUS or attempt == retries:
                    raise
                after = e.headers.get("Retry-After") if e.headers is not None else None
                wait = float(after) if after and str(after).replace(".", "", 1).isdigit() else backoff_s * 2 ** attempt
            except NetworkUnavailableError:
                if attempt == retries:
                    raise
                wait = backoff_s * 2 ** attempt
            sleep(min(wait, 60.0))
        raise AssertionError("unreachable")  # pragma: no cover

    return call


def with_mailto(url: str, mailto: str | None) -> str:
    if not mailto:
        return url
    return url + ("&" if "?" in url else "?") + "mailto=" + urllib.parse.quote(mailto, safe="@.")


@dataclass
class CitingWorks:
    """What OpenAlex returned for one cited work."""

    works: list[dict] = field(default_factory=list)
    reported: int | None = None  # meta.count
    pages: int = 0
    capped: bool = False

    @property
    def left_out(self) -> int:
        """Works OpenAlex reported but that were not read (cap reached or pages missing)."""
        return max(0, (self.reported or 0) - len(self.works))


def citing_works(work_id: str, fetch: Fetch, mailto: str | None = None, limit: int | None = None,
                 base: str | None = None) -> CitingWorks:
    """Every work citing ``work_id`` (``W123``), page by page with the cursor, up to ``limit``."""
    base = base or base_url()
    out = CitingWorks()
    cursor: str | None = "*"
    per_page = PER_PAGE if limit is None else max(1, min(PER_PAGE, limit))
    while cursor:
        url = with_mailto(f"{base}/works?filter=cites:{work_id}&per-page={per_page}"
                          f"&cursor={urllib.parse.quote(cursor, safe='*')}", mailto)
        page = fetch(url)
        meta = page.get("meta") or {}
        if out.reported is None and meta.get("count") is not None:
            out.reported = int(meta["count"])
        results = page.get("results") or []
        out.pages += 1
        if limit is not None and len(out.works) + len(results) >= limit:
            cut = len(out.works) + len(results) > limit
            out.works += results[: limit - len(out.works)]
            out.capped = cut or (out.reported or 0) > limit
            break
        out.works += results
        cursor = meta.get("next_cursor") if results else None
        if out.reported is not None and len(out.works) >= out.reported:
            break
    return out
