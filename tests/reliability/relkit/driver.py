"""The forking CLI runner: one warm interpreter that runs each command in a forked, time-limited child."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from relkit.common import FAST_PROPOSERS, HANG_GUARD_S, ROOT, role_argv


@dataclass
class Outcome:
    rc: int | None
    stdout: str
    stderr: str
    elapsed: float
    timed_out: bool
    killed: bool


class Driver:
    """A process that imports Atlas once, then runs each CLI command (or kit function) in a forked
    child under a time limit, or SIGKILLs it after ``kill_after`` seconds: per-command process
    isolation at a fraction of a new interpreter's start-up cost."""

    def __init__(self) -> None:
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen(role_argv("driver"), cwd=ROOT, env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        ready = self.proc.stdout.readline()
        if ready.strip() != "ready":
            raise RuntimeError(f"driver did not start: {ready!r}")

    def run(self, args: list[str] | None = None, call: list | None = None, timeout: float = HANG_GUARD_S,
            kill_after: float | None = None) -> Outcome:
        job = {"args": args, "call": call, "timeout": timeout, "kill_after": kill_after}
        self.proc.stdin.write(json.dumps(job) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("driver died")
        return Outcome(**json.loads(line))

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(HANG_GUARD_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def __enter__(self) -> Driver:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def driver_main() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import pipeline.cli  # noqa: F401  warm imports the children inherit
    import pipeline.ingest
    from pipeline import curate  # noqa: F401
    from pipeline.store.shacl import validate_store  # noqa: F401

    pipeline.ingest.process_file(str(ROOT / "corpus" / "seeds" / "001-xu-fednas.md"), None, FAST_PROPOSERS)
    out = sys.stdout
    print("ready", flush=True)
    for line in sys.stdin:
        job = json.loads(line)
        tmp = tempfile.TemporaryDirectory()
        o_path, e_path = Path(tmp.name) / "o", Path(tmp.name) / "e"
        t0 = time.monotonic()
        pid = os.fork()
        if pid == 0:  # child
            code = 70
            try:
                fo = os.open(o_path, os.O_WRONLY | os.O_CREAT)
                fe = os.open(e_path, os.O_WRONLY | os.O_CREAT)
                os.dup2(fo, 1)
                os.dup2(fe, 2)
                sys.stdout = open(1, "w", closefd=False)
                sys.stderr = open(2, "w", closefd=False)
                try:
                    if job["args"] is not None:
                        pipeline.cli.main(job["args"])
                        code = 0
                    else:
                        import relkit

                        fn, *fargs = job["call"]
                        getattr(relkit, fn)(*fargs)
                        code = 0
                except SystemExit as e:
                    code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
                except BaseException:  # noqa: BLE001 - a traceback is what the tests look for
                    import traceback

                    traceback.print_exc()
                    code = 99
            finally:
                try:
                    sys.stdout.flush()
                    sys.stderr.flush()
                finally:
                    os._exit(code)
        limit = job["kill_after"] if job["kill_after"] is not None else job["timeout"]
        fired = threading.Event()

        def kill(pid: int = pid, fired: threading.Event = fired) -> None:  # at the chosen moment or the hang guard
            fired.set()
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

        timer = threading.Timer(limit, kill)
        timer.start()
        _, status = os.waitpid(pid, 0)  # the child's exit is the event waited on
        timer.cancel()
        timer.join()  # no thread left running when the next job forks
        killed = fired.is_set() and job["kill_after"] is not None
        timed_out = fired.is_set() and not killed
        rc = None if fired.is_set() else os.waitstatus_to_exitcode(status)
        res = {"rc": rc, "stdout": o_path.read_text(errors="replace") if o_path.exists() else "",
               "stderr": e_path.read_text(errors="replace") if e_path.exists() else "",
               "elapsed": time.monotonic() - t0, "timed_out": timed_out, "killed": killed}
        tmp.cleanup()
        out.write(json.dumps(res) + "\n")
        out.flush()
