"""A ``click.Choice`` whose names come from a registry, read when first needed.

Reading a registry loads its entry points; doing that when a command module is imported
would slow every `fedatlas` call, so the names are read on parsing or help only.
"""

from __future__ import annotations

from collections.abc import Callable

import click


class RegistryChoice(click.Choice[str]):
    """The names ``names()`` returns (built-ins and plugins of one registry), as choices."""

    def __init__(self, names: Callable[[], list[str]]) -> None:
        self._names = names
        self._cached: tuple[str, ...] | None = None
        super().__init__((), case_sensitive=True)

    @property
    def choices(self) -> tuple[str, ...]:
        if self._cached is None:
            self._cached = tuple(self._names())
        return self._cached

    @choices.setter
    def choices(self, value: tuple[str, ...]) -> None:
        pass  # click's __init__ assigns the (empty) static list; the registry is the source


def exporter_formats(topic: str) -> RegistryChoice:
    """The ``--format`` choices of a command: the exporters of ``topic`` (all when empty)."""
    def names() -> list[str]:
        from pipeline.report.exchange.exporters import EXPORTERS, exporter_names

        return exporter_names(topic) if topic else EXPORTERS.names()
    return RegistryChoice(names)
