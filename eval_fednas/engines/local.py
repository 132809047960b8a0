"""The client code: local SGD then evaluation, one client at a time.

:func:`local_fit` is what a client runs (the loop engine and Flower's clients
call it, and it is the reference the stacked engine is tested against);
:func:`~eval_fednas.engines.stacked.stacked_fit` runs the same arithmetic for
many clients at once.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from ..data import ClientData
from ..models import family, macs_per_sample
from .amp import autocast
from .base import FitJob, FitResult


def _split(data: ClientData, split: str | None):
    if split is None:
        return None, None
    return (data.x_val, data.y_val) if split == "val" else (data.x_test, data.y_test)


def _perms(n: int, epochs: int, seed: int) -> list[torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    return [torch.randperm(n, generator=gen) for _ in range(epochs)]


def darts_val_batch(n_val: int, batch_size: int, seed: int, epoch: int, step: int) -> torch.Tensor:
    """The validation samples of a client's DARTS architecture step (epoch ``epoch``, step ``step``)."""
    gen = torch.Generator().manual_seed(seed * 1000 + epoch * 100 + step)
    return torch.randint(n_val, (min(batch_size, n_val),), generator=gen)


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
            with autocast(str(device), xb.dtype):
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
            with autocast(device, x.dtype):
                out = fam.forward(params, buffers, x[idx], job.arch, True, job.bn_mode)
            loss = F.cross_entropy(out.float(), y[idx])
            grads = torch.autograd.grad(loss, [params[k] for k in w_keys])
            train_macs += macs * len(idx)
            with torch.no_grad():
                for k, g in zip(w_keys, grads):
                    params[k] = params[k].detach() - job.lr * g
            if alpha_keys:  # first-order DARTS: architecture step on a validation batch
                vidx = darts_val_batch(len(yv), B, job.seed, e, b).to(device)
                for k in alpha_keys:
                    params[k].requires_grad_(True)
                p_det = {k: (v if k in alpha_keys else v.detach()) for k, v in params.items()}
                with autocast(device, x.dtype):
                    out = fam.forward(p_det, buffers, xv[vidx], job.arch, True, job.bn_mode)
                ag = torch.autograd.grad(F.cross_entropy(out.float(), yv[vidx]), [params[k] for k in alpha_keys])
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
