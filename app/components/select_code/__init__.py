"""Select to code: select a passage of the paper text and get its offsets into the stored text.

A bundled custom component (``index.html`` + ``main.js`` in this folder, served by
Streamlit from a local ``path``; nothing is fetched at run time). The value is
``{"start", "end", "text", "nonce"}`` with Python (code-point) offsets, or None.
"""

from __future__ import annotations

from pathlib import Path

import streamlit.components.v1 as components

_component = components.declare_component("select_to_code", path=str(Path(__file__).parent))


def select_to_code(text: str, key: str, mark: tuple[int | None, int | None] = (None, None), height: int = 320,
                   button: str = "Code selection") -> dict | None:
    """Show ``text``; returns the last selection the reviewer sent, checked against ``text``."""
    value = _component(text=text, mark_start=mark[0], mark_end=mark[1], height=height, button=button,
                       key=key, default=None)
    if not isinstance(value, dict):
        return None
    try:
        start, end = int(value["start"]), int(value["end"])
    except (KeyError, TypeError, ValueError):
        return None
    if not (0 <= start < end <= len(text)) or text[start:end] != value.get("text"):
        return None  # the text changed since the selection: ignore it
    return {"start": start, "end": end, "text": text[start:end], "nonce": value.get("nonce")}
