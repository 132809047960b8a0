"""Means, confidence intervals over paired seeds, and the one verdict rule.

A verdict combines several interval conditions (:class:`Condition`). Rule
(``MULTIPLE_COMPARISONS``): with m conditions in one verdict, each interval is
computed at level ``1 - 0.05/m`` (Bonferroni). *supports* needs every
condition to hold (an intersection-union test: the correction only makes it
more conservative); *contradicts* needs one to hold the other way (a union of
m tests, so the correction keeps the chance of a false "contradicts" at or
below 5%); anything else is *inconclusive*. Ratios are estimated on the log
scale (geometric mean, interval exponentiated), so 2x and 0.5x average to 1x.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats as st

ALPHA = 0.05
MULTIPLE_COMPARISONS = ("Bonferroni: with m interval conditions in one verdict each CI is at level 1-0.05/m; "
                        "supports = all hold, contradicts = any lies wholly on the opposite side, else inconclusive")


@dataclass
class Estimate:
    """Mean with a two-sided t-interval over ``n`` paired seeds (geometric mean if ``log``)."""

    metric: str
    mean: float
    lo: float
    hi: float
    n: int
    unit: str = ""
    level: float = 0.95
    log: bool = False

    def to_dict(self) -> dict:
        return {"metric": self.metric, "mean": self.mean, "ci_low": self.lo, "ci_high": self.hi, "n": self.n,
                "unit": self.unit, "level": self.level, "scale": "log" if self.log else "linear"}


def estimate(metric: str, values, unit: str = "", level: float = 0.95, log: bool = False) -> Estimate:
    """t-interval of the mean; with ``log`` the interval of the mean log, exponentiated."""
    v = np.asarray(values, dtype=float)
    if log:
        if (v <= 0).any():
            raise ValueError(f"{metric}: a log-scale estimate needs positive values")
        v = np.log(v)
    n = len(v)
    m = float(v.mean()) if n else float("nan")
    lo = hi = float("nan")
    if n >= 2:
        half = float(st.t.ppf(1 - (1 - level) / 2, n - 1) * v.std(ddof=1) / math.sqrt(n))
        lo, hi = m - half, m + half
    if log:
        m, lo, hi = math.exp(m), math.exp(lo) if lo == lo else lo, math.exp(hi) if hi == hi else hi
    return Estimate(metric, m, lo, hi, n, unit, level, log)


def pct_change(metric: str, ratios, level: float = 0.95) -> Estimate:
    """Percentage change 100 (r - 1) of ratios averaged on the log scale (interval mapped the same way)."""
    r = estimate(metric, ratios, "%", level, log=True)
    f = lambda x: 100 * (x - 1)  # noqa: E731
    return Estimate(metric, f(r.mean), f(r.lo), f(r.hi), r.n, "%", level, True)


def direction(e: Estimate, sign: int, null: float = 0.0) -> str:
    """'holds' if the CI lies on the claimed side of ``null``, 'opposite' if on the other, else 'unclear'."""
    if math.isnan(e.lo):
        return "unclear"
    if (sign > 0 and e.lo > null) or (sign < 0 and e.hi < null):
        return "holds"
    if (sign > 0 and e.hi < null) or (sign < 0 and e.lo > null):
        return "opposite"
    return "unclear"


def inside(e: Estimate, low: float, high: float) -> str:
    """Equivalence: 'holds' if the CI lies inside [low, high], 'opposite' if wholly outside."""
    if math.isnan(e.lo):
        return "unclear"
    if e.lo >= low and e.hi <= high:
        return "holds"
    if e.hi < low or e.lo > high:
        return "opposite"
    return "unclear"


def verdict(dirs: list[str], magnitude_ok: bool = True, quick: bool = False) -> str:
    """supports: every condition holds; contradicts: one holds the other way; else inconclusive."""
    if quick:
        return "inconclusive"
    if any(d == "opposite" for d in dirs):
        return "contradicts"
    if all(d == "holds" for d in dirs) and magnitude_ok:
        return "supports"
    return "inconclusive"


def within(e: Estimate, low: float, high: float) -> bool:
    """The CI overlaps the band ``[low, high]`` (used by accounting checks, never by a verdict)."""
    return not math.isnan(e.lo) and e.hi >= low and e.lo <= high


@dataclass
class Condition:
    """One interval condition of a verdict: ``kind`` is 'above', 'below' (``a`` = null) or 'inside' [a, b]."""

    metric: str
    values: object
    unit: str
    kind: str
    a: float
    b: float = math.inf
    log: bool = False

    def check(self, e: Estimate) -> str:
        if self.kind == "above":
            return direction(e, +1, self.a)
        if self.kind == "below":
            return direction(e, -1, self.a)
        if self.kind == "inside":
            return inside(e, self.a, self.b)
        raise ValueError(f"unknown test kind {self.kind!r}")

    def describe(self) -> str:
        if self.kind == "inside":
            return f"{self.metric} in [{self.a:g}, {self.b:g}]"
        return f"{self.metric} {self.kind} {self.a:g}"


def judge_tests(tests: list[Condition], alpha: float = ALPHA) -> tuple[str, list[Estimate]]:
    """The verdict of ``tests`` under the Bonferroni rule, and the adjusted intervals it used."""
    m = len(tests)
    level = 1 - alpha / m
    ests = [estimate(f"{t.metric}@bonferroni{m}", t.values, t.unit, level, t.log) for t in tests]
    return verdict([t.check(e) for t, e in zip(tests, ests)]), ests


def rule_text(tests: list[Condition], extra: str = "") -> str:
    """The stated rule of a verdict: its conditions and the combination rule."""
    return ("supports if every condition holds: " + "; ".join(t.describe() for t in tests)
            + f" ({len(tests)} CI(s) at {100 * (1 - ALPHA / len(tests)):.4g}%); contradicts if any CI lies wholly on "
              "the opposite side; else inconclusive. " + MULTIPLE_COMPARISONS + (". " + extra if extra else ""))
