"""The stacked engine computes what the per-client loop computes, for every model family.

Run in float64 so that any difference beyond reduction order (a wrong mask, a
mixed-up client, a batch-norm statistic over padded slots) shows; clients of
unequal size (padding, clients leaving late steps, partial last batches), 2
epochs, both batch-norm modes. GPU checks skip cleanly without CUDA.
"""

from __future__ import annotations

import itertools
import random

import pytest
import torch

from eval_fednas.data import ClientData
from eval_fednas.engines import make_engine
from eval_fednas.engines.base import FitJob
from eval_fednas.engines.local import local_fit
from eval_fednas.engines.stacked import stacked_fit
from eval_fednas.models import OPS, PrunableCNN, SuperNet, family, init_model
from pipeline.errors import AtlasError

ATOL = 1e-10  # float64: only reduction order may differ (observed ~1e-15)


def _double(c: ClientData) -> ClientData:
    return ClientData(c.cid, c.x_train.double(), c.y_train, c.x_val.double(), c.y_val, c.x_test.double(), c.y_test,
                      c.tier)


@pytest.fixture(scope="module")
def clients64(digits_clients):
    _, clients = digits_clients
    return [_double(c) for c in clients]


def _jobs(arch, archs, clients, bn_mode, epochs=2, batch=16, split="val"):
    p, b = init_model(dict(arch), 3)
    p = {k: v.double() for k, v in p.items()}
    b = {k: v.double() for k, v in b.items()}
    jobs = []
    for c, a in zip(clients, archs):
        keys = family(a["family"]).used_keys(p, a)
        jobs.append(FitJob(c.cid, a, {k: p[k] for k in keys},
                           {k: v for k, v in b.items() if k.rsplit(".", 1)[0] + ".w" in keys},
                           epochs, 0.1, batch, 7 + c.cid, split, bn_mode, 0.05))
    return jobs


def _assert_same(jobs, clients):
    assert len({c.n_train for c in clients}) > 1 and len({len(c.y_val) for c in clients}) > 1
    for j, c, r in zip(jobs, clients, stacked_fit(jobs, clients)):
        ref = local_fit(j, c)
        assert (r.cid, r.n_train, r.n_eval, r.correct, r.train_macs, r.eval_macs) == \
            (ref.cid, ref.n_train, ref.n_eval, ref.correct, ref.train_macs, ref.eval_macs)
        assert set(r.params) == set(ref.params) and set(r.buffers) == set(ref.buffers)
        for k in ref.params:
            assert torch.allclose(r.params[k], ref.params[k], rtol=0, atol=ATOL), (j.cid, k)
        for k in ref.buffers:
            assert torch.allclose(r.buffers[k], ref.buffers[k], rtol=0, atol=ATOL), (j.cid, k)


def _supernet(ds, width=6):
    return SuperNet.default_arch(ds.input_shape, ds.num_classes, width, 3)


def test_cnn_stacked_equals_loop_float64(digits_clients, clients64):
    ds, _ = digits_clients
    arch = PrunableCNN.default_arch(ds.input_shape, ds.num_classes, (4, 8, 8, 16))
    _assert_same(_jobs(arch, [arch] * len(clients64), clients64, "batch"), clients64)


@pytest.mark.parametrize("bn_mode", ["batch", "track"])
def test_supernet_clients_of_different_subnets_stacked_equal_loop_float64(digits_clients, clients64, bn_mode):
    """Every client trains its own subnet (some layers shared by several clients, some by one)."""
    ds, _ = digits_clients
    arch = _supernet(ds)
    rnd = random.Random(0)
    space = list(itertools.product(OPS, repeat=3))
    subs = [dict(arch, choice=list(rnd.choice(space))) for _ in clients64]
    subs[1] = dict(subs[0])  # two clients on the same subnet
    _assert_same(_jobs(dict(arch, choice=None), subs, clients64, bn_mode), clients64)


@pytest.mark.parametrize("bn_mode", ["batch", "track"])
def test_darts_bilevel_stacked_equals_loop_float64(digits_clients, clients64, bn_mode):
    """Weight steps on training batches, alpha steps on per-client validation batches (some clients < batch)."""
    ds, _ = digits_clients
    arch = dict(_supernet(ds), family="darts")
    jobs = _jobs(arch, [arch] * len(clients64), clients64, bn_mode, batch=32)
    _assert_same(jobs, clients64)


def test_conv1d_supernet_and_eval_only_jobs(clients64):
    """1-D inputs (mnist1d-shaped), the test split and a zero-epoch (evaluation only) job."""
    g = torch.Generator().manual_seed(0)

    def client(cid, n):
        x = torch.randn(n, 1, 12, generator=g, dtype=torch.float64)
        y = torch.randint(3, (n,), generator=g)
        return ClientData(cid, x, y, x[: n // 3], y[: n // 3], x[: n // 2], y[: n // 2])

    clients = [client(i, n) for i, n in enumerate((9, 23, 17, 40))]
    arch = SuperNet.default_arch((1, 12), 3, 5, 2)
    subs = [dict(arch, choice=list(ch)) for ch in (("c3", "skip"), ("c5", "skip"), ("c3", "c1"), ("skip", "c5"))]
    _assert_same(_jobs(dict(arch, choice=None), subs, clients, "track", batch=8, split="test"), clients)
    _assert_same(_jobs(dict(arch, choice=None), subs, clients, "batch", epochs=0, batch=8), clients)


def test_builtin_engine_stacks_subnets_of_one_supernet_and_refuses_unknown_families(digits_clients, monkeypatch):
    from eval_fednas.engines import builtin

    ds, clients = digits_clients
    arch = _supernet(ds)
    p, b = init_model(dict(arch, choice=None), 0)
    subs = [dict(arch, choice=list(ch)) for ch in (("c3", "c5", "c1"), ("skip", "c5", "c3"), ("c1", "c1", "c1"))]
    jobs = [FitJob(i, a, {k: p[k] for k in SuperNet.used_keys(p, a)}, {}, seed=i) for i, a in enumerate(subs)]
    assert len({j.group_key() for j in jobs}) == 1
    calls = []
    monkeypatch.setattr(builtin, "stacked_fit", lambda js, ds_, dev, **kw: calls.append(len(js)) or stacked_fit(js, ds_, dev, **kw))
    with make_engine("builtin", clients) as eng:
        eng.fit(jobs)
        assert calls == [3]
        monkeypatch.setattr(builtin, "STACKED", {})
        with pytest.raises(AtlasError, match="cannot vectorise"):
            eng.fit(jobs)


def test_amp_is_opt_in_and_close_to_float32(digits_clients, monkeypatch):
    """FEDATLAS_AMP=1 autocasts forwards to bfloat16 where supported; without it nothing changes."""
    from eval_fednas.engines.amp import amp_enabled

    ds, clients = digits_clients
    monkeypatch.delenv("FEDATLAS_AMP", raising=False)
    assert not amp_enabled("cpu") and not amp_enabled("cuda")
    monkeypatch.setenv("FEDATLAS_AMP", "1")
    if not amp_enabled("cpu"):
        pytest.skip("this CPU has no bfloat16 kernels")
    arch = PrunableCNN.default_arch(ds.input_shape, ds.num_classes, (8, 16, 16, 32))
    p, _ = init_model(arch, 0)
    jobs = [FitJob(c.cid, arch, p, {}, seed=c.cid) for c in clients]
    amp = stacked_fit(jobs, clients)
    monkeypatch.delenv("FEDATLAS_AMP")
    ref = stacked_fit(jobs, clients)
    for a, r in zip(amp, ref):
        assert all(v.dtype == torch.float32 for v in a.params.values())
        assert all(torch.allclose(a.params[k], r.params[k], atol=2e-2) for k in p)
    assert abs(sum(a.correct for a in amp) - sum(r.correct for r in ref)) <= 0.1 * sum(r.n_eval for r in ref)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
@pytest.mark.parametrize("fam", ["cnn", "supernet", "darts"])
def test_cuda_stacked_equals_cpu_loop_per_family(digits_clients, clients64, fam):
    ds, _ = digits_clients
    cpu = clients64
    gpu = [c.to("cuda") for c in cpu]
    if fam == "cnn":
        arch = PrunableCNN.default_arch(ds.input_shape, ds.num_classes, (4, 8, 8, 16))
        jobs = _jobs(arch, [arch] * len(cpu), cpu, "batch")
    elif fam == "supernet":
        arch = _supernet(ds)
        subs = [dict(arch, choice=list(ch)) for ch in itertools.islice(itertools.product(OPS, repeat=3), 0, 64, 9)]
        jobs = _jobs(dict(arch, choice=None), subs[:len(cpu)], cpu, "track")
    else:
        arch = dict(_supernet(ds), family="darts")
        jobs = _jobs(arch, [arch] * len(cpu), cpu, "batch")
    for j, c, r in zip(jobs, cpu, stacked_fit(jobs, gpu, "cuda")):
        ref = local_fit(j, c)
        assert all(v.is_cuda for v in r.params.values())
        for k in ref.params:
            assert torch.allclose(r.params[k].cpu(), ref.params[k], atol=1e-8), (j.cid, k)


def test_engines_keep_the_heap_on_glibc():
    """Every in-process engine applies the allocator settings (or says it could not), and the opt-out holds."""
    import platform
    import subprocess
    import sys

    from eval_fednas.engines.heap import keep_heap

    make_engine("loop", [])
    assert keep_heap() is (sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc")
    code = "from eval_fednas.engines.heap import keep_heap; print(keep_heap())"
    env = {**__import__("os").environ, "FEDATLAS_KEEP_HEAP": "0"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_padded_data_cached_across_calls_float64(digits_clients, clients64):
    """A second call (a later round) reads the padded data cached by the first; a new client subset pads anew."""
    from eval_fednas.engines.stacked import PadCache

    ds, _ = digits_clients
    arch = PrunableCNN.default_arch(ds.input_shape, ds.num_classes, (8, 16, 16, 32))
    cache = PadCache()
    clients = clients64[:24]
    for sub in (clients, clients, clients[::2]):
        jobs = _jobs(arch, [arch] * len(sub), sub, "batch", epochs=1)
        for j, c, r in zip(jobs, sub, stacked_fit(jobs, sub, cache=cache)):
            ref = local_fit(j, c)
            assert r.correct == ref.correct
            for k in ref.params:
                assert torch.allclose(r.params[k], ref.params[k], rtol=0, atol=ATOL), (j.cid, k)
    assert len(cache.store) == 4  # train + val of the 24 clients, then of the half
