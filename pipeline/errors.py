"""One catalogue of Atlas errors.

Library code raises these; the CLI and the app turn them into one readable line
(``E<code>: message. hint``) and a non-zero exit, never a traceback.

Exit codes of ``fedatlas`` (one per kind of error, documented in the README):
0 ok, 1 other error, 2 usage (bad option or name), 3 store, 4 conflicting write,
5 validation, 6 network, 7 input (a file or record), 8 query, 130 interrupted.
"""

from __future__ import annotations


class AtlasError(Exception):
    """Base of every error a user can cause and fix."""

    code = "E000"
    exit_code = 1
    hint = ""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if hint is not None:
            self.hint = hint

    def __str__(self) -> str:
        text = f"{self.code}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


class StoreError(AtlasError):
    code = "E100"
    exit_code = 3
    hint = "check --store / FEDATLAS_STORE"


class StoreBusyError(StoreError):
    code = "E101"
    hint = "another Atlas process holds the store; try again when it finishes"


class TransactionError(StoreError):
    code = "E102"
    hint = "nothing was written; the store is as it was before"


class StaleWriteError(AtlasError):
    code = "E103"
    exit_code = 4
    hint = "someone else changed this item since you loaded it; reload and decide again"


class QueryError(AtlasError):
    code = "E200"
    exit_code = 8
    hint = "check the SPARQL syntax; prefixes fa:, fad:, skos:, prov:, dcterms: are predeclared"


class InputError(AtlasError):
    """A file or record a user gave Atlas cannot be read."""

    code = "E300"
    exit_code = 7


class ValidationError(AtlasError):
    code = "E400"
    exit_code = 5
    hint = "run `fedatlas validate` for the full report"


class UnknownNameError(AtlasError):
    """A registry lookup failed; the message lists what exists."""

    code = "E500"
    exit_code = 2


class NetworkUnavailableError(AtlasError):
    code = "E600"
    exit_code = 6
    hint = "Atlas works offline; this feature needs network access"
