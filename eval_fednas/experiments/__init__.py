"""Experiments registered by name (``pipeline.registry``); plugins use the group ``fedatlas.experiments``."""

from __future__ import annotations

from pipeline.registry import Registry

from .base import AccountingCheck, ClaimVerdict, Experiment, RunSpec

BUILTINS = ("xu_fednas", "supernet_ranking", "fedoras_sampling", "fednas_darts", "fbnetv3_predictor", "heterofl_width",
            "xu_ablations")

REG: Registry[type[Experiment]] = Registry("experiments", builtins=tuple(f"{__name__}.{m}" for m in BUILTINS))


def register(cls: type[Experiment]) -> type[Experiment]:
    return REG.register(cls)  # type: ignore[return-value]


def names() -> list[str]:
    return REG.names()


def get(name: str) -> Experiment:
    """A fresh instance of experiment ``name``; an unknown name lists the known ones."""
    return REG.get(name)()


__all__ = ["Experiment", "RunSpec", "ClaimVerdict", "AccountingCheck", "register", "get", "names", "REG"]
