"""`fedatlas plugins`: every extension point, with its built-ins and installed plugins."""

from __future__ import annotations

import importlib
import json

import click

#: modules that define a registry (importing them creates it); a new kind adds its module here
REGISTRY_MODULES = [
    "pipeline.cli",
    "pipeline.sources",
    "pipeline.report.exchange.exporters",
    "pipeline.propose.base",
    "eval_fednas.experiments",
    "eval_fednas.engines",
    "pipeline.report.build",
    "pipeline.curate.ranking",
    "app.pages",
]


def registries() -> dict:
    """Every kind of extension with its registry, importing what defines them."""
    from pipeline.registry import KNOWN_REGISTRY_MODULES, REGISTRIES

    for name in dict.fromkeys(REGISTRY_MODULES + KNOWN_REGISTRY_MODULES):
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as e:  # an optional part of Atlas that is not installed
            if not (e.name and name.startswith(e.name)):
                raise
    return dict(sorted(REGISTRIES.items()))


@click.command("plugins")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def plugins_cmd(fmt: str) -> None:
    """List the extension points (entry-point group `fedatlas.KIND`) and what is registered in each."""
    listing = {kind: {"group": reg.group,
                      "names": {**{n: reg.origin(n) for n in reg.names()},
                                **{n: f"broken plugin ({why})" for n, why in reg.broken.items()}}}
               for kind, reg in registries().items()}
    if fmt == "json":
        click.echo(json.dumps(listing, indent=2))
        return
    for kind, info in listing.items():
        click.echo(f"{kind}  (entry-point group {info['group']})")
        for name, origin in info["names"].items():
            click.echo(f"  {name:32s} {origin}")


commands = [plugins_cmd]
