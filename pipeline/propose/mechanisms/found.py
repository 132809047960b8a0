"""The found-mechanism record: what a sentence states, as a label and a clause span."""

from __future__ import annotations

from dataclasses import dataclass

#: How the sentence states the mechanism (the shape its label was read from).
SHAPES = ("action", "object", "passive", "means", "item", "purpose")


@dataclass(frozen=True)
class Mechanism:
    """One mechanism a sentence states: a short label and its clause (char offsets in the sentence)."""

    label: str
    start: int
    end: int
    shape: str  # action | object | passive | means | item | purpose
