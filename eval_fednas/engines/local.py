"""The client code: local SGD then evaluation, one client or many at once.

:func:`local_fit` is what a client runs (the loop engine and Flower's clients
call it). :func:`stacked_fit` runs the same arithmetic for many clients of one
architecture at once: every client's parameters are stacked into ``(C, ...)``
tensors, one forward over all clients (grouped convolutions, batched matmuls)
and ONE autograd call per step give every client's gradient, and SGD updates
the stacks in place. Each client's batch order comes from the same seeded
generator as in :func:`local_fit`; batches are padded to a common width and
padded slots carry zero weight (per-client loss = sum of real per-sample losses
/ real count), so both give the same model up to floating-point reduction
order. :func:`vmap_fit` is the generic ``torch.func.vmap`` fallback for
vectorisable families without a stacked forward.
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


def evaluate(arch, params, buffers, x, y, bn_mode, batch_size, device=None) -> int:
    """Correct predictions; batch-stat BN evaluates in training-size batches (Yu et al.).

    Runs where the parameters are (data already there are not copied); one host sync.
    """
    fam = family(arch["family"])
    if device is None:
        device = next(iter(params.values())).device if params else x.device
    has_bn = any(k.endswith(".g") for k in params)
    step = max(batch_size, 1) if (bn_mode == "batch" and has_bn) else 4096
    correct = torch.zeros((), dtype=torch.long, device=device)
    with torch.no_grad():
        for i in range(0, len(y), step):
            xb, yb = x[i:i + step].to(device), y[i:i + step].to(device)
            out = fam.forward(params, buffers, xb, arch, train=False, bn_mode=bn_mode)
            correct += (out.argmax(1) == yb).sum()
    return int(correct)


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
                vidx = torch.randint(len(yv), (min(B, len(yv)),), generator=torch.Generator().manual_seed(job.seed * 1000 + e * 100 + b)).to(device)  # noqa: E501
                for k in alpha_keys:
                    params[k].requires_grad_(True)
                p_det = {k: (v if k in alpha_keys else v.detach()) for k, v in params.items()}
                vloss = F.cross_entropy(fam.forward(p_det, buffers, xv[vidx], job.arch, True, job.bn_mode), yv[vidx])
                ag = torch.autograd.grad(vloss, [params[k] for k in alpha_keys])
                train_macs += macs * len(vidx)
                with torch.no_grad():
                    for k, g in zip(alpha_keys, ag):
                        params[k] = params[k].detach() - job.arch_lr * g
    params = {k: v.detach() for k, v in params.items()}  # results stay on the device
    xe, ye = _split(data, job.eval_split)
    correct = n_eval = 0
    if xe is not None:
        n_eval = len(ye)
        correct = evaluate(job.arch, params, buffers, xe, ye, job.bn_mode, job.batch_size, device=device)
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
        params = {k: P[k][c].detach() for k in keys}
        xe, ye = _split(d, j.eval_split)
        correct = n_eval = 0
        if xe is not None:
            n_eval = len(ye)
            correct = evaluate(arch, params, {}, xe, ye, j.bn_mode, j.batch_size)
        results.append(FitResult(j.cid, params, {}, ns[c], n_eval, correct,
                                 macs * int(mask[c].sum().item()), macs * n_eval))
    return results


def _stack_padded(xs: list[torch.Tensor], ys: list[torch.Tensor], device: str):
    """Sample-major padded stacks ``X (nmax, C, ...)``, ``Y (nmax, C)`` and counts."""
    from torch.nn.utils.rnn import pad_sequence

    return pad_sequence(xs).to(device), pad_sequence(ys).to(device), [len(y) for y in ys]


def stacked_fit(jobs: list[FitJob], datas: list[ClientData], device: str = "cpu") -> list[FitResult]:
    """:func:`local_fit` for many clients of one architecture in one stacked computation.

    Per step: one forward of every (still active) client, one backward, one
    in-place SGD update of the stacks; no per-client Python work and no host
    syncs inside the step loop. Steps run to the largest client's batch count;
    a client whose data are exhausted is left out of later steps (its update
    would be exactly zero) and the last step is only as wide as the widest
    remaining batch.
    """
    j0 = jobs[0]
    fam = family(j0.arch["family"])
    arch, B, C, E, lr = j0.arch, j0.batch_size, len(jobs), j0.epochs, j0.lr
    macs = macs_per_sample(arch)
    keys = sorted(j0.params)
    P = {k: torch.stack([j.params[k] for j in jobs]).to(device).requires_grad_(True) for k in keys}
    X, Y, ns = _stack_padded([d.x_train for d in datas], [d.y_train for d in datas], device)
    nmax = max(ns)
    steps = math.ceil(nmax / B)
    # slot tables (epoch, slot, client): which sample fills the slot, and whether it is real
    idx = torch.zeros((E, steps * B, C), dtype=torch.long)
    real = torch.zeros((E, steps * B, C))
    for c, j in enumerate(jobs):
        for e, perm in enumerate(_perms(ns[c], E, j.seed)):
            idx[e, :ns[c], c], real[e, :ns[c], c] = perm, 1.0
    idx, real = idx.to(device), real.to(device)
    ns_t = torch.tensor(ns)
    # per step: slot range and the clients that still have data (None = all)
    plan: list[tuple[int, int, torch.Tensor | None]] = []
    for s in range(steps):
        width = min(B, nmax - s * B)
        active = (ns_t > s * B).nonzero().flatten()
        plan.append((s * B, s * B + width, None if len(active) == C else active.to(device)))
    count = torch.stack([real[:, s * B:(s + 1) * B].sum(1) for s in range(steps)], 1).clamp(min=1.0)  # (E, steps, C)
    cols = torch.arange(C, device=device)
    for e in range(E):
        Xe, Ye = X[idx[e], cols], Y[idx[e], cols]  # (steps*B, C, ...): this epoch's batches, in order
        for s, (lo, hi, act) in enumerate(plan):
            xb, yb, mb, cnt = Xe[lo:hi], Ye[lo:hi], real[e, lo:hi], count[e, s]
            if act is None:
                Pa = P
            else:
                xb, yb, mb, cnt = xb[:, act], yb[:, act], mb[:, act], cnt[act]
                Pa = {k: P[k][act] for k in keys}
            out = fam.forward_stacked(Pa, xb, arch)  # (Ca, w, classes)
            ce = F.cross_entropy(out.reshape(-1, out.shape[-1]), yb.t().reshape(-1), reduction="none")
            loss = ((ce.view(out.shape[0], -1) * mb.t()).sum(1) / cnt).sum()
            grads = torch.autograd.grad(loss, [Pa[k] for k in keys])
            with torch.no_grad():
                for k, g in zip(keys, grads):
                    if act is None:
                        P[k].sub_(lr * g)
                    else:
                        P[k][act] = P[k][act] - lr * g
    P = {k: v.detach() for k, v in P.items()}
    correct = [0] * C
    n_evals = [0] * C
    splits = [_split(d, j0.eval_split) for d in datas]
    if j0.eval_split is not None:
        with torch.no_grad():
            Xv, Yv, n_evals = _stack_padded([x for x, _ in splits], [y for _, y in splits], device)
            pred = fam.forward_stacked(P, Xv, arch).argmax(-1).t()  # (nvmax, C)
            ok = (pred == Yv) & (torch.arange(len(Yv), device=device)[:, None] < torch.tensor(n_evals, device=device))
            correct = ok.sum(0).tolist()  # the one host sync of the call
    per_client = {k: v.unbind(0) for k, v in P.items()}  # stays on the device
    return [FitResult(j.cid, {k: per_client[k][c] for k in keys}, {}, ns[c], n_evals[c], int(correct[c]),
                      macs * ns[c] * E, macs * n_evals[c]) for c, j in enumerate(jobs)]
