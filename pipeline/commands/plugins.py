"""`fedatlas plugins`: every extension point, with its built-ins and installed plugins."""

from __future__ import annotations

import json
from typing import Any

import click

from pipeline.registry import registries


@click.command("plugins")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def plugins_cmd(fmt: str) -> None:
    """List the extension points (entry-point group `fedatlas.KIND`) and what is registered in each."""
    listing: dict[str, dict[str, Any]] = {
        kind: {"group": reg.group,
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
