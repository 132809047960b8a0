"""The experiment template: paired seeds -> estimates -> verdicts per claim.

An :class:`Experiment` implements three hooks: ``params`` (its defaults,
smaller under ``--quick``), ``run_seed`` (raw metrics of one seed) and
``judge`` (estimates and one :class:`ClaimVerdict` per claim it tests).
Everything else (seeds, progress, device, provenance) is done once by
:func:`eval_fednas.runner.run_experiment`.
"""

from __future__ import annotations

import abc
from dataclasses import asdict, dataclass, field

from ..stats import Estimate


@dataclass
class RunSpec:
    """Everything needed to rerun an experiment; stored with its results."""

    experiment: str
    seeds: list[int]
    quick: bool = False
    scale: str = "small"  # "small" (CPU defaults) or "paper" (the paper's K, epochs, rounds: for a GPU)
    engine: str = "builtin"
    device: str = "cpu"
    params: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class ClaimVerdict:
    """A verdict that could have come out either way; ``deviations`` from the paper sit beside it."""

    claim: str
    verdict: str
    rule: str
    metrics: list[str]
    deviations: list[str] = field(default_factory=list)
    #: level of each interval the rule used (1 - 0.05/m under Bonferroni); filled in by the runner if unset
    ci_level: float | None = None


@dataclass
class AccountingCheck:
    """A check of bookkeeping (e.g. cost proportional to candidates x clients x rounds).

    Its outcome follows from the configuration, so it is never a verdict: it
    shows the accounting is consistent with the claim, not that the claim holds.
    """

    claim: str
    passed: bool
    rule: str
    metrics: list[str]


class Experiment(abc.ABC):
    name: str = ""
    title: str = ""
    claims: dict[str, str] = {}
    #: claims checked only by accounting (never a verdict)
    checks: dict[str, str] = {}

    def deviations(self, params: dict) -> dict[str, list[str]]:
        """Where this rerun departs from the paper, per claim ("*" = every claim of the experiment)."""
        return {}

    def attach_deviations(self, params: dict, verdicts: list[ClaimVerdict]) -> None:
        dev = self.deviations(params)
        for v in verdicts:
            v.deviations = list(dev.get("*", [])) + list(dev.get(v.claim, [])) + v.deviations

    @abc.abstractmethod
    def params(self, quick: bool) -> dict:
        """Default parameters (JSON-able)."""

    def paper_params(self) -> dict:
        """``--scale paper``: overrides of ``params(False)`` with the paper's scale; {} = no preset."""
        return {}

    @abc.abstractmethod
    def run_seed(self, spec: RunSpec, seed: int) -> dict:
        """Raw metrics of one seed (a flat-ish JSON-able dict)."""

    @abc.abstractmethod
    def judge(self, spec: RunSpec, per_seed: list[dict]) -> tuple[list[Estimate], list[ClaimVerdict]]:
        """Estimates over seeds and one verdict per tested claim."""

    def accounting(self, spec: RunSpec, per_seed: list[dict]) -> tuple[list[Estimate], list[AccountingCheck]]:
        """Accounting checks (default: none)."""
        return [], []

    def plot(self, spec: RunSpec, per_seed: list[dict], estimates: list[Estimate], outdir) -> list[str]:
        """Write plots into ``outdir``; returns file names. Default: a bar chart of estimates."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        ests = [e for e in estimates if e.n][:16]
        if not ests:
            return []
        fig, ax = plt.subplots(figsize=(8, 0.4 * len(ests) + 1.5))
        ys = range(len(ests))
        ax.barh(list(ys), [e.mean for e in ests],
                xerr=[[max(e.mean - e.lo, 0) if e.lo == e.lo else 0 for e in ests],
                      [max(e.hi - e.mean, 0) if e.hi == e.hi else 0 for e in ests]])
        ax.set_yticks(list(ys), [e.metric for e in ests], fontsize=7)
        ax.set_title(f"{self.name}{' (SMOKE RUN)' if spec.quick else ''}")
        fig.tight_layout()
        fig.savefig(outdir / "estimates.png", dpi=90)
        plt.close(fig)
        return ["estimates.png"]
