"""Engines registered by name: ``builtin`` (vectorised), ``loop``, ``flower``."""

from __future__ import annotations

from pipeline.errors import UnknownNameError

from .base import Engine, FitJob, FitResult
from .builtin import BuiltinEngine, LoopEngine

ENGINES = ("builtin", "loop", "flower")


def make_engine(name: str, clients, device: str = "cpu") -> Engine:
    """The engine ``name`` over ``clients``; Flower is imported only when asked for."""
    if name == "builtin":
        return BuiltinEngine(clients, device)
    if name == "loop":
        return LoopEngine(clients, device)
    if name == "flower":
        from .flower import FlowerEngine

        return FlowerEngine(clients, device)
    raise UnknownNameError(f"unknown engine {name!r}", hint="known: " + ", ".join(ENGINES))


__all__ = ["Engine", "FitJob", "FitResult", "make_engine", "ENGINES"]
