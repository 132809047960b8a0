"""Batch norm for stacked clients: each client's statistics over its real samples only.

``h (N, C*W, *spatial)`` holds ``C`` clients of ``W`` channels; slot ``i`` of
client ``c`` is a real sample where ``mask[i, c] == 1`` (padding otherwise).
With every slot real this is PyTorch's fused batch norm on the stacked
channels; with padding, :class:`MaskedBatchNorm` computes the same statistics
over the real samples (padded slots get outputs, but no say in the statistics
and no gradient through them) with a hand-written backward, ~2x cheaper than
autograd through the masked arithmetic.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

Params = dict[str, torch.Tensor]
EPS, MOMENTUM = 1e-5, 0.1  # F.batch_norm's defaults, as in models._bn


class MaskedBatchNorm(torch.autograd.Function):
    """``y = (h - mean) / sqrt(var + eps) * g + b`` with per-(client, channel) statistics over masked slots.

    Inputs: ``hv (N, C, W, S)``, ``m (N, C, 1, 1)`` (1 real, 0 padding),
    ``g, b (1, C, W, 1)``. Returns ``y`` and, not differentiable, the biased
    ``mean``/``var`` (``(1, C, W, 1)``) and the count of values per channel.
    """

    @staticmethod
    def forward(ctx, hv, m, g, b):
        # masked sums over (samples, positions) as contractions with the (N, C) mask: no masked copy of hv
        m2 = m.view(m.shape[0], m.shape[1])
        n = m.sum(0, keepdim=True) * hv.shape[-1]  # (1, C, 1, 1)
        denom = n.clamp(min=1.0)
        mean = torch.einsum("ncw,nc->cw", hv.sum(3), m2).view_as(g) / denom
        d = hv - mean
        var = torch.einsum("ncw,nc->cw", (d * d).sum(3), m2).view_as(g) / denom
        rstd = torch.rsqrt(var + EPS)
        xhat = d.mul_(rstd)
        y = torch.addcmul(b, xhat, g)
        ctx.save_for_backward(xhat, m, g, rstd, denom)
        ctx.mark_non_differentiable(mean, var, n)
        return y, mean, var, n

    @staticmethod
    def backward(ctx, dy, _mean, _var, _n):
        xhat, m, g, rstd, denom = ctx.saved_tensors
        m2 = m.view(m.shape[0], m.shape[1])
        db = torch.einsum("ncw,nc->cw", dy.sum(3), m2).view_as(g)
        dg = torch.einsum("ncw,nc->cw", (dy * xhat).sum(3), m2).view_as(g)
        # real slots: rstd * (dxhat - mean_R(dxhat) - xhat * mean_R(dxhat * xhat)); padded: rstd * dxhat
        k = g * rstd / denom
        neg_corr = torch.addcmul(-k * db, xhat, -k * dg).mul_(m)
        dx = torch.addcmul(neg_corr, dy, g * rstd)
        return dx, None, dg, db


def batch_norm(h: torch.Tensor, P: Params, B: Params, key: str, train: bool, bn_mode: str,
               mask: torch.Tensor | None, new_buffers: Params, scale: torch.Tensor | None = None) -> torch.Tensor:
    """Per-client batch norm of ``h (N, C*W, *spatial)``, as ``models._bn`` does for one client.

    Batch statistics when training or in ``bn_mode='batch'``, running
    statistics otherwise; when training in ``track`` mode the new running
    statistics (momentum 0.1, unbiased variance) go to ``new_buffers``.
    ``scale (C,)`` multiplies each client's affine ``g, b`` (DARTS folds its
    op weights in here). Computed in float32, also under autocast.
    """
    g, b = P[key + ".g"], P[key + ".b"]
    if scale is not None:
        g, b = g * scale[:, None], b * scale[:, None]
    C, W = g.shape
    rm, rv = B.get(key + ".rm"), B.get(key + ".rv")
    track = bn_mode == "track" and rm is not None and rv is not None
    if h.dtype in (torch.bfloat16, torch.float16):
        h = h.float()
    if not (train or bn_mode == "batch" or rm is None or rv is None):
        return F.batch_norm(h, rm.reshape(-1), rv.reshape(-1), g.reshape(-1), b.reshape(-1), False, 0.0, EPS)
    if mask is None:  # every slot real: the fused kernel, running statistics updated in place on copies
        rm2 = rm.reshape(-1).clone() if track and rm is not None else None
        rv2 = rv.reshape(-1).clone() if track and rv is not None else None
        out = F.batch_norm(h, rm2, rv2, g.reshape(-1), b.reshape(-1), True, MOMENTUM, EPS)
        if rm2 is not None and rv2 is not None:
            new_buffers[key + ".rm"], new_buffers[key + ".rv"] = rm2.view(C, W), rv2.view(C, W)
        return out
    N = h.shape[0]
    m = mask.to(h.dtype).view(N, C, 1, 1)
    out, mean, var, n = MaskedBatchNorm.apply(h.reshape(N, C, W, -1), m, g.view(1, C, W, 1), b.view(1, C, W, 1))
    if track and rm is not None and rv is not None:
        with torch.no_grad():
            n = n.view(C, 1)
            unbiased = var.view(C, W) * n / (n - 1).clamp(min=1.0)
            new_buffers[key + ".rm"] = (1 - MOMENTUM) * rm + MOMENTUM * mean.view(C, W)
            new_buffers[key + ".rv"] = (1 - MOMENTUM) * rv + MOMENTUM * unbiased
    return out.view(h.shape)
