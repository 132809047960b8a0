"""The Atlas ontology (``fedatlas.ttl``) and SHACL shapes (``shapes.ttl``), shipped as package data."""

from importlib import resources
from pathlib import Path


def path(name: str = "fedatlas.ttl") -> Path:
    return Path(str(resources.files(__name__) / name))
