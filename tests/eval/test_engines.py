"""Engines agree; CUDA checks skip without a GPU."""

import pytest
import torch

from eval_fednas.accounting import Ledger
from eval_fednas.engines import make_engine
from eval_fednas.engines.local import local_fit
from eval_fednas.models import PrunableCNN, init_model
from eval_fednas.strategy import FedAvg, FederatedRun, TrainConfig, evaluate_clients

ARCH = PrunableCNN.default_arch((1, 8, 8), 10, (8, 16, 16, 32))
TOL = 0.02  # stated tolerance on accuracy between engines (float reduction order only)


def _fedavg(engine_name, clients, rounds=3, device="cpu"):
    p, b = init_model(ARCH, 0)
    with make_engine(engine_name, clients, device) as eng:
        run = FederatedRun(eng, FedAvg(0.75, TrainConfig(epochs=1, lr=0.1)), Ledger(len(clients)), seed=0)
        p, b = run.run(ARCH, p, b, rounds)
    return p, evaluate_clients(ARCH, p, b, clients), run.ledger


def test_builtin_vectorised_equals_loop(digits_clients):
    _, clients = digits_clients
    p1, acc1, l1 = _fedavg("builtin", clients)
    p2, acc2, l2 = _fedavg("loop", clients)
    assert abs(acc1 - acc2) <= TOL
    assert all(torch.allclose(p1[k], p2[k], atol=1e-4) for k in p1)
    assert (l1.uplink == l2.uplink).all() and (l1.train_macs == l2.train_macs).all()


def test_deterministic_under_seed(digits_clients):
    _, clients = digits_clients
    p1, acc1, _ = _fedavg("builtin", clients, rounds=2)
    p2, acc2, _ = _fedavg("builtin", clients, rounds=2)
    assert acc1 == acc2 and all(torch.equal(p1[k], p2[k]) for k in p1)


def test_flower_engine_agrees_with_builtin_and_ends_cleanly(digits_clients, capfd):
    """One Flower test (Ray start-up dominates): same results, the real round count, a clean end, no orphans.

    The same client appears twice in one round (as in FedNAS with groups off): both results must come back.
    """
    pytest.importorskip("flwr")
    psutil = pytest.importorskip("psutil")
    from eval_fednas.engines.base import FitJob

    _, clients = digits_clients
    _, acc_b, lb = _fedavg("builtin", clients)
    p, b = init_model(ARCH, 0)
    eng = make_engine("flower", clients)
    run = FederatedRun(eng, FedAvg(0.75, TrainConfig(epochs=1, lr=0.1)), Ledger(len(clients)), seed=0)
    p, b = run.run(ARCH, p, b, 3)
    twice = eng.fit([FitJob(0, ARCH, p, {}, seed=1), FitJob(0, ARCH, p, {}, seed=2), FitJob(1, ARCH, p, {}, seed=3)])
    ref = [local_fit(FitJob(0, ARCH, p, {}, seed=s), clients[0]) for s in (1, 2)]
    spawned = psutil.Process().children(recursive=True)
    assert spawned and eng.worker_pids
    eng.close()
    assert eng.rounds == 4 and eng.error is None  # 3 FedAvg rounds + 1, ended by close(), not by an exception
    _, alive = psutil.wait_procs(spawned, timeout=60)
    assert alive == []
    assert not any(psutil.pid_exists(pid) for pid in eng.worker_pids)
    assert "crashed" not in capfd.readouterr().err
    assert [r.cid for r in twice] == [0, 0, 1] and all(r is not None for r in twice)
    for r, want in zip(twice, ref):
        assert all(torch.allclose(r.params[k], want.params[k], atol=1e-6) for k in want.params)
    acc_f = evaluate_clients(ARCH, p, b, clients)
    assert abs(acc_b - acc_f) <= TOL
    assert (lb.uplink == run.ledger.uplink).all() and (lb.downlink == run.ledger.downlink).all()


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_engine_agrees_with_cpu(digits_clients):
    _, clients = digits_clients
    _, acc_cpu, _ = _fedavg("builtin", clients)
    _, acc_gpu, _ = _fedavg("builtin", clients, device="cuda")
    assert abs(acc_cpu - acc_gpu) <= TOL


def test_stacked_fit_matches_local_fit_per_client(digits_clients):
    """Unequal client sizes (padding, clients dropping out of late steps), 2 epochs, a partial last batch."""
    from eval_fednas.engines.base import FitJob
    from eval_fednas.engines.local import local_fit
    from eval_fednas.engines.stacked import stacked_fit

    _, clients = digits_clients
    assert len({c.n_train for c in clients}) > 1
    p, _ = init_model(ARCH, 3)
    jobs = [FitJob(c.cid, ARCH, p, {}, epochs=2, lr=0.1, batch_size=16, seed=7 + c.cid) for c in clients]
    stacked = stacked_fit(jobs, clients)
    for j, c, r in zip(jobs, clients, stacked):
        ref = local_fit(j, c)
        assert (r.n_train, r.n_eval, r.train_macs, r.eval_macs) == (ref.n_train, ref.n_eval, ref.train_macs, ref.eval_macs)
        assert abs(r.correct - ref.correct) <= 1  # an argmax tie may flip with reduction order
        assert all(torch.allclose(r.params[k], ref.params[k], atol=1e-5) for k in p)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_keeps_data_params_and_results_on_the_device(digits_clients):
    """Data move once (engine construction); fused parameters and client results never leave the GPU."""
    _, clients = digits_clients
    p, b = init_model(ARCH, 0)
    with make_engine("builtin", clients, "cuda") as eng:
        assert all(c.x_train.is_cuda and c.y_val.is_cuda for c in eng.clients)
        run = FederatedRun(eng, FedAvg(1.0, TrainConfig(epochs=1, lr=0.1)), Ledger(len(clients)), seed=0)
        p, b = run.run(ARCH, p, b, 2)
        assert all(v.is_cuda for v in p.values())
        from eval_fednas.engines.base import FitJob

        res = eng.fit([FitJob(c.cid, ARCH, p, {}, seed=c.cid) for c in clients[:3]])
        assert all(v.is_cuda for r in res for v in r.params.values())


def test_evaluate_clients_takes_the_engine_and_agrees_with_the_host_list(digits_clients):
    _, clients = digits_clients
    p, b = init_model(ARCH, 1)
    with make_engine("builtin", clients) as eng:
        assert evaluate_clients(ARCH, p, b, eng) == evaluate_clients(ARCH, p, b, clients)
        assert evaluate_clients(ARCH, p, b, eng, "val") == evaluate_clients(ARCH, p, b, clients, "val")


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_evaluate_clients_reads_only_the_resident_copies(digits_clients):
    """After the engine is made, the host data are not read again: evaluation runs on the device-resident copies."""
    from eval_fednas.data import ClientData

    _, clients = digits_clients
    host = [ClientData(c.cid, c.x_train.clone(), c.y_train.clone(), c.x_val.clone(), c.y_val.clone(),
                       c.x_test.clone(), c.y_test.clone(), c.tier) for c in clients]
    p, b = init_model(ARCH, 1)
    want = evaluate_clients(ARCH, p, b, clients)
    with make_engine("builtin", host, "cuda") as eng:
        for c in host:  # poison the host copies: any per-call host read or copy would fail
            c.x_test = c.y_test = c.x_val = c.y_val = None
        assert all(c.x_test.is_cuda and c.y_test.is_cuda for c in eng.clients)
        pc = {k: v.cuda() for k, v in p.items()}
        assert abs(evaluate_clients(ARCH, pc, b, eng) - want) <= TOL


def test_engines_and_experiments_come_from_the_registries():
    from eval_fednas import engines, experiments
    from eval_fednas.runner import make_spec
    from pipeline.errors import UnknownNameError

    assert engines.REG.group == "fedatlas.engines" and experiments.REG.group == "fedatlas.experiments"
    assert {"builtin", "loop", "flower"} <= set(engines.names())
    assert {"xu-fednas", "fbnetv3-predictor", "heterofl-width"} <= set(experiments.names())
    with pytest.raises(UnknownNameError, match="builtin"):
        make_spec("xu-fednas", engine="nope")  # refused before any work, with the known names
