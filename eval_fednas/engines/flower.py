"""Flower's simulation engine running the same client and strategy code.

One Flower simulation (Ray) is started per engine and kept alive: a bridge
``flwr`` strategy takes the jobs our own :mod:`eval_fednas.strategy` code
produced, sends each to the Flower client whose partition id is the job's
client, and hands the raw results back. Fusion, dropping and accounting stay in
our strategy code, so the builtin and Flower engines run identical logic.
Requires the ``[flower]`` extra (``flwr[simulation]``).
"""

from __future__ import annotations

import json
import logging
import os
import queue
import threading
from dataclasses import asdict

import numpy as np
import torch

from pipeline.errors import AtlasError

from .base import Engine, FitJob, FitResult
from .local import local_fit


class _Stop(Exception):
    """Raised inside Flower's server loop to end the simulation."""


def _encode(job: FitJob, index: int) -> tuple[list[np.ndarray], dict]:
    pkeys, bkeys = sorted(job.params), sorted(job.buffers)
    arrays = [job.params[k].numpy() for k in pkeys] + [job.buffers[k].numpy() for k in bkeys]
    meta = {k: v for k, v in asdict(job).items() if k not in ("params", "buffers")}
    meta.update(pkeys=pkeys, bkeys=bkeys, index=index)
    return arrays, {"job": json.dumps(meta)}


def _decode_job(arrays: list[np.ndarray], config: dict) -> tuple[FitJob, dict]:
    meta = json.loads(config["job"])
    pkeys, bkeys = meta.pop("pkeys"), meta.pop("bkeys")
    index = meta.pop("index")
    t = [torch.from_numpy(np.array(a, copy=True)) for a in arrays]
    job = FitJob(params=dict(zip(pkeys, t[:len(pkeys)])), buffers=dict(zip(bkeys, t[len(pkeys):])), **meta)
    return job, {"index": index, "pkeys": pkeys, "bkeys": bkeys}


def _make_client_fn(clients):
    from flwr.client import NumPyClient

    class AtlasClient(NumPyClient):
        def __init__(self, data) -> None:
            self.data = data

        def fit(self, parameters, config):
            torch.set_num_threads(1)
            job, info = _decode_job(parameters, config)
            r = local_fit(job, self.data)
            arrays = [r.params[k].numpy() for k in info["pkeys"]] + [r.buffers[k].numpy() for k in info["bkeys"]]
            return arrays, r.n_train, {"index": info["index"], "n_eval": r.n_eval, "correct": r.correct,
                                       "train_macs": r.train_macs, "eval_macs": r.eval_macs}

    def client_fn(context):
        return AtlasClient(clients[int(context.node_config["partition-id"])]).to_client()

    return client_fn


def _make_bridge(n_clients: int, jobs_q: queue.Queue, results_q: queue.Queue):
    from flwr.common import FitIns, Parameters, ndarrays_to_parameters, parameters_to_ndarrays
    from flwr.server.strategy import Strategy

    class Bridge(Strategy):
        pending: list[FitJob] = []

        def initialize_parameters(self, client_manager):
            return Parameters(tensors=[], tensor_type="numpy.ndarray")

        def configure_fit(self, server_round, parameters, client_manager):
            jobs = jobs_q.get()
            if jobs is None:
                raise _Stop()
            client_manager.wait_for(n_clients)
            proxies = {int(p.partition_id): p for p in client_manager.all().values()}
            self.pending = jobs
            out = []
            for i, job in enumerate(jobs):
                arrays, cfg = _encode(job, i)
                out.append((proxies[job.cid], FitIns(ndarrays_to_parameters(arrays), cfg)))
            return out

        def aggregate_fit(self, server_round, results, failures):
            if failures:
                results_q.put(RuntimeError(f"{len(failures)} Flower client(s) failed: {failures[0]!r}"))
                return None, {}
            done: list[FitResult | None] = [None] * len(self.pending)
            for _, res in results:
                m = res.metrics
                job = self.pending[int(m["index"])]
                arrays = [torch.from_numpy(np.array(a, copy=True)) for a in parameters_to_ndarrays(res.parameters)]
                pk, bk = sorted(job.params), sorted(job.buffers)
                done[int(m["index"])] = FitResult(job.cid, dict(zip(pk, arrays[:len(pk)])),
                                                  dict(zip(bk, arrays[len(pk):])), int(res.num_examples),
                                                  int(m["n_eval"]), int(m["correct"]), int(m["train_macs"]),
                                                  int(m["eval_macs"]))
            results_q.put(done)
            return None, {}

        def configure_evaluate(self, server_round, parameters, client_manager):
            return []

        def aggregate_evaluate(self, server_round, results, failures):
            return None, {}

        def evaluate(self, server_round, parameters):
            return None

    return Bridge()


class FlowerEngine(Engine):
    """Client work executed by ``flwr.simulation`` (Ray actors), one round per batch of jobs."""

    name = "flower"

    def __init__(self, clients, device: str = "cpu", num_cpus: int | None = None) -> None:
        super().__init__(clients, device)
        try:
            import flwr.simulation  # noqa: F401
        except ImportError as e:  # pragma: no cover - depends on the install
            raise AtlasError("the Flower engine needs flwr[simulation]",
                             hint="pip install 'fednas-atlas[flower]'") from e
        for name in ("flwr", "ray"):
            logging.getLogger(name).setLevel(logging.ERROR)
        self._jobs: queue.Queue = queue.Queue()
        self._results: queue.Queue = queue.Queue()
        self._error: BaseException | None = None
        cpus = num_cpus or min(os.cpu_count() or 1, 8)
        self._thread = threading.Thread(target=self._serve, args=(cpus,), daemon=True)
        self._thread.start()

    def _serve(self, cpus: int) -> None:
        import flwr as fl

        os.environ.setdefault("RAY_DEDUP_LOGS", "0")
        try:
            fl.simulation.start_simulation(
                client_fn=_make_client_fn(self.clients), num_clients=len(self.clients),
                config=fl.server.ServerConfig(num_rounds=10**9),
                strategy=_make_bridge(len(self.clients), self._jobs, self._results),
                client_resources={"num_cpus": 1, "num_gpus": 0.0},
                ray_init_args={"num_cpus": cpus, "include_dashboard": False, "ignore_reinit_error": True,
                               "log_to_driver": False, "logging_level": logging.ERROR},
            )
        except BaseException as e:  # _Stop arrives wrapped in RuntimeError
            cause = e.__cause__ or e
            if not isinstance(cause, _Stop):
                self._error = e
                self._results.put(e)

    def fit(self, jobs: list[FitJob]) -> list[FitResult]:
        if not jobs:
            return []
        if self._error is not None:
            raise AtlasError(f"Flower simulation failed: {self._error}")
        self._jobs.put(jobs)
        out = self._results.get()
        if isinstance(out, BaseException):
            raise AtlasError(f"Flower simulation failed: {out}")
        return out

    def close(self) -> None:
        if self._thread.is_alive():
            self._jobs.put(None)
            self._thread.join(timeout=60)
        try:
            import ray

            if ray.is_initialized():
                ray.shutdown()  # the legacy simulation leaves Ray up after an abnormal end
        except ImportError:  # pragma: no cover
            pass
