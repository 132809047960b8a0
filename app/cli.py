"""`fedatlas app`: start the reviewer's workbench (Streamlit) on 127.0.0.1."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click

MAIN = Path(__file__).with_name("main.py")


def streamlit_argv(port: int, store: str | None) -> list[str]:
    argv = [sys.executable, "-m", "streamlit", "run", str(MAIN), "--server.address", "127.0.0.1",
            "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false",
            "--server.maxUploadSize", "50", "--server.fileWatcherType", "none",
            # no full garbage collection after every run: it walks the whole heap (the read models of a
            # 5,000-record review) while holding the GIL, 0.26 s of each click measured; Python's own GC stays on
            "--runner.postScriptGC", "false"]
    if store:
        argv += ["--", "--store", store]
    return argv


@click.command("app")
@click.option("--port", default=8501, show_default=True, type=click.IntRange(1, 65535))
@click.option("--store", "store_location", metavar="PATH|URL", help="Store to curate (default: fedatlas --store).")
@click.pass_obj
def app_cmd(obj, port: int, store_location: str | None) -> None:
    """The reviewer's workbench in your browser (http://127.0.0.1:PORT)."""
    from pipeline.store import default_location

    location = store_location or obj.store_location or default_location()
    env = {**os.environ, "FEDATLAS_STORE": location}
    click.echo(f"FedNAS Atlas app on http://127.0.0.1:{port} (store {location}); Ctrl-C stops it")
    raise SystemExit(run_child(streamlit_argv(port, location), env))


def run_child(argv: list[str], env: dict[str, str], grace_s: float = 20) -> int:
    """Run the Streamlit server as our child and take it down with us: SIGTERM or SIGHUP
    to ``fedatlas app`` (a service manager, ``kill``, a closed terminal) is passed on to
    the child, which is killed if it does not stop within ``grace_s``; Ctrl-C reaches
    both (same process group) and we wait for the child to finish."""
    import signal

    child = subprocess.Popen(argv, env=env)
    stopping: list[int] = []

    def forward(signum: int, _frame: object) -> None:
        stopping.append(signum)
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        while True:
            try:
                code = child.wait(grace_s if stopping else None)
                break
            except subprocess.TimeoutExpired:
                child.kill()
            except KeyboardInterrupt:
                stopping.append(signal.SIGINT)
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if child.poll() is None:
            child.kill()
            child.wait()
    if stopping:
        return 130 if stopping[0] == signal.SIGINT else 128 + stopping[0]
    return code


commands = [app_cmd]
