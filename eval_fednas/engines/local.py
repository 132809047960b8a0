"""The client code: local SGD then evaluation, one client or many at once.

:func:`local_fit` is what a client runs (the loop engine and Flower's clients
call it); :func:`vmap_fit` runs the same arithmetic for many clients of one
architecture at once with ``torch.func``: each client's batch order comes from
the same seeded generator, padded slots carry zero weight, so both give the
same model up to floating-point reduction order.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch.func import grad, vmap

from ..data import ClientData
from ..models import family, macs_per_sample
from .base import FitJob, FitResult


def _split(data: ClientData, split: str | None):
    if split is None:
        return None, None
    return (data.x_val, data.y_val) if split == "val" else (data.x_test, data.y_test)


def _perms(n: int, epochs: int, seed: int) -> list[torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    return [torch.randperm(n, generator=gen) for _ in range(epochs)]


def evaluate(arch, params, buffers, x, y, bn_mode, batch_size, device="cpu") -> int:
    """Correct predictions; batch-stat BN evaluates in training-size batches (Yu et al.)."""
    fam = family(arch["family"])
    has_bn = any(k.endswith(".g") for k in params)
    step = max(batch_size, 1) if (bn_mode == "batch" and has_bn) else 4096
    correct = 0
    with torch.no_grad():
        for i in range(0, len(y), step):
            xb, yb = x[i:i + step].to(device), y[i:i + step].to(device)
            out = fam.forward(params, buffers, xb, arch, train=False, bn_mode=bn_mode)
            correct += int((out.argmax(1) == yb).sum())
    return correct


def local_fit(job: FitJob, data: ClientData, device: str = "cpu") -> FitResult:
    """Train ``job.epochs`` of minibatch SGD on local data, then evaluate."""
    fam = family(job.arch["family"])
    macs = macs_per_sample(job.arch)
    params = {k: v.detach().to(device).clone() for k, v in job.params.items()}
    buffers = {k: v.detach().to(device).clone() for k, v in job.buffers.items()}
    alpha_keys = [k for k in params if k.startswith("alpha")] if fam.bilevel else []
    w_keys = [k for k in params if k not in alpha_keys]
    x, y = data.x_train.to(device), data.y_train.to(device)
    xv, yv = data.x_val.to(device), data.y_val.to(device)
    n, B, train_macs = len(y), job.batch_size, 0
    for e, perm in enumerate(_perms(n, job.epochs, job.seed)):
        for b in range(math.ceil(n / B)):
            idx = perm[b * B:(b + 1) * B].to(device)
            for k in w_keys:
                params[k].requires_grad_(True)
            loss = F.cross_entropy(fam.forward(params, buffers, x[idx], job.arch, True, job.bn_mode), y[idx])
            grads = torch.autograd.grad(loss, [params[k] for k in w_keys])
            train_macs += macs * len(idx)
            with torch.no_grad():
                for k, g in zip(w_keys, grads):
                    params[k] = params[k].detach() - job.lr * g
            if alpha_keys:  # first-order DARTS: architecture step on a validation batch
                vidx = torch.randint(len(yv), (min(B, len(yv)),), generator=torch.Generator().manual_seed(job.seed * 1000 + e * 100 + b)).to(device)
                for k in alpha_keys:
                    params[k].requires_grad_(True)
                p_det = {k: (v if k in alpha_keys else v.detach()) for k, v in params.items()}
                vloss = F.cross_entropy(fam.forward(p_det, buffers, xv[vidx], job.arch, True, job.bn_mode), yv[vidx])
                ag = torch.autograd.grad(vloss, [params[k] for k in alpha_keys])
                train_macs += macs * len(vidx)
                with torch.no_grad():
                    for k, g in zip(alpha_keys, ag):
                        params[k] = params[k].detach() - job.arch_lr * g
    params = {k: v.detach().cpu() for k, v in params.items()}
    buffers = {k: v.cpu() for k, v in buffers.items()}
    xe, ye = _split(data, job.eval_split)
    correct = n_eval = 0
    if xe is not None:
        n_eval = len(ye)
        correct = evaluate(job.arch, params, buffers, xe, ye, job.bn_mode, job.batch_size, device="cpu")
    return FitResult(job.cid, params, buffers, n, n_eval, correct, train_macs, macs * n_eval)


def vmap_fit(jobs: list[FitJob], datas: list[ClientData], device: str = "cpu") -> list[FitResult]:
    """:func:`local_fit` for many clients of one architecture, vectorised."""
    j0 = jobs[0]
    fam = family(j0.arch["family"])
    arch, B, C = j0.arch, j0.batch_size, len(jobs)
    macs = macs_per_sample(arch)
    keys = sorted(j0.params)
    P = {k: torch.stack([j.params[k] for j in jobs]).to(device) for k in keys}
    ns = [d.n_train for d in datas]
    nmax = max(ns)
    X = torch.zeros((C, nmax, *datas[0].x_train.shape[1:]), device=device)
    Y = torch.zeros((C, nmax), dtype=torch.long, device=device)
    for c, d in enumerate(datas):
        X[c, :ns[c]], Y[c, :ns[c]] = d.x_train.to(device), d.y_train.to(device)
    steps = math.ceil(nmax / B)
    # index / mask tables: client c, epoch e, step s -> B sample slots
    idx = torch.zeros((C, j0.epochs, steps * B), dtype=torch.long)
    mask = torch.zeros((C, j0.epochs, steps * B))
    for c, j in enumerate(jobs):
        for e, perm in enumerate(_perms(ns[c], j.epochs, j.seed)):
            idx[c, e, :ns[c]], mask[c, e, :ns[c]] = perm, 1.0
    idx, mask = idx.to(device), mask.to(device)

    def loss_fn(p, xb, yb, mb):
        out = fam.forward(p, {}, xb, arch, True, j0.bn_mode)
        ce = F.cross_entropy(out, yb, reduction="none")
        return (ce * mb).sum() / mb.sum().clamp(min=1.0)

    step = vmap(grad(loss_fn))
    ar = torch.arange(C, device=device)[:, None]
    for e in range(j0.epochs):
        for s in range(steps):
            sl = idx[:, e, s * B:(s + 1) * B]
            g = step(P, X[ar, sl], Y[ar, sl], mask[:, e, s * B:(s + 1) * B])
            P = {k: P[k] - j0.lr * g[k] for k in keys}
    results = []
    for c, (j, d) in enumerate(zip(jobs, datas)):
        params = {k: P[k][c].detach().cpu() for k in keys}
        xe, ye = _split(d, j.eval_split)
        correct = n_eval = 0
        if xe is not None:
            n_eval = len(ye)
            correct = evaluate(arch, params, {}, xe, ye, j.bn_mode, j.batch_size)
        results.append(FitResult(j.cid, params, {}, ns[c], n_eval, correct,
                                 macs * int(mask[c].sum().item()), macs * n_eval))
    return results
