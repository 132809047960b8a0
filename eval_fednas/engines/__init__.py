"""Engines registered by name (``pipeline.registry``): ``builtin`` (vectorised), ``loop``, ``flower``.

Plugins add engines through the entry-point group ``fedatlas.engines`` (a
callable ``(clients, device) -> Engine``). Flower is imported only when asked for.
"""

from __future__ import annotations

from pipeline.registry import Registry

from .base import Engine, FitJob, FitResult
from .builtin import BuiltinEngine, LoopEngine

REG: Registry = Registry("engines", builtins=(__name__,))
REG.register(BuiltinEngine, name="builtin")
REG.register(LoopEngine, name="loop")


def _flower(clients, device: str = "cpu") -> Engine:
    from .flower import FlowerEngine

    return FlowerEngine(clients, device)


REG.register(_flower, name="flower")


def names() -> list[str]:
    return REG.names()


def make_engine(name: str, clients, device: str = "cpu") -> Engine:
    """The engine ``name`` over ``clients``; an unknown name lists the known ones."""
    return REG.get(name)(clients, device)


__all__ = ["Engine", "FitJob", "FitResult", "make_engine", "names", "REG"]
