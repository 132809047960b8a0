"""Helpers shared by test modules: paths and the real CLI in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _shared_dir() -> Path:
    """The project's shared/ folder: beside the clone (CI) or above a worktree; never a fixed path."""
    if os.environ.get("FEDATLAS_SHARED"):
        return Path(os.environ["FEDATLAS_SHARED"])
    for parent in ROOT.parents:
        if (parent / "shared").is_dir():
            return parent / "shared"
    return ROOT.parent / "shared"


SHARED = _shared_dir()


def run_cli(*args: str, store: Path | str | None = None, input: str | None = None,
            env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the real `fedatlas` entry point in a new process."""
    cmd = [sys.executable, "-m", "pipeline.cli"]
    if store is not None:
        cmd += ["--store", str(store)]
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(cmd + list(args), capture_output=True, text=True, input=input,
                          env=full_env, cwd=ROOT, timeout=timeout)


def fake_distribution(site: Path, name: str, modules: dict[str, str], entry_points: str) -> Path:
    """An installed distribution as ``importlib.metadata`` sees it: ``modules`` (name -> source)
    and ``NAME-0.1.dist-info`` with ``entry_points.txt`` under ``site``; put ``site`` on the
    path (:func:`plugin_env`) and Atlas finds the plugins without any registry being patched."""
    dist = site / f"{name.replace('-', '_')}-0.1.dist-info"
    dist.mkdir(parents=True)
    for module, source in modules.items():
        (site / f"{module}.py").write_text(source)
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(entry_points)
    return site


def plugin_env(site: Path) -> dict:
    """The environment of a `fedatlas` process that has the distributions under ``site`` installed."""
    return {"PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])}


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_process(proc: subprocess.Popen, grace_s: float = 10) -> None:
    proc.terminate()
    try:
        proc.wait(grace_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


class running_app:
    """``with running_app(store_location) as url:`` the real Streamlit app on a free loopback port."""

    def __init__(self, store_location: str, start_timeout_s: float = 60) -> None:
        self.store_location = store_location
        self.start_timeout_s = start_timeout_s

    def __enter__(self) -> str:
        import tempfile
        import time
        import urllib.request

        from app.cli import streamlit_argv

        port = free_port()
        env = {**os.environ, "FEDATLAS_STORE": self.store_location, "PYTHONPATH": str(ROOT)}
        self.log = tempfile.TemporaryFile()  # a pipe nobody reads could fill up and stall the server
        self.proc = subprocess.Popen(streamlit_argv(port, self.store_location), cwd=ROOT, env=env,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + self.start_timeout_s
        while time.monotonic() < deadline:
            try:
                if urllib.request.urlopen(url + "/_stcore/health", timeout=1).read() == b"ok":
                    return url
            except OSError:
                time.sleep(0.3)
        stop_process(self.proc)
        self.log.seek(0)
        out = self.log.read().decode(errors="replace")[-2000:]
        self.log.close()
        raise RuntimeError("streamlit did not start: " + out)

    def __exit__(self, *exc) -> None:
        stop_process(self.proc)
        self.log.close()
