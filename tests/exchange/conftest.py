"""Fixtures for the exchange tests: one click command run in-process against a real store."""

from __future__ import annotations

import pytest


@pytest.fixture
def invoke():
    """``invoke(cmd, store, *args)``: the command object the CLI uses, without loading every module."""
    from click.testing import CliRunner

    class Obj:  # what pipeline.cli.CliContext gives a command
        def __init__(self, store):
            self._store = store

        def store(self):
            return self._store

    def run(command, store, *args):
        return CliRunner().invoke(command, list(args), obj=Obj(store), catch_exceptions=False)

    return run
