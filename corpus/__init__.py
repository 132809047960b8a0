"""The bundled corpus: schemes, seed papers and texts, codebook, claims, saved queries."""

from importlib import resources
from pathlib import Path


def path(name: str = "") -> Path:
    return Path(str(resources.files(__name__))) / name
