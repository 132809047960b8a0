"""`fedatlas`: a thin CLI over library functions.

Each command parses options, calls one library function and prints. Atlas's
own errors are turned into one readable line and an exit code here, at the
edge (see ``pipeline.errors``); a traceback is a bug.

Commands live in small modules listed in ``COMMAND_MODULES``; each exposes
``commands: list[click.Command]``. Built-ins are registered exactly like
third-party ones (entry point group ``fedatlas.commands``).
"""

from __future__ import annotations

import importlib
import os
import sys
from dataclasses import dataclass, field

import click

from pipeline import __version__
from pipeline.errors import AtlasError
from pipeline.registry import Registry

COMMAND_MODULES = [
    "pipeline.commands.core",
    "pipeline.commands.ingest",
    "pipeline.commands.propose",
    "pipeline.commands.curate",
    "pipeline.commands.serve",
    "pipeline.commands.report",
    "pipeline.commands.plugins",
    "pipeline.commands.screening",
    "eval_fednas.cli",
    "app.cli",
]


@dataclass
class CliContext:
    """What every command receives: where the store is, opened lazily.

    Only the commands that build a store (``init``, ``import``, ``restore``) pass
    ``create=True``; every other one fails on a missing store instead of creating an
    empty one at a mistyped path."""

    store_location: str | None = None
    _store: object | None = field(default=None, repr=False)

    def store(self, create: bool = False):
        if self._store is None:
            from pipeline.store import open_store

            self._store = open_store(self.store_location, create=create)
        return self._store


def hoist_global_options(args: list[str], names: tuple[str, ...] = ("--store",)) -> list[str]:
    """Move ``--store X`` / ``--store=X`` given after the subcommand to the front, so
    ``fedatlas init --store X`` means ``fedatlas --store X init`` (the README's promise).
    Arguments after ``--`` are left alone."""
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest += args[i:]
            break
        if arg in names and i + 1 < len(args):
            front += [arg, args[i + 1]]
            i += 2
            continue
        if any(arg.startswith(n + "=") for n in names):
            front.append(arg)
        else:
            rest.append(arg)
        i += 1
    return front + rest


class AtlasGroup(click.Group):
    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, hoist_global_options(list(args)))


@click.group(cls=AtlasGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--store", "store_location", envvar="FEDATLAS_STORE", metavar="PATH|URL",
              help="Store directory or SPARQL endpoint URL (default: $FEDATLAS_STORE, else a per-user data dir).")
@click.version_option(__version__, prog_name="fedatlas")
@click.pass_context
def cli(ctx: click.Context, store_location: str | None) -> None:
    """FedNAS Atlas: a living knowledge graph for a systematic review of Federated NAS.

    \b
    Start:    fedatlas init              load the bundled corpus into the store
    Mine:     fedatlas ingest PAPERS...  PDFs, BibTeX, RIS, text -> proposals
    Curate:   fedatlas app               the reviewer's workbench (Streamlit)
    Ask:      fedatlas query 'SELECT ...' | -f corpus/queries/NAME.rq
    Report:   fedatlas tables | report | serve
    Validate: fedatlas eval run xu-fednas --quick
    """
    ctx.obj = CliContext(store_location=store_location)


#: every command: built-ins from COMMAND_MODULES (their ``commands`` lists), plugins from the
#: entry-point group ``fedatlas.commands`` (a click.Command); a plugin never replaces a built-in
COMMANDS: Registry[click.Command] = Registry("commands", key=lambda command: command.name or "")


def _register() -> None:
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name and name.startswith(e.name):
                continue  # that part of Atlas is not built/installed
            raise
        for command in getattr(module, "commands", []):
            if command.name not in cli.commands:
                COMMANDS.register(command)
    for name, command in COMMANDS.items():
        cli.add_command(command, name)


_register()


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, converting Atlas errors to one line + exit code."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        cli.main(args=argv, prog_name="fedatlas", standalone_mode=False)
    except AtlasError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(e.exit_code)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except BrokenPipeError:
        sys.exit(0)


if __name__ == "__main__":
    main()
