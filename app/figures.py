"""The Overview page's figures as files (PNG, SVG, a PNG scaled for the page), drawn once per content.

A figure is keyed by a digest of the data it shows, not by the store revision:
a decision that leaves a table as it was (most screening decisions) redraws
nothing. The app's warm-up draws the two heatmaps when it starts.
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections import OrderedDict
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

VIEW_WIDTH = 1400  # px: Streamlit re-encodes a wider PNG on every run; the shown copy is scaled down once
MAX_FIGURES = 32
_DRAWN: OrderedDict[tuple[str, str], dict[str, bytes] | None] = OrderedDict()
_LOCK = threading.Lock()


def files(fig: Any) -> dict[str, bytes]:
    """``png`` and ``svg`` (150 dpi, for download) and ``view`` (the PNG at most VIEW_WIDTH wide)."""
    from PIL import Image

    out = {}
    for fmt in ("png", "svg"):
        buf = io.BytesIO()
        fig.savefig(buf, format=fmt, dpi=150, bbox_inches="tight")
        out[fmt] = buf.getvalue()
    plt.close(fig)
    image = Image.open(io.BytesIO(out["png"]))
    out["view"] = out["png"]
    if image.width > VIEW_WIDTH:
        buf = io.BytesIO()
        size = (VIEW_WIDTH, int(image.height * VIEW_WIDTH / image.width))
        image.resize(size, Image.Resampling.BILINEAR).save(buf, "PNG")
        out["view"] = buf.getvalue()
    return out


def digest(data: Any) -> str:
    if hasattr(data, "edges"):  # a networkx graph
        data = (sorted(data.nodes(data=True), key=repr), sorted(data.edges(data=True), key=repr))
    return hashlib.sha1(repr(data).encode("utf-8")).hexdigest()


def _draw(name: str, data: Any) -> dict[str, bytes] | None:
    from pipeline.report import figures
    from pipeline.report.prisma import prisma_diagram

    if name == "table":
        return files(figures.effect_heatmap(data))
    if name == "prisma":
        return files(prisma_diagram(data))
    if name == "cooccurrence":
        return files(figures.network_figure(data)) if data is not None and data.number_of_nodes() else None
    if name == "gaps":
        return files(figures.gap_heatmap(data))
    raise ValueError(f"no overview figure {name!r}")


def drawn(name: str, data: Any) -> dict[str, bytes] | None:
    """The files of figure ``name`` (table, prisma, cooccurrence, gaps) showing ``data``; None: nothing to draw."""
    key = (name, digest(data))
    with _LOCK:
        if key in _DRAWN:
            _DRAWN.move_to_end(key)
            return _DRAWN[key]
    out = _draw(name, data)
    with _LOCK:
        _DRAWN[key] = out
        while len(_DRAWN) > MAX_FIGURES:
            _DRAWN.popitem(last=False)
    return out
