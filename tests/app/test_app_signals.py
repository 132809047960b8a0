"""`fedatlas app` takes its Streamlit server down with it when it is told to stop."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request

import psutil

from atlas_testing import ROOT, free_port


def test_sigterm_to_fedatlas_app_stops_the_streamlit_child(seeded_store):
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "--store", seeded_store.location, "app",
                             "--port", str(port)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300  # a bound against a hang; the event is the health answer
        while True:
            try:
                if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=5).read() == b"ok":
                    break
            except OSError:
                assert proc.poll() is None, "fedatlas app exited before serving"
                assert time.monotonic() < deadline, "streamlit did not answer"
                time.sleep(0.3)
        children = psutil.Process(proc.pid).children(recursive=True)
        assert children, "the app runs Streamlit as a child process"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(120) == 128 + signal.SIGTERM
        gone, alive = psutil.wait_procs(children, timeout=60)
        assert not alive, f"still running after SIGTERM: {[p.pid for p in alive]}"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(30)
