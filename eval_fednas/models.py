"""Functional models with MAC counting: a prunable CNN, a one-shot super-net, DARTS.

Models are pure functions of a parameter dict; :mod:`eval_fednas.engines.forwards`
holds each family's stacked forward, which trains many clients at once. An architecture
is a small JSON-able dict (``arch["family"]`` names the family); MACs are
counted by running the forward pass with a :class:`MacCounter`, never by hand.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache

import torch
import torch.nn.functional as F

from pipeline.errors import UnknownNameError

Params = dict[str, torch.Tensor]


class MacCounter:
    """Accumulates multiply-accumulates of conv / linear layers per sample."""

    def __init__(self) -> None:
        self.macs = 0

    def add(self, out: torch.Tensor, per_output: int) -> None:
        self.macs += (out.numel() // out.shape[0]) * per_output


def _conv(x, w, b, ndim, counter, padding=None):
    pad = w.shape[-1] // 2 if padding is None else padding
    out = (F.conv1d if ndim == 1 else F.conv2d)(x, w, b, padding=pad)
    if counter is not None:
        counter.add(out, w.shape[1] * math.prod(w.shape[2:]))
    return out


def _linear(x, w, b, counter):
    out = F.linear(x, w, b)
    if counter is not None:
        counter.add(out, w.shape[1])
    return out


def _pool(x, ndim):
    return (F.max_pool1d if ndim == 1 else F.max_pool2d)(x, 2)


def _bn(x, params, buffers, key, train, bn_mode):
    """BatchNorm; ``bn_mode='batch'`` always uses batch statistics (Yu et al.)."""
    rm, rv = buffers.get(key + ".rm"), buffers.get(key + ".rv")
    use_batch = train or bn_mode == "batch" or rm is None
    return F.batch_norm(x, rm if bn_mode == "track" else None, rv if bn_mode == "track" else None,
                        params[key + ".g"], params[key + ".b"], training=use_batch, momentum=0.1)


# --------------------------------------------------------------------- CNN
class PrunableCNN:
    """conv-conv-pool-conv-pool-fc-fc; the first four layers are prunable (K = 4)."""

    name = "cnn"
    bilevel = False

    @staticmethod
    def default_arch(input_shape, num_classes, widths=(16, 32, 32, 64)) -> dict:
        return {"family": "cnn", "in_shape": list(input_shape), "classes": num_classes, "widths": list(widths)}

    @staticmethod
    def prunable(arch) -> list[int]:
        return list(range(len(arch["widths"])))

    @staticmethod
    def init(arch, gen: torch.Generator) -> tuple[Params, Params]:
        c_in, *spatial = arch["in_shape"]
        nd, w = len(spatial), arch["widths"]
        flat = w[2] * math.prod(s // 4 for s in spatial)
        shapes = {"conv0": (w[0], c_in) + (3,) * nd, "conv1": (w[1], w[0]) + (3,) * nd,
                  "conv2": (w[2], w[1]) + (3,) * nd, "fc0": (w[3], flat), "fc1": (arch["classes"], w[3])}
        p: Params = {}
        for k, s in shapes.items():
            fan_in = math.prod(s[1:])
            p[k + ".w"] = (torch.rand(s, generator=gen) * 2 - 1) * math.sqrt(6.0 / fan_in) / math.sqrt(2)
            p[k + ".b"] = torch.zeros(s[0])
        return p, {}

    @staticmethod
    def forward(p, buffers, x, arch, train=False, bn_mode="batch", counter=None):
        nd = len(arch["in_shape"]) - 1
        h = F.relu(_conv(x, p["conv0.w"], p["conv0.b"], nd, counter))
        h = _pool(F.relu(_conv(h, p["conv1.w"], p["conv1.b"], nd, counter)), nd)
        h = _pool(F.relu(_conv(h, p["conv2.w"], p["conv2.b"], nd, counter)), nd)
        h = F.relu(_linear(h.flatten(1), p["fc0.w"], p["fc0.b"], counter))
        return _linear(h, p["fc1.w"], p["fc1.b"], counter)

    @staticmethod
    def used_keys(p, arch) -> list[str]:
        return sorted(p)


def prune_layer(params: Params, arch: dict, layer: int, keep: int) -> tuple[Params, dict]:
    """Keep the ``keep`` filters of prunable ``layer`` with the largest L2 norm (Xu §4.1)."""
    names = ["conv0", "conv1", "conv2", "fc0"]
    nxt = ["conv1", "conv2", "fc0", "fc1"]
    w = params[names[layer] + ".w"]
    norms = w.flatten(1).norm(dim=1)
    idx = torch.sort(torch.topk(norms, keep).indices).values
    p = dict(params)
    p[names[layer] + ".w"] = w[idx].clone()
    p[names[layer] + ".b"] = params[names[layer] + ".b"][idx].clone()
    wn = params[nxt[layer] + ".w"]
    if layer == 2:  # conv -> flattened fc input: each channel owns a block of features
        per = wn.shape[1] // w.shape[0]
        cols = (idx[:, None] * per + torch.arange(per, device=idx.device)[None, :]).flatten()
        p[nxt[layer] + ".w"] = wn[:, cols].clone()
    else:
        p[nxt[layer] + ".w"] = wn[:, idx].clone()
    new_arch = json.loads(json.dumps(arch))
    new_arch["widths"][layer] = keep
    return p, new_arch


# ------------------------------------------------------------ super-net
OPS = ("c3", "c5", "c1", "skip")


class SuperNet:
    """Chain super-net: stem, ``depth`` choice layers of OPS, GAP, linear head.

    ``arch["choice"]`` selects one op per layer (a subnet); ``arch["ops"]`` lists
    which ops exist in the parameter dict (all of them for the super-net).
    """

    name = "supernet"
    bilevel = False

    @staticmethod
    def default_arch(input_shape, num_classes, width=24, depth=3, choice=None) -> dict:
        return {"family": "supernet", "in_shape": list(input_shape), "classes": num_classes,
                "width": width, "depth": depth, "choice": list(choice) if choice else None}

    @staticmethod
    def _op_shapes(arch, layer, op):
        nd, W = len(arch["in_shape"]) - 1, arch["width"]
        k = {"c3": 3, "c5": 5, "c1": 1}.get(op)
        return None if k is None else (W, W) + (k,) * nd

    @classmethod
    def init(cls, arch, gen):
        c_in, *spatial = arch["in_shape"]
        nd, W = len(spatial), arch["width"]
        p: Params = {}
        b: Params = {}

        def conv(key, shape):
            fan_in = math.prod(shape[1:])
            p[key + ".w"] = torch.randn(shape, generator=gen) * math.sqrt(2.0 / fan_in)
            p[key + ".g"], p[key + ".b"] = torch.ones(shape[0]), torch.zeros(shape[0])
            b[key + ".rm"], b[key + ".rv"] = torch.zeros(shape[0]), torch.ones(shape[0])

        conv("stem", (W, c_in) + (3,) * nd)
        for layer in range(arch["depth"]):
            for op in OPS:
                shape = cls._op_shapes(arch, layer, op)
                if shape is not None:
                    conv(f"l{layer}.{op}", shape)
        p["head.w"] = torch.randn(arch["classes"], W, generator=gen) / math.sqrt(W)
        p["head.b"] = torch.zeros(arch["classes"])
        return p, b

    @classmethod
    def features(cls, p, buffers, x, arch, choice, train, bn_mode, counter, mix=None):
        nd = len(arch["in_shape"]) - 1
        h = F.relu(_bn(_conv(x, p["stem.w"], None, nd, counter), p, buffers, "stem", train, bn_mode))
        for layer in range(arch["depth"]):
            if mix is not None:  # DARTS: softmax-weighted sum over every op
                wts = torch.softmax(p[f"alpha{layer}"], 0)
                h = sum(wts[i] * cls._op(p, buffers, h, arch, layer, op, train, bn_mode, counter)
                        for i, op in enumerate(OPS))
            else:
                h = cls._op(p, buffers, h, arch, layer, choice[layer], train, bn_mode, counter)
        return h.flatten(2).mean(-1)

    @staticmethod
    def _op(p, buffers, h, arch, layer, op, train, bn_mode, counter):
        if op == "skip":
            return h
        key = f"l{layer}.{op}"
        nd = len(arch["in_shape"]) - 1
        return F.relu(_bn(_conv(h, p[key + ".w"], None, nd, counter), p, buffers, key, train, bn_mode)) + h

    @classmethod
    def forward(cls, p, buffers, x, arch, train=False, bn_mode="track", counter=None):
        h = cls.features(p, buffers, x, arch, arch["choice"], train, bn_mode, counter)
        return _linear(h, p["head.w"], p["head.b"], counter)

    @staticmethod
    def used_keys(p, arch) -> list[str]:
        """The tensors a subnet touches: what a client downloads and uploads."""
        keep = {"stem", "head"} | {f"l{i}.{op}" for i, op in enumerate(arch["choice"])}
        return sorted(k for k in p if k.rsplit(".", 1)[0] in keep)


class DartsNet(SuperNet):
    """Continuous relaxation of the super-net (Liu et al.; federated by He et al.)."""

    name = "darts"
    bilevel = True

    @classmethod
    def init(cls, arch, gen):
        p, b = SuperNet.init(arch, gen)
        for layer in range(arch["depth"]):
            p[f"alpha{layer}"] = 1e-3 * torch.randn(len(OPS), generator=gen)
        return p, b

    @classmethod
    def forward(cls, p, buffers, x, arch, train=False, bn_mode="batch", counter=None):
        h = cls.features(p, buffers, x, arch, None, train, bn_mode, counter, mix=True)
        return _linear(h, p["head.w"], p["head.b"], counter)

    @staticmethod
    def used_keys(p, arch) -> list[str]:
        return sorted(p)

    @staticmethod
    def derive(p, arch) -> list[str]:
        """The discrete architecture: argmax of alpha per layer."""
        return [OPS[int(torch.argmax(p[f"alpha{i}"]))] for i in range(arch["depth"])]


FAMILIES = {f.name: f for f in (PrunableCNN, SuperNet, DartsNet)}


def family(name: str):
    try:
        return FAMILIES[name]
    except KeyError:
        raise UnknownNameError(f"unknown model family {name!r}", hint="known: " + ", ".join(FAMILIES)) from None


def init_model(arch: dict, seed: int) -> tuple[Params, Params]:
    return family(arch["family"]).init(arch, torch.Generator().manual_seed(seed))


@lru_cache(maxsize=4096)
def _macs(arch_json: str) -> int:
    arch = json.loads(arch_json)
    fam = family(arch["family"])
    p, b = fam.init(arch, torch.Generator().manual_seed(0))
    counter = MacCounter()
    with torch.no_grad():
        fam.forward(p, b, torch.zeros((2, *arch["in_shape"])), arch, train=True, bn_mode="batch", counter=counter)
    return counter.macs


def macs_per_sample(arch: dict) -> int:
    """Forward MACs for one sample, counted by running the model."""
    return _macs(json.dumps(arch, sort_keys=True))


def arch_key(arch: dict) -> str:
    return json.dumps(arch, sort_keys=True)
