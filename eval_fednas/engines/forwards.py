"""Stacked forward passes: each model family's forward for ``C`` clients at once.

Every parameter is stacked on a leading client axis (``P[k]`` is ``(C_k, ...)``,
one row per client that holds the tensor) and the input is sample-major,
``x (N, C, *in_shape)``: sample ``i`` of every client. Convolutions run as one
grouped convolution (``groups=C``) on ``(N, C*channels, *spatial)``, dense
layers as one batched matmul, and batch norm per client over that client's
real samples only (``ctx.mask``), so client ``c``'s output depends only on its
own parameters and data: the gradient of a sum of per-client losses is every
client's own gradient. The arithmetic is that of the family's ``forward`` in
:mod:`eval_fednas.models` (same ops, same order), only batched.

Super-net clients may train different subnets in one stack: at each choice
layer the clients are reordered by the op they chose (:class:`SubnetLayout`),
each op runs once on its contiguous range of clients, and the client order is
restored before the head. DARTS mixes every op with each client's own
softmax(alpha).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from ..models import OPS
from .batchnorm import batch_norm

Params = dict[str, torch.Tensor]


@dataclass
class StackCtx:
    """What a stacked forward needs besides parameters and data."""

    train: bool
    bn_mode: str = "batch"
    #: ``(N, C)`` 1.0 where a sample slot holds a real sample; None = every slot is real
    mask: torch.Tensor | None = None
    #: super-net: which clients run which op at each choice layer
    layout: SubnetLayout | None = None
    #: running statistics updated by this forward (track mode, training), written back by the caller
    new_buffers: Params = field(default_factory=dict)


def _conv(h: torch.Tensor, w: torch.Tensor, b: torch.Tensor | None, nd: int, groups: int) -> torch.Tensor:
    """Grouped convolution, one group per client: ``w (C, out, in, k...)`` on ``h (N, C*in, *spatial)``."""
    if b is None and all(s == 1 for s in w.shape[3:]):  # 1x1: a batched matmul (oneDNN's grouped 1x1 is ~3x slower)
        N, C, co, ci = h.shape[0], w.shape[0], w.shape[1], w.shape[2]
        hc = h.reshape(N, C, ci, -1).permute(1, 2, 0, 3).reshape(C, ci, -1)  # (C, in, N*positions)
        out = torch.bmm(w.reshape(C, co, ci), hc).view(C, co, N, -1).permute(2, 0, 1, 3)
        return out.reshape(N, C * co, *h.shape[2:])
    conv = F.conv1d if nd == 1 else F.conv2d
    return conv(h, w.reshape(-1, *w.shape[2:]), None if b is None else b.reshape(-1), padding=w.shape[-1] // 2,
                groups=groups)


def _pool(h: torch.Tensor, nd: int) -> torch.Tensor:
    return (F.max_pool1d if nd == 1 else F.max_pool2d)(h, 2)


# --------------------------------------------------------------------- CNN
def cnn_forward(P: Params, B: Params, x: torch.Tensor, arch: dict, ctx: StackCtx) -> torch.Tensor:
    """``PrunableCNN.forward`` for ``C`` clients; returns ``(C, N, classes)``."""
    nd = len(arch["in_shape"]) - 1
    N, C = x.shape[0], x.shape[1]
    h = x.reshape(N, C * x.shape[2], *x.shape[3:])
    if nd == 2:  # channels-last: much faster grouped convolution and pooling on CPU (oneDNN)
        h = h.contiguous(memory_format=torch.channels_last)
    h = F.relu(_conv(h, P["conv0.w"], P["conv0.b"], nd, C))
    # max-pool and ReLU commute (ReLU is monotone, ties pass no gradient through ReLU),
    # so pooling first gives the same values and gradients on a quarter of the data
    h = F.relu(_pool(_conv(h, P["conv1.w"], P["conv1.b"], nd, C), nd))
    h = F.relu(_pool(_conv(h, P["conv2.w"], P["conv2.b"], nd, C), nd))
    h = h.reshape(N, C, -1).transpose(0, 1)  # (C, N, features), per-client flatten(1) order
    h = F.relu(torch.baddbmm(P["fc0.b"].unsqueeze(1), h, P["fc0.w"].transpose(1, 2)))
    return torch.baddbmm(P["fc1.b"].unsqueeze(1), h, P["fc1.w"].transpose(1, 2))


# ------------------------------------------------------------ super-net
@dataclass
class SubnetLayout:
    """Where each client's subnet op sits, per choice layer, for one set of clients.

    At layer ``l`` the clients are ordered by the op they chose (stable, so
    within an op in client order: the order of that op's parameter stack);
    ``perm[l]`` reorders the previous layer's order into this one (None: no
    change) and ``groups[l]`` lists ``(op, start, end)`` ranges of that order.
    ``cols[l]`` are the clients (original positions) in layer ``l``'s order
    (for the batch-norm mask); ``back`` restores client order at the end.
    """

    perm: list[tuple[torch.Tensor, torch.Tensor] | None]
    groups: list[list[tuple[str, int, int]]]
    cols: list[torch.Tensor | None]
    back: torch.Tensor | None


def subnet_layout(choices: list[list[str]], device) -> SubnetLayout:
    perm: list[tuple[torch.Tensor, torch.Tensor] | None] = []
    groups, cols = [], []
    order = list(range(len(choices)))
    for layer in range(len(choices[0])):
        new = sorted(range(len(choices)), key=lambda c: (OPS.index(choices[c][layer]), c))
        if new == order:
            perm.append(None)
        else:
            where = {c: i for i, c in enumerate(order)}
            p = torch.tensor([where[c] for c in new])
            inv = torch.empty_like(p)
            inv[p] = torch.arange(len(p))
            perm.append((p.to(device), inv.to(device)))
        order = new
        cols.append(None if order == sorted(order) else torch.tensor(order, device=device))
        spans: list[tuple[str, int, int]] = []
        for i, c in enumerate(order):
            op = choices[c][layer]
            if spans and spans[-1][0] == op:
                spans[-1] = (op, spans[-1][1], i + 1)
            else:
                spans.append((op, i, i + 1))
        groups.append(spans)
    back = None
    if order != sorted(order):
        back = torch.empty(len(order), dtype=torch.long)
        back[torch.tensor(order)] = torch.arange(len(order))
        back = back.to(device)
    return SubnetLayout(perm, groups, cols, back)


class _Permute(torch.autograd.Function):
    """``x.index_select(1, p)`` whose backward is the inverse gather (no zero-fill + scatter-add)."""

    @staticmethod
    def forward(ctx, x, p, inv):
        ctx.save_for_backward(inv)
        return x.index_select(1, p)

    @staticmethod
    def backward(ctx, g):
        (inv,) = ctx.saved_tensors
        return g.index_select(1, inv), None, None


def _op(P: Params, B: Params, h: torch.Tensor, key: str, nd: int, C: int, ctx: StackCtx,
        mask: torch.Tensor | None, scale: torch.Tensor | None = None) -> torch.Tensor:
    """relu(bn(conv(h))) for ``C`` clients (``SuperNet._op`` without its residual ``+ h``)."""
    out = batch_norm(_conv(h, P[key + ".w"], None, nd, C), P, B, key, ctx.train, ctx.bn_mode, mask,
                     ctx.new_buffers, scale)
    return F.relu(out)


def supernet_forward(P: Params, B: Params, x: torch.Tensor, arch: dict, ctx: StackCtx,
                     mix: bool = False) -> torch.Tensor:
    """``SuperNet.forward`` (``mix=False``, per-client subnets) or ``DartsNet.forward`` for ``C`` clients.

    DARTS: sum_i w_i * o_i over ops with w = softmax(alpha) > 0, o_skip = h and
    o_i = relu(bn_i(conv_i h)) + h; since sum_i w_i = 1 and w * relu(z) =
    relu(w * z), that is h + sum_conv relu(bn_i(conv_i h)) with bn_i's affine
    scaled by w_i: the same function, one elementwise pass per op instead of four.
    """
    nd = len(arch["in_shape"]) - 1
    N, C, W = x.shape[0], x.shape[1], arch["width"]
    spatial = x.shape[3:]
    h = x.reshape(N, C * x.shape[2], *spatial)
    h = _op(P, B, h, "stem", nd, C, ctx, ctx.mask)
    for layer in range(arch["depth"]):
        if mix:
            wts = torch.softmax(P[f"alpha{layer}"], -1)  # (C, ops)
            out = h
            for i, op in enumerate(OPS):
                if op != "skip":
                    out = out + _op(P, B, h, f"l{layer}.{op}", nd, C, ctx, ctx.mask, wts[:, i])
            h = out
            continue
        lay = ctx.layout
        assert lay is not None
        hv = h.view(N, C, W, *spatial)
        if lay.perm[layer] is not None:
            p, inv = lay.perm[layer]  # type: ignore[misc]
            hv = _Permute.apply(hv, p, inv)
        cols = lay.cols[layer]
        mask = ctx.mask if (ctx.mask is None or cols is None) else ctx.mask.index_select(1, cols)
        pieces = []
        # one split (its backward is one concatenation), not a slice per op (each a zero-filled full-size grad)
        spans = lay.groups[layer]
        parts = hv.split([hi - lo for _, lo, hi in spans], 1) if len(spans) > 1 else (hv,)
        for (op, lo, hi), hs in zip(spans, parts):
            if op != "skip":
                k = hi - lo
                r = _op(P, B, hs.reshape(N, k * W, *spatial), f"l{layer}.{op}", nd, k, ctx,
                        None if mask is None else mask[:, lo:hi])
                hs = hs + r.view(N, k, W, *spatial)
            pieces.append(hs)
        h = (pieces[0] if len(pieces) == 1 else torch.cat(pieces, 1)).reshape(N, C * W, *spatial)
    feat = h.reshape(N, C, W, -1).mean(-1)  # (N, C, W), in the last layer's client order
    if not mix and ctx.layout is not None and ctx.layout.back is not None:
        feat = feat.index_select(1, ctx.layout.back)
    return torch.baddbmm(P["head.b"].unsqueeze(1), feat.transpose(0, 1), P["head.w"].transpose(1, 2))


def darts_forward(P: Params, B: Params, x: torch.Tensor, arch: dict, ctx: StackCtx) -> torch.Tensor:
    return supernet_forward(P, B, x, arch, ctx, mix=True)


Forward = Callable[[Params, Params, torch.Tensor, dict, StackCtx], torch.Tensor]
#: family name -> (stacked forward, whether clients of different subnets share a stack)
STACKED: dict[str, tuple[Forward, bool]] = {
    "cnn": (cnn_forward, False),
    "supernet": (supernet_forward, True),
    "darts": (darts_forward, False),
}
