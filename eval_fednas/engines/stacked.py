""":func:`local_fit` for many clients at once: one stacked computation per step.

Every client's parameters are stacked into ``(C, ...)`` tensors (a super-net
tensor only over the clients whose subnet holds it); one forward over all
clients (:mod:`.forwards`) and ONE autograd call per step give every client's
gradient, and SGD updates the stacks in place. Each client's batch order (and,
for DARTS, its validation batches) comes from the same seeded generators as in
:func:`local_fit`; batches are padded to a common width and padded slots carry
zero weight in the loss and in batch-norm statistics, so both give the same
model up to floating-point reduction order (tested in float64 per family).

Steps run to the largest client's batch count; a client whose data are
exhausted is left out of later steps (its update would be exactly zero).
Clients are stacked largest first, so the clients of any step are the first
rows of every stack: the step slices its parameters, data and gradients
(views) instead of gathering and scattering them. No host syncs inside the
step loop: the step plan is computed from the clients' sizes on the host, and
evaluation returns its counts in one transfer.

Where the time goes (``bench/bench_engines.py --profile``, CPU, one thread):
for the 1-D super-net and DARTS (width 24, batch 32, 40 positions) the
per-client loop is already compute-bound, so stacking saves only its per-op
overhead; the stacked round is spent in the same convolution and batch-norm
kernels (about a third each), not in Python.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch.nn.utils.rnn import pad_sequence

from ..data import ClientData
from ..models import family, macs_per_sample
from .amp import autocast
from .base import FitJob, FitResult
from .forwards import STACKED, StackCtx, SubnetLayout, subnet_layout
from .local import _perms, _split, darts_val_batch

Params = dict[str, torch.Tensor]


@dataclass
class _Subset:
    """The clients taking part in one step: their rows in every stack and the super-net op groups.

    ``rows[k]`` is None (every row of stack ``k``), an int ``m`` (the first
    ``m`` rows: a view, no copy) or an index tensor; absent = none. Clients are
    sorted by training-set size, so the clients still training are always a
    prefix and every training step slices instead of gathering.
    """

    rows: dict[str, int | torch.Tensor | None]
    layout: SubnetLayout | None


def _take(t: torch.Tensor, r: int | torch.Tensor | None) -> torch.Tensor:
    return t if r is None else (t[:r] if isinstance(r, int) else t.index_select(0, r))


class _Stack:
    """Stacked parameters and buffers of one group of jobs, with per-subset gathers."""

    def __init__(self, jobs: list[FitJob], device) -> None:
        self.jobs, self.device, self.C = jobs, device, len(jobs)
        keys = sorted(set().union(*(j.params for j in jobs)))
        bkeys = sorted(set().union(*(j.buffers for j in jobs)))
        self.members = {k: [c for c, j in enumerate(jobs) if k in j.params] for k in keys}
        self.members.update({k: [c for c, j in enumerate(jobs) if k in j.buffers] for k in bkeys})
        self.P = {k: torch.stack([jobs[c].params[k] for c in self.members[k]]).to(device) for k in keys}
        self.B = {k: torch.stack([jobs[c].buffers[k] for c in self.members[k]]).to(device) for k in bkeys}
        self.choices = [j.arch.get("choice") for j in jobs]
        self._cache: dict[tuple[int, ...], _Subset] = {}

    def subset(self, act: list[int]) -> _Subset:
        key = tuple(act)
        if key not in self._cache:
            rows: dict[str, int | torch.Tensor | None] = {}
            aset = set(act)
            for k, mem in self.members.items():
                pos = [i for i, c in enumerate(mem) if c in aset]
                if not pos:
                    continue
                if len(pos) == len(mem):
                    rows[k] = None
                elif pos[-1] == len(pos) - 1:  # the first rows: a slice
                    rows[k] = len(pos)
                else:
                    rows[k] = torch.tensor(pos, device=self.device)
            layout = None
            if self.choices[0] is not None:
                layout = subnet_layout([list(self.choices[c] or ()) for c in act], self.device)
            self._cache[key] = _Subset(rows, layout)
        return self._cache[key]

    def gather(self, sub: _Subset, grad_keys: tuple[str, ...] | list[str] = ()) -> tuple[Params, Params, list[str]]:
        """Rows of the subset; ``grad_keys`` (those present) are fresh leaves requiring grad, returned in order."""
        want = [k for k in grad_keys if k in sub.rows]
        P = {k: _take(v, sub.rows[k]) for k, v in self.P.items() if k in sub.rows}
        for k in want:
            P[k] = P[k].detach().requires_grad_(True)
        B = {k: _take(v, sub.rows[k]) for k, v in self.B.items() if k in sub.rows}
        return P, B, want

    def sgd(self, sub: _Subset, keys: list[str], grads, lr: float) -> None:
        with torch.no_grad():
            for k, g in zip(keys, grads):
                r = sub.rows[k]
                if r is None:
                    self.P[k].sub_(lr * g)
                elif isinstance(r, int):
                    self.P[k][:r].sub_(lr * g)
                else:
                    self.P[k].index_add_(0, r, g.to(self.P[k].dtype), alpha=-lr)

    def write_buffers(self, sub: _Subset, new: Params) -> None:
        for k, v in new.items():
            r, v = sub.rows[k], v.to(self.B[k].dtype)
            if r is None:
                self.B[k] = v
            elif isinstance(r, int):
                self.B[k][:r] = v
            else:
                self.B[k] = self.B[k].index_copy(0, r, v)

    def results(self) -> tuple[list[Params], list[Params]]:
        rows_p = {k: dict(zip(self.members[k], v.detach().unbind(0))) for k, v in self.P.items()}
        rows_b = {k: dict(zip(self.members[k], v.unbind(0))) for k, v in self.B.items()}
        return ([{k: rows_p[k][c] for k in j.params} for c, j in enumerate(self.jobs)],
                [{k: rows_b[k][c] for k in j.buffers} for c, j in enumerate(self.jobs)])


def _pad(xs: list[torch.Tensor], device) -> torch.Tensor:
    return pad_sequence(xs).to(device)  # sample-major (nmax, C, ...)


class PadCache:
    """Padded client data kept across rounds: the clients' data never change, so pad them once per client set.

    Keyed by the identity of the :class:`ClientData` objects (the engine holds
    them, so an id is never reused while cached) and the split; at most
    ``size`` entries (the oldest go first).
    """

    def __init__(self, size: int = 8) -> None:
        self.size, self.store = size, {}  # type: ignore[var-annotated]

    def get(self, datas: list[ClientData], what: str, device, make):
        key = (what, str(device), tuple(id(d) for d in datas))
        if key not in self.store:
            if len(self.store) >= self.size:
                self.store.pop(next(iter(self.store)))
            self.store[key] = (make(), datas)  # datas: kept alive with the entry
        return self.store[key][0]


def _padded(cache: PadCache | None, datas: list[ClientData], what: str, device, make):
    return make() if cache is None else cache.get(datas, what, device, make)


def _loss(out: torch.Tensor, yb: torch.Tensor, mb: torch.Tensor, cnt: torch.Tensor) -> torch.Tensor:
    """Sum over clients of each client's mean cross-entropy over its real samples."""
    ce = F.cross_entropy(out.float().reshape(-1, out.shape[-1]), yb.t().reshape(-1), reduction="none")
    return ((ce.view(out.shape[0], -1) * mb.t()).sum(1) / cnt).sum()


def _active(ns: list[int], lo: int) -> list[int]:
    return [c for c, n in enumerate(ns) if n > lo]


@dataclass
class _Step:
    """One SGD step of every client that still has data, planned on the host before any compute."""

    lo: int
    hi: int
    sub: _Subset
    cols: int | None  # the active clients: the first ``cols`` (None = all)
    full: bool  # every slot of the step is a real sample (no batch-norm mask needed)
    count: torch.Tensor  # (active,) real samples per client


def _plan(st: _Stack, ns: list[int], B: int, fdt, device) -> list[_Step]:
    nmax, plan = max(ns), []
    for s in range(math.ceil(nmax / B)):
        lo, hi = s * B, min((s + 1) * B, nmax)
        act = _active(ns, lo)
        assert act == list(range(len(act)))  # clients sorted by size: those with data are a prefix
        plan.append(_Step(lo, hi, st.subset(act), None if len(act) == st.C else len(act),
                          all(ns[c] >= hi for c in act),
                          torch.tensor([min(ns[c], hi) - lo for c in act], dtype=fdt, device=device)))
    return plan


def _cols(t: torch.Tensor, cols: int | None) -> torch.Tensor:
    return t if cols is None else t[:, :cols]


class _DartsVal:
    """Each client's validation batch per (epoch, step) of its architecture steps, as local_fit draws it."""

    def __init__(self, jobs: list[FitJob], datas: list[ClientData], ns: list[int], B: int, E: int, fdt, device):
        self.nv = nv = [len(d.y_val) for d in datas]
        bv = min(B, max(nv))
        steps = math.ceil(max(ns) / B)
        idx = torch.zeros((E, steps, bv, len(jobs)), dtype=torch.long)
        real = torch.zeros((E, steps, bv, len(jobs)), dtype=fdt)
        for c, j in enumerate(jobs):
            for e in range(E):
                for s in range(math.ceil(ns[c] / B)):
                    v = darts_val_batch(nv[c], B, j.seed, e, s)
                    idx[e, s, :len(v), c], real[e, s, :len(v), c] = v, 1.0
        self.idx, self.real = idx.to(device), real.to(device)
        self.X, self.Y = _pad([d.x_val for d in datas], device), _pad([d.y_val for d in datas], device)
        self.full = all(min(B, n) == bv for n in nv)  # every validation slot real
        self.arange = torch.arange(len(jobs), device=device)

    def batch(self, e: int, s: int, cols: int | None):
        vi, vm = _cols(self.idx[e, s], cols), _cols(self.real[e, s], cols)
        c = self.arange if cols is None else self.arange[:cols]
        return self.X[vi, c], self.Y[vi, c], vm, vm.sum(0).clamp(min=1.0), self.full


def stacked_fit(jobs: list[FitJob], datas: list[ClientData], device: str = "cpu",
                cache: PadCache | None = None) -> list[FitResult]:
    """Train every job as one stacked computation, then evaluate; results in the order of ``jobs``.

    Runs the clients largest first (stable), so that the clients still
    training at any step are the first rows of every stack (slices, no gathers).
    """
    order = sorted(range(len(jobs)), key=lambda c: -datas[c].n_train)
    if order == list(range(len(jobs))):
        return _stacked_fit([*jobs], [*datas], device, cache)
    res = _stacked_fit([jobs[c] for c in order], [datas[c] for c in order], device, cache)
    out: list[FitResult | None] = [None] * len(jobs)
    for c, r in zip(order, res):
        out[c] = r
    return out  # type: ignore[return-value]


def _stacked_fit(jobs: list[FitJob], datas: list[ClientData], device: str, cache: PadCache | None) -> list[FitResult]:
    j0 = jobs[0]
    fam = family(j0.arch["family"])
    fwd = STACKED[fam.name][0] if fam.name in STACKED else fam.forward_stacked
    arch, B, C, E = j0.arch, j0.batch_size, len(jobs), j0.epochs
    st = _Stack(jobs, device)
    wkeys = [k for k in st.P if not (fam.bilevel and k.startswith("alpha"))]
    akeys = [k for k in st.P if k not in wkeys]
    ns = [d.n_train for d in datas]
    X, Y = _padded(cache, datas, "train", device, lambda: (_pad([d.x_train for d in datas], device),
                                                           _pad([d.y_train for d in datas], device)))
    fdt = X.dtype if X.is_floating_point() else torch.float32
    plan = _plan(st, ns, B, fdt, device)
    # slot tables (epoch, slot, client): which sample fills the slot (one pad per epoch), and whether it is real
    slots = len(plan) * B
    perms = [_perms(n, E, j.seed) for n, j in zip(ns, jobs)]
    idx = torch.stack([F.pad(pad_sequence([p[e] for p in perms]), (0, 0, 0, slots - max(ns))) for e in range(E)]
                      or [torch.zeros((slots, C), dtype=torch.long)])[:E]
    real = (torch.arange(slots)[:, None] < torch.tensor(ns)).to(fdt)  # (slots, C), the same every epoch
    idx, real = idx.to(device), real.to(device)
    val = _DartsVal(jobs, datas, ns, B, E, fdt, device) if akeys else None
    arange = torch.arange(C, device=device)
    for e in range(E):
        Xe, Ye = X[idx[e], arange], Y[idx[e], arange]  # (steps*B, C, ...): this epoch's batches, in order
        for s, step in enumerate(plan):
            xb, yb = _cols(Xe[step.lo:step.hi], step.cols), _cols(Ye[step.lo:step.hi], step.cols)
            mb = _cols(real[step.lo:step.hi], step.cols)
            _sgd_step(st, fwd, arch, j0, step.sub, wkeys, xb, yb, mb, step.count, step.full, j0.lr, device, fdt)
            if val is not None:  # first-order DARTS: architecture step on a validation batch, weights fixed
                xv, yv, mv, cv, fv = val.batch(e, s, step.cols)
                _sgd_step(st, fwd, arch, j0, step.sub, akeys, xv, yv, mv, cv, fv, j0.arch_lr, device, fdt)
    params, buffers = st.results()
    correct, n_evals = _evaluate(st, fwd, arch, datas, j0, device, cache)
    out_res = []
    for c, j in enumerate(jobs):
        macs = macs_per_sample(j.arch)
        train = macs * ns[c] * E
        if val is not None:
            train += macs * E * math.ceil(ns[c] / B) * min(B, val.nv[c])
        out_res.append(FitResult(j.cid, params[c], buffers[c], ns[c], n_evals[c], correct[c], train,
                                 macs * n_evals[c]))
    return out_res


def _sgd_step(st: _Stack, fwd, arch: dict, j0: FitJob, sub: _Subset, keys: list[str], xb, yb, mb, count,
              full: bool, lr: float, device, fdt) -> None:
    """One forward of the subset, one autograd call for the gradients of ``keys``, the SGD update in place."""
    P, B, want = st.gather(sub, keys)
    ctx = StackCtx(True, j0.bn_mode, None if full else mb, sub.layout)
    with autocast(device, fdt):
        out = fwd(P, B, xb, arch, ctx)
    grads = torch.autograd.grad(_loss(out, yb, mb, count), [P[k] for k in want])
    st.sgd(sub, want, grads, lr)
    st.write_buffers(sub, ctx.new_buffers)


def _size_groups(ne: list[int]) -> list[list[int]]:
    """Clients in one group, or two by size when that saves a quarter of the padded slots."""
    order = sorted((c for c in range(len(ne)) if ne[c] > 0), key=lambda c: -ne[c])
    one = len(order) * ne[order[0]]
    best, k = min(((i * ne[order[0]] + (len(order) - i) * ne[order[i]], i) for i in range(1, len(order))),
                  default=(one, 0))
    if best > 0.75 * one:
        return [sorted(order)]
    return [sorted(order[:k]), sorted(order[k:])]


def _evaluate(st: _Stack, fwd, arch: dict, datas: list[ClientData], j0: FitJob, device,
              cache: PadCache | None = None) -> tuple[list[int], list[int]]:
    """Correct predictions per client on ``j0.eval_split``, as ``local.evaluate`` batches them; one host sync."""
    splits = [_split(d, j0.eval_split) for d in datas]
    if j0.eval_split is None:
        return [0] * st.C, [0] * st.C
    ne = [len(y) for _, y in splits]
    if max(ne) == 0:
        return [0] * st.C, ne
    Xv, Yv = _padded(cache, datas, str(j0.eval_split), device, lambda: (_pad([x for x, _ in splits], device),
                                                                        _pad([y for _, y in splits], device)))
    has_bn = any(k.endswith(".g") for k in st.P)
    if j0.bn_mode == "batch" and has_bn:  # batch statistics: training-size batches, as local evaluation does
        B = max(j0.batch_size, 1)
        chunks = [(_active(ne, lo), lo, min(lo + B, max(ne))) for lo in range(0, max(ne), B)]
    else:  # per-sample outputs: any batching gives the same predictions; pad each size group to its own max
        chunks = [(g, 0, max(ne[c] for c in g)) for g in _size_groups(ne)]
    ok = torch.zeros(st.C, dtype=torch.long, device=device)
    real = torch.arange(len(Yv), device=device)[:, None] < torch.tensor(ne, device=device)  # (nvmax, C)
    with torch.no_grad():
        for act, lo, hi in chunks:
            sub = st.subset(act)
            a = torch.tensor(act, device=device)
            xb, yb, mb = Xv[lo:hi].index_select(1, a), Yv[lo:hi].index_select(1, a), real[lo:hi].index_select(1, a)
            full = all(ne[c] >= hi for c in act)
            P, B_, _ = st.gather(sub)
            with autocast(device, Xv.dtype):
                ctx = StackCtx(False, j0.bn_mode, None if full else mb.to(Xv.dtype), sub.layout)
                pred = fwd(P, B_, xb, arch, ctx).argmax(-1).t()
            ok.index_add_(0, a, ((pred == yb) & mb).sum(0))
    return ok.tolist(), ne  # the one host sync of the call
