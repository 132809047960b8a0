"""Experiments registered by name; an unknown name lists the known ones."""

from __future__ import annotations

from pipeline.errors import UnknownNameError

from .base import ClaimVerdict, Experiment, RunSpec

_REGISTRY: dict[str, type[Experiment]] = {}


def register(cls: type[Experiment]) -> type[Experiment]:
    _REGISTRY[cls.name] = cls
    return cls


def _load_builtins() -> None:
    import importlib

    for mod in ("xu_fednas", "supernet_ranking", "fedoras_sampling", "fednas_darts"):
        try:
            importlib.import_module(f"{__name__}.{mod}")
        except ModuleNotFoundError as e:
            if e.name != f"{__name__}.{mod}":
                raise


def names() -> list[str]:
    _load_builtins()
    return sorted(_REGISTRY)


def get(name: str) -> Experiment:
    _load_builtins()
    try:
        return _REGISTRY[name]()
    except KeyError:
        raise UnknownNameError(f"unknown experiment {name!r}", hint="known: " + ", ".join(sorted(_REGISTRY))) from None


__all__ = ["Experiment", "RunSpec", "ClaimVerdict", "register", "get", "names"]
