"""`fedatlas serve` as a user runs it: prints its URL, answers, stops cleanly on Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli

ROOT = Path(__file__).resolve().parents[2]


def test_serve_help_lists_options():
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--token", "--allow-service", "--timeout", "--max-rows"):
        assert option in result.output


def _ignore_sigint() -> None:
    # what a non-interactive shell gives a background job (`fedatlas serve &` in a script, CI)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.parametrize("stop, inherited", [(signal.SIGINT, None), (signal.SIGINT, _ignore_sigint),
                                             (signal.SIGTERM, None)],
                         ids=["ctrl-c", "ctrl-c-started-in-background", "sigterm"])
def test_serve_prints_url_answers_and_stops_on_ctrl_c(store_dir, stop, inherited):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "FEDATLAS_TOKEN": ""}
    process = subprocess.Popen(
        [sys.executable, "-c", "from pipeline.cli import main; main()", "--store", store_dir, "serve", "--port", "0",
         "--no-log"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT, preexec_fn=inherited,
    )
    lines: list[str] = []
    found = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for raw in process.stdout:
            lines.append(raw.decode())
            if "http://" in lines[-1]:
                found.set()

    errors: list[str] = []

    def drain() -> None:  # an unread stderr pipe that fills up would block the server's exit
        assert process.stderr is not None
        errors.extend(raw.decode() for raw in process.stderr)

    threading.Thread(target=read, daemon=True).start()
    threading.Thread(target=drain, daemon=True).start()
    try:
        assert found.wait(60), f"no URL printed: {lines} {process.poll()}"
        url = re.search(r"http://\S+/query", "".join(lines)).group(0)
        with urllib.request.urlopen(f"{url}?query=ASK%7B%7D", timeout=30) as resp:
            assert b"true" in resp.read()
        process.send_signal(stop)
        # an event (the process ends), with a generous bound only against a hang: no timing claim
        assert process.wait(300) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(60)
