"""One registry mechanism for every extension point of Atlas.

Built-ins register with a decorator in their own module; third-party packages
declare an entry point in the kind's group (``fedatlas.<kind>``), e.g. in their
``pyproject.toml``::

    [project.entry-points."fedatlas.proposers"]
    my-proposer = "my_pkg.proposer:MyProposer"

Both are listed together, built-ins first loaded (so a plugin can never hide
them by registering early), and an unknown name is answered with the known ones.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from importlib.metadata import entry_points
from typing import Any, Generic, TypeVar

from pipeline.errors import AtlasError, UnknownNameError

T = TypeVar("T")

#: every registry made, by kind: lets `fedatlas plugins` and the docs list them all
REGISTRIES: dict[str, Registry[Any]] = {}


class Registry(Generic[T]):
    """Named objects of one kind: built-ins by decorator, plugins by entry point.

    ``builtins`` names the modules whose import registers the built-ins; they
    are imported on the first lookup, then the entry-point group is read.
    ``key`` derives a name from a registered object when the decorator is used
    bare (default: its ``name`` attribute).
    """

    def __init__(self, kind: str, builtins: tuple[str, ...] = (),
                 key: Callable[[T], str] | None = None) -> None:
        self.kind = kind
        self.group = f"fedatlas.{kind}"
        self._builtin_modules = builtins
        self._key = key or (lambda obj: obj.name)  # type: ignore[attr-defined]
        self._items: dict[str, T] = {}
        self._origin: dict[str, str] = {}
        self._loaded = False
        self._loading = False
        #: plugins whose entry point failed to load: name -> why
        self.broken: dict[str, str] = {}
        REGISTRIES[kind] = self

    # -- registering -------------------------------------------------------------------
    def register(self, obj: T | None = None, *, name: str | None = None,
                 origin: str = "built-in") -> T | Callable[[T], T]:
        """Register ``obj`` (usable as ``@registry.register`` or ``@registry.register(name=...)``)."""
        def add(target: T) -> T:
            key = name or self._key(target)
            self._items[key] = target
            self._origin.setdefault(key, origin)
            return target
        return add if obj is None else add(obj)

    def _load(self) -> None:
        if self._loaded or self._loading:
            return
        self._loading = True
        try:
            for module in self._builtin_modules:
                importlib.import_module(module)
            for ep in entry_points(group=self.group):
                if ep.name in self._items:
                    continue  # a built-in of that name wins; plugins add, never replace
                try:
                    target = ep.load()
                except Exception as exc:  # a broken plugin must not break Atlas: it is listed as broken
                    self.broken[ep.name] = f"{ep.value}: {type(exc).__name__}: {exc}"
                    continue
                self._items[ep.name] = target
                self._origin[ep.name] = f"plugin ({ep.value})"
            self._loaded = True
        finally:
            self._loading = False

    # -- looking up --------------------------------------------------------------------
    def names(self) -> list[str]:
        self._load()
        return sorted(self._items)

    def get(self, name: str) -> T:
        self._load()
        if name in self.broken:
            raise AtlasError(f"plugin {name!r} of {self.group} failed to load ({self.broken[name]})",
                             hint="fix or uninstall the package that provides it")
        try:
            return self._items[name]
        except KeyError:
            raise UnknownNameError(f"unknown {self.kind.rstrip('s')} {name!r}",
                                   hint=f"known {self.kind}: " + ", ".join(self.names())) from None

    def __contains__(self, name: object) -> bool:
        self._load()
        return name in self._items

    def items(self) -> Iterator[tuple[str, T]]:
        self._load()
        yield from sorted(self._items.items())

    def origin(self, name: str) -> str:
        """'built-in' or 'plugin (module:attr)': shown in listings."""
        self._load()
        return self._origin.get(name, "built-in")


#: every module that defines a registry (importing it creates it): the one list, read by
#: :func:`registries` (so `fedatlas plugins` and the docs list every kind); a new kind adds its
#: module here (tests/architecture checks that every ``Registry(...)`` is listed). Optional
#: parts of Atlas that are not installed are skipped.
REGISTRY_MODULES: tuple[str, ...] = (
    "pipeline.cli",
    "pipeline.sources.base",
    "pipeline.report.exchange.exporters",
    "pipeline.propose.base",
    "eval_fednas.experiments",
    "eval_fednas.engines",
    "pipeline.report.build",
    "pipeline.curate.ranking",
    "app.pages",
)


def registries() -> dict[str, Registry[Any]]:
    """Every kind of extension with its registry, by kind, importing the modules that define them."""
    for name in REGISTRY_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as e:  # an optional part of Atlas that is not installed
            if not (e.name and name.startswith(e.name)):
                raise
    return dict(sorted(REGISTRIES.items()))
