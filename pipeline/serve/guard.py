"""The endpoint's use of the one SPARQL guard (``pipeline.store.guard``), as HTTP 400s.

Oxigraph executes ``SERVICE`` and ``LOAD`` by fetching from other hosts and has no
switch to turn that off, so the endpoint refuses such requests before they run, and
refuses an update sent to /query. The judgement is the store guard's (a real parse,
the same one the app's console and ``fedatlas query`` use); this module only words it
for the endpoint (``--allow-service``) and turns it into :class:`EndpointError`.
These checks run inside the worker process, under the query timeout, so a
pathological request cannot stall the HTTP server.
"""

from __future__ import annotations

from pipeline.errors import QueryError
from pipeline.serve.config import EndpointError

SERVICE_REFUSED = "SERVICE is disabled on this endpoint (start with --allow-service to enable)"
LOAD_REFUSED = "LOAD is disabled on this endpoint: it fetches data from other hosts (start with --allow-service to enable)"
UPDATE_AT_QUERY = ("SPARQL Update operations are not accepted at /query; "
                   "POST them to /update with 'Authorization: Bearer TOKEN'")


def _inspect(text: str, update: bool):
    from pipeline.store.guard import inspect  # late: the worker imports pyoxigraph after its caps

    try:
        return inspect(text, update=update, need_form=False)
    except QueryError as e:  # nested too deeply for Oxigraph's parser
        raise EndpointError(400, e.message) from None


def check_query(text: str, allow_service: bool) -> None:
    """Raise :class:`EndpointError` (400) for an update or, unless allowed, a SERVICE query."""
    found = _inspect(text, update=False)
    if found.form == "UPDATE":
        raise EndpointError(400, UPDATE_AT_QUERY)
    if found.service and not allow_service:
        raise EndpointError(400, SERVICE_REFUSED)


def check_update(text: str, allow_service: bool) -> None:
    """Raise :class:`EndpointError` (400) for SERVICE or LOAD in an update unless allowed."""
    found = _inspect(text, update=True)
    if allow_service:
        return
    if found.service:
        raise EndpointError(400, SERVICE_REFUSED)
    if found.load:
        raise EndpointError(400, LOAD_REFUSED)
