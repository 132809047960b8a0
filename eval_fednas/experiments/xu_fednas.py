"""xu-fednas: FedNAS (Xu et al.) with its three optimisations switchable.

Per seed (paired: one partition and one pretrained GM0 for every variant) it
runs the Fig. 6 variants, the Table 3 drop ratios, the Table 4 group numbers
and centralised NetAdapt; each search is followed by long-term FL fine-tuning
and a test-set evaluation. Costs are on-client short-term fine-tuning only, as
in the paper.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..data import pooled
from ..engines import make_engine
from ..fednas import FedNASConfig, FedNASSearch
from ..models import PrunableCNN, init_model, macs_per_sample
from ..stats import direction, estimate, verdict, within
from ..strategy import TrainConfig, evaluate_clients
from . import register
from .base import ClaimVerdict, Experiment, RunSpec
from .common import band_dir, clients_for, col, fedavg

TOL_POINTS = 15.0   # tolerance on claimed percentage reductions (percentage points)
TOL_ACC = 1.0       # extra accuracy tolerance (points) on "loss <= x" claims
TOL_FACTOR = 1.5    # tolerance factor on "up to Nx" cost ratios


def variants(groups: int) -> dict[str, dict]:
    return {
        "all_on": {}, "drn_off": {"drn": False}, "erc_off": {"erc": False}, "group_off": {"group": False},
        "all_off": {"drn": False, "erc": False, "group": False},
        "drop0": {"drn": False, "erc": False}, "drop50": {"drn": False, "drop_ratio": 0.5},
        "drop100": {"drn": False, "drop_ratio": 1.0},  # drop33 == drn_off
        "groups_half": {"groups": max(1, groups // 2)}, "groups_double": {"groups": groups * 2},
        "groups_quad": {"groups": groups * 4},
    }


@register
class XuFedNAS(Experiment):
    name = "xu-fednas"
    title = "FedNAS (Xu et al.): optimisations, drop ratio, group number, vs. NetAdapt"
    claims = {
        "xu-fig6-all-off": "all three optimisations off -> 161-281x more on-client uplink/compute",
        "xu-fig6-drn-off": "dynamic round number off -> up to 3.2x more cost",
        "xu-fig6-erc-off": "early dropping off -> up to 2.2x more cost",
        "xu-fig6-group-off": "group hierarchy off -> up to 19.7x more cost",
        "xu-table3-drop33": "dropping 33%/round cuts uplink ~57-79% with accuracy loss <= 0.2 points",
        "xu-table3-drop100": "dropping 100% cuts uplink further but degrades accuracy",
        "xu-table4-groups": "more groups cut uplink per client (2x groups -50%), fewer groups double it",
        "xu-accuracy-vs-netadapt": "FedNAS reaches accuracy comparable to centralised NetAdapt",
    }

    def params(self, quick: bool) -> dict:
        if quick:
            return {"dataset": "digits", "clients": 12, "alpha": 0.5, "groups": 4, "pretrain_rounds": 6,
                    "iterations": 2, "budget_step": 0.15, "schedule": [[1, 1], [99, 2]], "fixed_rounds": 2,
                    "long_term_rounds": 3, "lr": 0.1, "epochs": 1, "batch_size": 16, "widths": [8, 16, 16, 32]}
        return {"dataset": "digits", "clients": 40, "alpha": 0.5, "groups": 4, "pretrain_rounds": 30,
                "iterations": 5, "budget_step": 0.12, "schedule": [[2, 2], [4, 3], [99, 4]], "fixed_rounds": 4,
                "long_term_rounds": 15, "lr": 0.1, "epochs": 1, "batch_size": 16, "widths": [16, 32, 32, 64]}

    def run_seed(self, spec: RunSpec, seed: int) -> dict:
        p = spec.params
        ds, clients = clients_for(p, seed)
        train = TrainConfig(p["epochs"], p["lr"], p["batch_size"])
        base = FedNASConfig(groups=p["groups"], schedule=tuple(map(tuple, p["schedule"])),
                            fixed_rounds=p["fixed_rounds"], iterations=p["iterations"],
                            budget_step=p["budget_step"], train=train)
        arch0 = PrunableCNN.default_arch(ds.input_shape, ds.num_classes, p["widths"])
        params0, _ = init_model(arch0, seed)
        out: dict = {"seed": seed, "macs_initial": macs_per_sample(arch0)}
        with make_engine(spec.engine, clients, spec.device) as engine:
            params0, _, _ = fedavg(engine, arch0, params0, {}, p["pretrain_rounds"], train, seed)
            gm_acc = evaluate_clients(arch0, params0, {}, clients, "val")
            out["pretrained_acc"] = 100 * gm_acc
            for vname, over in variants(p["groups"]).items():
                cfg = replace(base, **over)
                search = FedNASSearch(engine, cfg, seed, ds.num_classes)
                arch, params = search.search(arch0, params0, gm_acc)
                tot = search.ledger.totals()
                params, _, _ = fedavg(engine, arch, params, {}, p["long_term_rounds"], train, seed + 1)
                out[f"{vname}.uplink"] = tot["uplink_per_client"]
                out[f"{vname}.compute"] = tot["compute_per_client"]
                out[f"{vname}.acc"] = 100 * evaluate_clients(arch, params, {}, clients, "test")
                out[f"{vname}.macs"] = macs_per_sample(arch)
                out[f"{vname}.trace"] = search.trace
        # centralised NetAdapt: the same search on pooled data, one "client"
        pool = [pooled(clients)]
        with make_engine("builtin", pool, spec.device) as engine:
            cfg = replace(base, group=False, erc=False, drn=False)
            search = FedNASSearch(engine, cfg, seed, ds.num_classes)
            arch, params = search.search(arch0, params0, gm_acc)
            params, _, _ = fedavg(engine, arch, params, {}, p["long_term_rounds"], train, seed + 1)
            out["netadapt.acc"] = 100 * evaluate_clients(arch, params, {}, pool, "test")
            out["netadapt.macs"] = macs_per_sample(arch)
        return out

    def judge(self, spec, per_seed):
        E, V = [], []

        def est(name, values, unit):
            e = estimate(name, values, unit)
            E.append(e)
            return e

        base_up, base_c = col(per_seed, "all_on.uplink"), col(per_seed, "all_on.compute")
        for v in ("all_on", "drn_off", "erc_off", "group_off", "all_off", "drop0", "drop50", "drop100",
                  "groups_half", "groups_double", "groups_quad"):
            est(f"{v}.uplink_per_client", col(per_seed, f"{v}.uplink") / 1e6, "MB")
            est(f"{v}.accuracy", col(per_seed, f"{v}.acc"), "%")
        est("netadapt.accuracy", col(per_seed, "netadapt.acc"), "%")
        claims = {"xu-fig6-all-off": ("all_off", 161.0, 281.0), "xu-fig6-drn-off": ("drn_off", 1.0, 3.2),
                  "xu-fig6-erc-off": ("erc_off", 1.0, 2.2), "xu-fig6-group-off": ("group_off", 1.0, 19.7)}
        for claim, (v, lo, hi) in claims.items():
            ru = est(f"{v}.uplink_ratio", col(per_seed, f"{v}.uplink") / base_up, "x")
            rc = est(f"{v}.compute_ratio", col(per_seed, f"{v}.compute") / base_c, "x")
            mag = within(ru, lo / TOL_FACTOR, hi * TOL_FACTOR) and within(rc, lo / TOL_FACTOR, hi * TOL_FACTOR)
            V.append(ClaimVerdict(claim, verdict([direction(ru, +1, 1.0), direction(rc, +1, 1.0)], mag),
                                  f"supports if the 95% CIs of the uplink and compute ratios ({v} / all on) both "
                                  f"exclude 1 upwards and overlap the claimed {lo:g}-{hi:g}x widened by a factor "
                                  f"{TOL_FACTOR}; contradicts if either lies below 1; else inconclusive",
                                  [f"{v}.uplink_ratio", f"{v}.compute_ratio"]))
        up0, up33, up100 = (col(per_seed, f"{v}.uplink") for v in ("drop0", "drn_off", "drop100"))
        acc0 = col(per_seed, "drop0.acc")
        red = est("drop33.uplink_reduction_vs_drop0", 100 * (1 - up33 / up0), "%")
        dacc = est("drop33.accuracy_delta_vs_drop0", col(per_seed, "drn_off.acc") - acc0, "points")
        V.append(ClaimVerdict("xu-table3-drop33",
                              verdict([direction(red, +1), band_dir(dacc, -(0.2 + TOL_ACC), np.inf)],
                                      within(red, 57 - TOL_POINTS, 79 + TOL_POINTS)),
                              f"supports if the uplink reduction (drop 33% vs 0%, DRN off) has a CI above 0 that "
                              f"overlaps 57-79% +/- {TOL_POINTS:g} points and the accuracy delta CI stays above "
                              f"-{0.2 + TOL_ACC:g} points; contradicts if the reduction CI is below 0 or the "
                              f"accuracy CI wholly below -{0.2 + TOL_ACC:g}; else inconclusive",
                              [red.metric, dacc.metric]))
        red100 = est("drop100.uplink_reduction_vs_drop33", 100 * (1 - up100 / up33), "%")
        dacc100 = est("drop100.accuracy_delta_vs_drop0", col(per_seed, "drop100.acc") - acc0, "points")
        V.append(ClaimVerdict("xu-table3-drop100", verdict([direction(red100, +1), direction(dacc100, -1)]),
                              "supports if dropping 100% cuts uplink below 33% dropping (CI above 0) and its "
                              "accuracy delta vs. no dropping has a CI below 0; contradicts if either CI lies on "
                              "the opposite side; else inconclusive", [red100.metric, dacc100.metric]))
        dbl = est("groups_double.uplink_change", 100 * (col(per_seed, "groups_double.uplink") / base_up - 1), "%")
        half = est("groups_half.uplink_change", 100 * (col(per_seed, "groups_half.uplink") / base_up - 1), "%")
        quad = est("groups_quad.uplink_change", 100 * (col(per_seed, "groups_quad.uplink") / base_up - 1), "%")
        for v in ("groups_half", "groups_double", "groups_quad"):
            est(f"{v}.accuracy_delta", col(per_seed, f"{v}.acc") - col(per_seed, "all_on.acc"), "points")
        V.append(ClaimVerdict("xu-table4-groups",
                              verdict([direction(dbl, -1), direction(quad, -1), direction(half, +1)],
                                      within(dbl, -50 - TOL_POINTS, -50 + TOL_POINTS)
                                      and within(half, 100 - TOL_POINTS, 100 + TOL_POINTS)),
                              f"supports if uplink per client falls with 2x and 4x groups and rises with 0.5x "
                              f"groups (CIs excluding 0) and the 2x / 0.5x changes overlap -50% / +100% +/- "
                              f"{TOL_POINTS:g} points; contradicts if any CI lies on the opposite side; "
                              f"accuracy deltas are reported, not judged", [dbl.metric, half.metric, quad.metric,
                                                                           "groups_double.accuracy_delta",
                                                                           "groups_half.accuracy_delta"]))
        dna = est("fednas_minus_netadapt.accuracy", col(per_seed, "all_on.acc") - col(per_seed, "netadapt.acc"),
                  "points")
        V.append(ClaimVerdict("xu-accuracy-vs-netadapt", verdict([band_dir(dna, -2.0, 2.0)]),
                              "supports if the 95% CI of FedNAS minus centralised NetAdapt test accuracy lies "
                              "within +/-2 points; contradicts if it lies wholly outside; else inconclusive",
                              [dna.metric, "all_on.accuracy", "netadapt.accuracy"]))
        return E, V

    def plot(self, spec, per_seed, estimates, outdir):
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        tag = " (SMOKE RUN)" if spec.quick else ""
        ests = {e.metric: e for e in estimates}
        fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
        v6 = ["drn_off", "erc_off", "group_off", "all_off"]
        x = np.arange(len(v6))
        for off, kind in ((-0.2, "uplink"), (0.2, "compute")):
            axes[0].bar(x + off, [ests[f"{v}.{kind}_ratio"].mean for v in v6], 0.4, label=kind)
        axes[0].set_yscale("log"); axes[0].set_xticks(x, v6); axes[0].legend(); axes[0].set_title("Fig. 6: cost vs all on" + tag)
        for ax, vs, title in ((axes[1], ["drop0", "drn_off", "drop50", "drop100"], "Table 3: drop 0/33/50/100%"),
                              (axes[2], ["groups_half", "all_on", "groups_double", "groups_quad"], "Table 4: groups")):
            ax.scatter([ests[f"{v}.uplink_per_client"].mean for v in vs], [ests[f"{v}.accuracy"].mean for v in vs])
            for v in vs:
                ax.annotate(v, (ests[f"{v}.uplink_per_client"].mean, ests[f"{v}.accuracy"].mean), fontsize=7)
            ax.set_xlabel("uplink per client (MB)"); ax.set_ylabel("test accuracy (%)"); ax.set_title(title + tag)
        fig.tight_layout()
        fig.savefig(outdir / "xu_fednas.png", dpi=90)
        plt.close(fig)
        return ["xu_fednas.png"]
