"""Flower's Simulation Runtime running the same client and strategy code.

A Flower ``ServerApp`` and ``ClientApp`` run under ``flwr.simulation.run_simulation``
(Ray backend), one simulation per engine, kept alive across rounds. The
ServerApp's main loop takes each batch of jobs our :mod:`eval_fednas.strategy`
code produced, sends every client *one* message holding all of its jobs of the
round (so the same client twice in a round runs its jobs in order, never
concurrently), and hands the replies back. Fusion, dropping and accounting stay
in our strategy code, so the builtin and Flower engines run identical logic.

Each ClientApp loads its own partition from disk by its ``partition-id`` (no
dataset travels in a closure); ``--device cuda`` gives each client a GPU share.
The loop ends when the engine is closed: the ServerApp returns normally after
the real number of rounds, Flower terminates its actors and shuts Ray down.
Requires the ``[flower]`` extra (``flwr[simulation]``).
"""

from __future__ import annotations

import json
import logging
import os
import queue
import shutil
import tempfile
import threading
import time
import weakref
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import torch

from pipeline.errors import AtlasError

from .base import Engine, FitJob, FitResult
from .heap import keep_heap
from .local import local_fit

if TYPE_CHECKING:
    from flwr.app.typing import ConfigRecordValues

_PARTITIONS: dict[tuple[str, int], object] = {}  # per Ray worker: partitions loaded so far


def save_partitions(clients, directory: Path) -> None:
    for c in clients:
        torch.save(c, directory / f"partition-{c.cid}.pt")


def load_partition(directory: str, pid: int):
    """The partition of client ``pid``, read once per worker process."""
    key = (directory, pid)
    if key not in _PARTITIONS:
        _PARTITIONS[key] = torch.load(Path(directory) / f"partition-{pid}.pt", weights_only=False)
    return _PARTITIONS[key]


def _job_meta(job: FitJob) -> dict:
    meta = {k: v for k, v in asdict(job).items() if k not in ("params", "buffers")}
    meta.update(pkeys=sorted(job.params), bkeys=sorted(job.buffers))
    return meta


def _tensors(job: FitJob) -> dict[str, torch.Tensor]:
    out = {f"p.{k}": v.detach().cpu() for k, v in job.params.items()}
    out.update({f"b.{k}": v.detach().cpu() for k, v in job.buffers.items()})
    return out


def _split(state: dict[str, torch.Tensor]) -> tuple[dict, dict]:
    return ({k[2:]: v for k, v in state.items() if k.startswith("p.")},
            {k[2:]: v for k, v in state.items() if k.startswith("b.")})


def make_client_app():
    """The ClientApp: answers who it is (``query``) and trains its jobs (``train``)."""
    from flwr.app import ArrayRecord, ConfigRecord, Message, MetricRecord, RecordDict
    from flwr.clientapp import ClientApp

    app = ClientApp()

    @app.query()
    def whoami(msg: Message, context) -> Message:
        pid = int(context.node_config["partition-id"])
        return Message(RecordDict({"id": MetricRecord({"partition_id": pid, "os_pid": os.getpid()})}), reply_to=msg)

    @app.train()
    def train(msg: Message, context) -> Message:
        torch.set_num_threads(1)
        keep_heap()  # as the in-process engines run
        cfg = msg.content["config"]
        pid = int(context.node_config["partition-id"])
        data = load_partition(str(cfg["data_dir"]), pid)
        metas = json.loads(str(cfg["jobs"]))
        content = RecordDict({"meta": ConfigRecord({"os_pid": os.getpid()})})
        for i, meta in enumerate(metas):
            record = msg.content[f"job{i}"]
            if not isinstance(record, ArrayRecord):
                raise TypeError(f"job{i}: expected an ArrayRecord, got {type(record).__name__}")
            params, buffers = _split(record.to_torch_state_dict())
            meta = {k: v for k, v in meta.items() if k not in ("pkeys", "bkeys")}
            r = local_fit(FitJob(params=params, buffers=buffers, **meta), data, str(cfg["device"]))
            content[f"res{i}"] = ArrayRecord(torch_state_dict={**{f"p.{k}": v.cpu() for k, v in r.params.items()},
                                                               **{f"b.{k}": v.cpu() for k, v in r.buffers.items()}})
            content[f"m{i}"] = MetricRecord({"n_train": r.n_train, "n_eval": r.n_eval, "correct": r.correct,
                                             "train_macs": r.train_macs, "eval_macs": r.eval_macs})
        return Message(content, reply_to=msg)

    return app


def make_server_app(engine: FlowerEngine):
    """The ServerApp: one round per batch of jobs from the engine, until the engine closes."""
    from flwr.app import ArrayRecord, ConfigRecord, Message, RecordDict
    from flwr.serverapp import ServerApp

    app = ServerApp()

    @app.main()
    def main(grid, context) -> None:
        deadline = time.monotonic() + 120
        while len(nodes := list(grid.get_node_ids())) < len(engine.clients):  # as Flower's sample_nodes
            if time.monotonic() > deadline:
                raise AtlasError(f"only {len(nodes)} of {len(engine.clients)} Flower nodes registered")
            time.sleep(0.05)
        replies = grid.send_and_receive([Message(RecordDict(), dst_node_id=n, message_type="query") for n in nodes])
        node_of, engine.worker_pids = {}, set()
        for r in replies:
            if r.has_error():
                raise AtlasError(f"Flower client failed to start: {r.error.reason}")
            m = r.content["id"]
            node_of[int(m["partition_id"])] = r.metadata.src_node_id
            engine.worker_pids.add(int(m["os_pid"]))
        while True:
            jobs = engine._jobs.get()
            if jobs is None:
                return  # a normal end after the real number of rounds
            engine.rounds += 1
            by_cid: dict[int, list[int]] = {}
            for i, j in enumerate(jobs):
                by_cid.setdefault(j.cid, []).append(i)
            msgs, order = [], {}
            for cid, idx in by_cid.items():
                content = RecordDict({"config": ConfigRecord({"jobs": json.dumps([_job_meta(jobs[i]) for i in idx]),
                                                              "data_dir": str(engine.data_dir),
                                                              "device": engine.device})})
                for k, i in enumerate(idx):
                    content[f"job{k}"] = ArrayRecord(torch_state_dict=_tensors(jobs[i]))
                msg = Message(content, dst_node_id=node_of[cid], message_type="train")
                msgs.append(msg)
                order[node_of[cid]] = (cid, idx)
            done: list[FitResult | None] = [None] * len(jobs)
            try:
                for r in grid.send_and_receive(msgs):
                    if r.has_error():
                        raise AtlasError(f"Flower client failed: {r.error.reason}")
                    cid, idx = order[r.metadata.src_node_id]
                    engine.worker_pids.add(int(r.content["meta"]["os_pid"]))
                    for k, i in enumerate(idx):
                        p, b = _split(r.content[f"res{k}"].to_torch_state_dict())
                        m = r.content[f"m{k}"]
                        done[i] = FitResult(cid, p, b, int(m["n_train"]), int(m["n_eval"]), int(m["correct"]),
                                            int(m["train_macs"]), int(m["eval_macs"]))
                missing = sum(d is None for d in done)
                if missing:
                    raise AtlasError(f"Flower returned no result for {missing} of {len(jobs)} job(s)")
                engine._results.put(done)
            except BaseException as e:
                engine._results.put(e)
                raise

    return app


class FlowerEngine(Engine):
    """Client work executed by Flower's Simulation Runtime (ServerApp + ClientApp on Ray)."""

    name = "flower"
    resident = False  # partitions go to disk; each ClientApp loads and moves its own

    def __init__(self, clients, device: str = "cpu", num_cpus: int | None = None) -> None:
        super().__init__(clients, device)
        try:
            from flwr.simulation import run_simulation  # noqa: F401
        except ImportError as e:  # pragma: no cover - depends on the install
            raise AtlasError("the Flower engine needs flwr[simulation]",
                             hint="pip install 'fednas-atlas[flower]'") from e
        for name in ("flwr", "ray"):
            logging.getLogger(name).setLevel(logging.ERROR)
        self.data_dir = Path(tempfile.mkdtemp(prefix="fedatlas-flower-"))
        weakref.finalize(self, shutil.rmtree, self.data_dir, ignore_errors=True)  # also when close() is never called
        save_partitions(clients, self.data_dir)
        self.rounds = 0
        self.worker_pids: set[int] = set()
        self.error: BaseException | None = None
        self._jobs: queue.Queue = queue.Queue()
        self._results: queue.Queue = queue.Queue()
        self._cpus = num_cpus or min(os.cpu_count() or 1, 8)
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        from flwr.simulation import run_simulation

        gpu = self.device == "cuda"
        backend: dict[str, dict[str, ConfigRecordValues]] = {
            "client_resources": {"num_cpus": 1, "num_gpus": 1.0 / len(self.clients) if gpu else 0.0},
            "init_args": {"num_cpus": self._cpus, "num_gpus": 1 if gpu else 0, "include_dashboard": False,
                          "log_to_driver": False, "logging_level": logging.ERROR}}
        os.environ.setdefault("RAY_DEDUP_LOGS", "0")
        os.environ.setdefault("RAY_ACCEL_ENV_VAR_OVERRIDE_ON_ZERO", "0")
        try:
            run_simulation(make_server_app(self), make_client_app(), num_supernodes=len(self.clients),
                           backend_config=backend)
        except BaseException as e:  # noqa: BLE001 - reported to the caller of fit()
            self.error = e
            self._results.put(e)

    def fit(self, jobs: list[FitJob]) -> list[FitResult]:
        if not jobs:
            return []
        if self.error is not None or not self._thread.is_alive():
            raise AtlasError(f"Flower simulation is not running: {self.error}")
        self._jobs.put(jobs)
        out = self._results.get()
        if isinstance(out, BaseException):
            raise AtlasError(f"Flower simulation failed: {out}") from out
        return out

    def close(self) -> None:
        """End the ServerApp loop, wait for Flower to stop its actors and Ray, remove the partitions."""
        if self._thread.is_alive():
            self._jobs.put(None)
            self._thread.join()
        shutil.rmtree(self.data_dir, ignore_errors=True)
