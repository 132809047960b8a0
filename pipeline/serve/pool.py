"""A small pool of worker processes with a hard per-job timeout (kill and replace)."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from pipeline.serve.answers import Job, Reply
from pipeline.serve.config import EndpointError

STARTUP_S = 60.0


@dataclass(eq=False)
class _Worker:
    process: subprocess.Popen[bytes]
    send: Connection
    conn: Connection  # the worker's answers
    ready: bool = False
    isolated: bool = False


class WorkerPool:
    """``size`` worker processes for one store; :meth:`run` sends a job to an idle one.

    A job that runs past ``timeout_s`` gets its worker killed (SIGKILL; the kernel
    frees the store's locks) and replaced; the caller gets a 503 "Query timed out".
    """

    def __init__(self, location: str, size: int = 2, memory_mb: int = 0, isolate: bool = False) -> None:
        self.location = location
        self.memory_mb = memory_mb
        self.isolate = isolate
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        for _ in range(max(1, size)):
            self._idle.put(self._spawn())

    def _spawn(self) -> _Worker:
        """Start ``python -m pipeline.serve.child`` with two pipes (not multiprocessing:
        a fresh interpreter does not re-import the caller's main module)."""
        to_child_r, to_child_w = os.pipe()
        to_parent_r, to_parent_w = os.pipe()
        env = dict(os.environ)
        root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "pipeline.serve.child", str(to_child_r), str(to_parent_w),
                 self.location, str(self.memory_mb), "1" if self.isolate else "0"],
                pass_fds=(to_child_r, to_parent_w), stdin=subprocess.DEVNULL, env=env,
                start_new_session=True,  # Ctrl-C in the terminal is the server's, not the workers'
            )
        finally:
            os.close(to_child_r)
            os.close(to_parent_w)
        worker = _Worker(process, Connection(to_child_w, readable=False), Connection(to_parent_r, writable=False))
        with self._lock:
            self._all.add(worker)
        return worker

    def _discard(self, worker: _Worker) -> None:
        with self._lock:
            self._all.discard(worker)
        try:
            worker.process.kill()
            worker.process.wait(5)
        except (OSError, subprocess.TimeoutExpired):
            pass
        for conn in (worker.send, worker.conn):
            try:
                conn.close()
            except OSError:
                pass

    def _replace(self, worker: _Worker) -> None:
        self._discard(worker)
        if not self._closed:
            self._idle.put(self._spawn())

    def _await_ready(self, worker: _Worker) -> None:
        if worker.ready:
            return
        if not worker.conn.poll(STARTUP_S):
            raise EOFError("worker did not start")
        tag, isolated = worker.conn.recv()
        worker.ready, worker.isolated = tag == "ready", bool(isolated)

    def warm_up(self) -> bool:
        """Wait until one worker is ready; True if it runs without network access."""
        worker = self._idle.get(timeout=STARTUP_S)
        try:
            self._await_ready(worker)
        except (EOFError, OSError):
            self._replace(worker)
            raise EndpointError(500, "the query worker process failed to start") from None
        self._idle.put(worker)
        return worker.isolated

    def run(self, job: Job, timeout_s: float, wait_s: float) -> Reply:
        """Answer ``job`` within ``timeout_s`` (after waiting at most ``wait_s`` for a free worker)."""
        if self._closed:
            raise EndpointError(503, "Server is shutting down")
        try:
            worker = self._idle.get(timeout=wait_s)
        except queue.Empty:
            raise EndpointError(503, f"Server busy: no query worker became free within {wait_s:g} s; try again") from None
        try:
            self._await_ready(worker)
            worker.send.send(job)
            if not worker.conn.poll(timeout_s):
                self._replace(worker)
                what = "Update" if job.kind in ("update", "graph_write", "graph_delete") else "Query"
                undo = " (an update is atomic: it was applied whole or not at all)" if what == "Update" else ""
                raise EndpointError(503, f"{what} timed out after {timeout_s:g} s (limit set by --timeout) "
                                         f"and was stopped{undo}")
            reply = worker.conn.recv()
        except (EOFError, OSError):
            self._replace(worker)
            raise EndpointError(500, "Query failed: the worker process died (out of memory? see --memory-mb); "
                                     "the server is still running") from None
        except BaseException:
            self._replace(worker)  # never hand a worker in an unknown state to the next request
            raise
        self._idle.put(worker)
        return reply

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all)
        for worker in workers:
            try:
                worker.send.send(None)
            except (OSError, ValueError):
                pass
        for worker in workers:
            try:
                worker.process.wait(1)
            except subprocess.TimeoutExpired:
                pass
            self._discard(worker)
