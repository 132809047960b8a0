"""``fedatlas serve``: a SPARQL 1.1 Protocol endpoint over the Atlas store.

Read-only unless started with a token; ``SERVICE``/``LOAD`` refused unless
allowed; every query runs in a worker process under a timeout and a result cap.

>>> from pipeline.serve import EndpointConfig, EndpointServer
>>> with EndpointServer(EndpointConfig("path/to/store", port=0)).start() as server:  # doctest: +SKIP
...     print(server.url)
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable

from pipeline.serve.config import EndpointConfig, EndpointError
from pipeline.serve.server import EndpointServer

__all__ = ["EndpointConfig", "EndpointError", "EndpointServer", "serve"]


def describe(config: EndpointConfig, url: str, isolated: bool) -> str:
    """The start-up banner: where, and under which limits."""
    mode = "read-only" if config.read_only else "updates with token"
    service = "SERVICE allowed" if config.allow_service else "SERVICE refused"
    net = "; workers without network" if isolated else ""
    return (f"FedNAS Atlas SPARQL endpoint on {url}  ({mode}; {service}; timeout {config.timeout_s:g} s; "
            f"max {config.max_rows} rows{net})\nstore: {config.location}\nCtrl-C to stop.")


def _stop_on_signals() -> None:
    """Ctrl-C (SIGINT) and ``kill`` (SIGTERM) both stop the endpoint cleanly.

    A process started in the background by a non-interactive shell (``fedatlas serve &`` in a
    script, CI) inherits SIGINT as *ignored*, and Python then never raises KeyboardInterrupt:
    the endpoint could only be killed, leaving its workers behind. Both signals are set here."""
    if threading.current_thread() is not threading.main_thread():
        return

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, stop)


def serve(config: EndpointConfig, echo: Callable[[str], object] = print) -> None:
    """Run the endpoint in the foreground until Ctrl-C or SIGTERM (then stop cleanly)."""
    _stop_on_signals()
    server = EndpointServer(config)
    try:
        isolated = server.pool.warm_up()
        echo(describe(config, server.url, isolated))
        server.serve_forever()
    except KeyboardInterrupt:
        echo("stopping")
    finally:
        server.close()
