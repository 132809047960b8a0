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
            "--server.maxUploadSize", "50", "--server.fileWatcherType", "none"]
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
    try:
        raise SystemExit(subprocess.call(streamlit_argv(port, location), env=env))
    except KeyboardInterrupt:
        raise SystemExit(130) from None


commands = [app_cmd]
