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

Super-net clients may train different subnets in one stack: per choice layer
the clients are split by the op they chose (``ctx.layers``), each op runs
once for its clients, and the pieces are put back in client order. DARTS
mixes every op with each client's own softmax(alpha).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from ..models import OPS

Params = dict[str, torch.Tensor]
EPS, MOMENTUM = 1e-5, 0.1  # F.batch_norm's defaults, as in models._bn


@dataclass
class StackCtx:
    """What a stacked forward needs besides parameters and data."""

    train: bool
    bn_mode: str = "batch"
    #: ``(N, C)`` 1.0 where a sample slot holds a real sample; None = every slot is real
    mask: torch.Tensor | None = None
    #: super-net: per choice layer, ``(op, positions)`` groups (positions None = every client)
    layers: list[list[tuple[str, torch.Tensor | None]]] | None = None
    #: super-net: per layer, the permutation putting the op groups back in client order
    inverse: list[torch.Tensor | None] | None = None
    #: running statistics updated by this forward (track mode, training), written back by the caller
    new_buffers: Params = field(default_factory=dict)


def _conv(h: torch.Tensor, w: torch.Tensor, b: torch.Tensor | None, nd: int, groups: int) -> torch.Tensor:
    conv = F.conv1d if nd == 1 else F.conv2d
    return conv(h, w.reshape(-1, *w.shape[2:]), None if b is None else b.reshape(-1), padding=w.shape[-1] // 2,
                groups=groups)


def _pool(h: torch.Tensor, nd: int) -> torch.Tensor:
    return (F.max_pool1d if nd == 1 else F.max_pool2d)(h, 2)


def batch_norm(h: torch.Tensor, P: Params, B: Params, key: str, ctx: StackCtx,
               mask: torch.Tensor | None) -> torch.Tensor:
    """Per-client batch norm of ``h (N, C*W, *spatial)``; statistics over real samples only.

    Same rule as ``models._bn``: batch statistics when training or in
    ``bn_mode='batch'``, running statistics otherwise; running statistics are
    updated (momentum 0.1, unbiased variance) when training in ``track`` mode.
    Computed in float32 (also under autocast).
    """
    g, b = P[key + ".g"], P[key + ".b"]
    C, W = g.shape
    rm, rv = B.get(key + ".rm"), B.get(key + ".rv")
    track = ctx.bn_mode == "track" and rm is not None and rv is not None
    if h.dtype in (torch.bfloat16, torch.float16):  # autocast: statistics in float32
        h = h.float()
    if not (ctx.train or ctx.bn_mode == "batch" or rm is None):
        assert rm is not None and rv is not None
        return F.batch_norm(h, rm.reshape(-1), rv.reshape(-1), g.reshape(-1), b.reshape(-1), False, 0.0, EPS)
    if mask is None:  # every slot real: the fused kernel, running statistics updated in place on copies
        rm2 = rm.reshape(-1).clone() if track else None  # type: ignore[union-attr]
        rv2 = rv.reshape(-1).clone() if track else None  # type: ignore[union-attr]
        out = F.batch_norm(h, rm2, rv2, g.reshape(-1), b.reshape(-1), True, MOMENTUM, EPS)
        if rm2 is not None and rv2 is not None:
            ctx.new_buffers[key + ".rm"], ctx.new_buffers[key + ".rv"] = rm2.view(C, W), rv2.view(C, W)
        return out
    N = h.shape[0]
    hv = h.reshape(N, C, W, -1)
    m = mask.to(h.dtype).view(N, C, 1, 1)
    n = mask.sum(0).to(h.dtype) * hv.shape[-1]  # (C,) values per channel
    denom = n.clamp(min=1.0).view(1, C, 1, 1)
    mean = (hv * m).sum((0, 3), keepdim=True) / denom
    d = hv - mean
    var = (d * d * m).sum((0, 3), keepdim=True) / denom  # biased, as batch norm normalises
    out = d * torch.rsqrt(var + EPS) * g.view(1, C, W, 1) + b.view(1, C, W, 1)
    if track:
        assert rm is not None and rv is not None
        with torch.no_grad():
            unbiased = var.view(C, W) * (n / (n - 1).clamp(min=1.0)).view(C, 1)
            ctx.new_buffers[key + ".rm"] = (1 - MOMENTUM) * rm + MOMENTUM * mean.view(C, W)
            ctx.new_buffers[key + ".rv"] = (1 - MOMENTUM) * rv + MOMENTUM * unbiased
    return out.view(h.shape)


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
def _op(P: Params, B: Params, h: torch.Tensor, key: str, nd: int, C: int, ctx: StackCtx,
        mask: torch.Tensor | None) -> torch.Tensor:
    """``SuperNet._op`` (not skip) for ``C`` clients: relu(bn(conv(h))) + h."""
    out = batch_norm(_conv(h, P[key + ".w"], None, nd, C), P, B, key, ctx, mask)
    return F.relu(out) + h


def _rows(t: torch.Tensor | None, pos: torch.Tensor | None) -> torch.Tensor | None:
    return t if (t is None or pos is None) else t[:, pos]


def supernet_forward(P: Params, B: Params, x: torch.Tensor, arch: dict, ctx: StackCtx,
                     mix: bool = False) -> torch.Tensor:
    """``SuperNet.forward`` (``mix=False``, per-client subnets) or ``DartsNet.forward`` for ``C`` clients."""
    nd = len(arch["in_shape"]) - 1
    N, C, W = x.shape[0], x.shape[1], arch["width"]
    spatial = x.shape[3:]
    h = x.reshape(N, C * x.shape[2], *spatial)
    h = F.relu(batch_norm(_conv(h, P["stem.w"], None, nd, C), P, B, "stem", ctx, ctx.mask))
    for layer in range(arch["depth"]):
        if mix:  # DARTS: each client's softmax(alpha) weights every op
            wts = torch.softmax(P[f"alpha{layer}"], -1)  # (C, ops)
            shape = (1, C) + (1,) * (1 + nd)
            mixed = None
            for i, op in enumerate(OPS):
                o = h if op == "skip" else _op(P, B, h, f"l{layer}.{op}", nd, C, ctx, ctx.mask)
                term = wts[:, i].view(shape) * o.view(N, C, W, *spatial)
                mixed = term if mixed is None else mixed + term
            assert mixed is not None
            h = mixed.reshape(N, C * W, *spatial)
            continue
        assert ctx.layers is not None and ctx.inverse is not None
        groups, inv = ctx.layers[layer], ctx.inverse[layer]
        if inv is None:  # every client chose the same op
            op = groups[0][0]
            h = h if op == "skip" else _op(P, B, h, f"l{layer}.{op}", nd, C, ctx, ctx.mask)
            continue
        hv = h.view(N, C, W, *spatial)
        pieces = []
        for op, pos in groups:
            assert pos is not None
            hs = hv.index_select(1, pos)
            if op != "skip":
                k = len(pos)
                hs = _op(P, B, hs.reshape(N, k * W, *spatial), f"l{layer}.{op}", nd, k, ctx,
                         _rows(ctx.mask, pos)).view(N, k, W, *spatial)
            pieces.append(hs)
        h = torch.cat(pieces, 1).index_select(1, inv).reshape(N, C * W, *spatial)
    feat = h.reshape(N, C, W, -1).mean(-1).transpose(0, 1)  # (C, N, W)
    return torch.baddbmm(P["head.b"].unsqueeze(1), feat, P["head.w"].transpose(1, 2))


def darts_forward(P: Params, B: Params, x: torch.Tensor, arch: dict, ctx: StackCtx) -> torch.Tensor:
    return supernet_forward(P, B, x, arch, ctx, mix=True)


def layer_groups(choices: list[list[str]], device) -> tuple[list, list]:
    """Per layer: ``(op, positions)`` of the clients that chose each op, and the inverse permutation."""
    layers, inverse = [], []
    for layer in range(len(choices[0])):
        by_op: dict[str, list[int]] = {}
        for c, ch in enumerate(choices):
            by_op.setdefault(ch[layer], []).append(c)
        if len(by_op) == 1:
            layers.append([(next(iter(by_op)), None)])
            inverse.append(None)
            continue
        order = [c for op in OPS if op in by_op for c in by_op[op]]
        inv = torch.empty(len(order), dtype=torch.long)
        inv[torch.tensor(order)] = torch.arange(len(order))
        layers.append([(op, torch.tensor(by_op[op], device=device)) for op in OPS if op in by_op])
        inverse.append(inv.to(device))
    return layers, inverse


Forward = Callable[[Params, Params, torch.Tensor, dict, StackCtx], torch.Tensor]
#: family name -> (stacked forward, whether clients of different subnets share a stack)
STACKED: dict[str, tuple[Forward, bool]] = {
    "cnn": (cnn_forward, False),
    "supernet": (supernet_forward, True),
    "darts": (darts_forward, False),
}
