"""`fedatlas app`'s child runner: a child that ignores SIGTERM is still taken down.

The first SIGTERM reached the runner while it waited on the child without a bound, so
the grace period never started and a child ignoring SIGTERM kept running. Event-driven:
the child says it is ready on a pipe; the runner's exit is the event waited on.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import psutil

from atlas_testing import ROOT

STUBBORN = ("import signal, sys, os; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
            "print(os.getpid(), flush=True); sys.stdin.read()")
RUNNER = ("import sys; from app.cli import run_child; "
          f"sys.exit(run_child([sys.executable, '-c', {STUBBORN!r}], dict(__import__('os').environ), grace_s=1))")

HANG_GUARD_S = 600  # bounds a hang only; the test waits for the runner to exit


def test_sigterm_takes_down_a_child_that_ignores_it():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runner = subprocess.Popen([sys.executable, "-c", RUNNER], cwd=ROOT, env=env, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        child_pid = int(runner.stdout.readline())  # the child ignores SIGTERM from here on
        child = psutil.Process(child_pid)
        runner.send_signal(signal.SIGTERM)
        assert runner.wait(HANG_GUARD_S) == 128 + signal.SIGTERM  # the runner's exit is the event
        assert not child.is_running() or child.status() == psutil.STATUS_ZOMBIE
    finally:
        if runner.poll() is None:
            runner.kill()
            runner.wait(HANG_GUARD_S)
