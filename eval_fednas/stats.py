"""Means, 95% confidence intervals over paired seeds, and the verdict rule."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats as st


@dataclass
class Estimate:
    """Mean with a two-sided 95% t-interval over ``n`` paired seeds."""

    metric: str
    mean: float
    lo: float
    hi: float
    n: int
    unit: str = ""

    def to_dict(self) -> dict:
        return {"metric": self.metric, "mean": self.mean, "ci_low": self.lo, "ci_high": self.hi, "n": self.n, "unit": self.unit}


def estimate(metric: str, values, unit: str = "") -> Estimate:
    v = np.asarray(values, dtype=float)
    n = len(v)
    m = float(v.mean()) if n else float("nan")
    if n < 2:
        return Estimate(metric, m, float("nan"), float("nan"), n, unit)
    half = float(st.t.ppf(0.975, n - 1) * v.std(ddof=1) / math.sqrt(n))
    return Estimate(metric, m, m - half, m + half, n, unit)


def direction(e: Estimate, sign: int, null: float = 0.0) -> str:
    """'holds' if the CI lies on the claimed side of ``null``, 'opposite' if on the other, else 'unclear'."""
    if math.isnan(e.lo):
        return "unclear"
    if (sign > 0 and e.lo > null) or (sign < 0 and e.hi < null):
        return "holds"
    if (sign > 0 and e.hi < null) or (sign < 0 and e.lo > null):
        return "opposite"
    return "unclear"


def verdict(dirs: list[str], magnitude_ok: bool = True, quick: bool = False) -> str:
    """supports: every claimed direction holds (and magnitude within tolerance);
    contradicts: one holds the other way; inconclusive otherwise or on a smoke run."""
    if quick:
        return "inconclusive"
    if any(d == "opposite" for d in dirs):
        return "contradicts"
    if all(d == "holds" for d in dirs) and magnitude_ok:
        return "supports"
    return "inconclusive"


def within(e: Estimate, low: float, high: float) -> bool:
    """The CI overlaps the claimed magnitude band ``[low, high]``."""
    return not math.isnan(e.lo) and e.hi >= low and e.lo <= high
