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
from ..finetune import Convergence, finetune
from ..models import PrunableCNN, init_model, macs_per_sample
from ..stats import Condition, direction, estimate, judge_tests, pct_change, rule_text, within
from ..strategy import TrainConfig, evaluate_clients
from . import register
from .base import AccountingCheck, ClaimVerdict, Experiment, RunSpec
from .common import clients_for, col, fedavg

# Tolerances are the ones stored with the claims in corpus/seed_corpus.json
# (tests/eval/test_xu_judge.py checks they agree).
TOL_DROP33 = 0.5              # xu-table3-drop33: "accuracy loss <= 0.5 points"
TOL_GROUPS = (-1.5, 0.5)      # xu-table4-groups: "accuracy change within -1.5..+0.5 points"
TOL_NETADAPT = 2.0            # xu-accuracy-vs-netadapt: "2 points"
TOL_OPTIMISATIONS = 0.5       # xu-optimisations-accuracy: "accuracy loss <= 0.5 points"
# Accounting-check bands (bookkeeping, not verdicts)
BAND_POINTS = 15.0
BAND_FACTOR = 1.5
SINGLE_OFF = ("drn_off", "erc_off", "group_off", "all_off")


def fednas_setup(p: dict, seed: int):
    """One seed's data, training and search configs, convergence rules and initial model, shared
    by the experiments that rerun Xu et al.'s FedNAS (xu-fednas, xu-ablations)."""
    ds, clients = clients_for(p, seed)
    train = TrainConfig(p["epochs"], p["lr"], p["batch_size"])
    base = FedNASConfig(groups=p["groups"], schedule=tuple(map(tuple, p["schedule"])),
                        fixed_rounds=p["fixed_rounds"], iterations=p["iterations"],
                        budget_step=p["budget_step"], train=train)
    conv = Convergence(p["check_every"], p["window"], p["min_delta"], p["long_term_rounds"])
    conv_ref = replace(conv, max_rounds=p["convergence_max_rounds"])
    arch0 = PrunableCNN.default_arch(ds.input_shape, ds.num_classes, p["widths"])
    params0, _ = init_model(arch0, seed)
    return ds, clients, train, base, conv, conv_ref, arch0, params0


def variants(groups: int) -> dict[str, dict]:
    return {
        "all_on": {}, "drn_off": {"drn": False}, "erc_off": {"erc": False}, "group_off": {"group": False},
        "all_off": {"drn": False, "erc": False, "group": False},
        "drop0": {"drn": False, "erc": False}, "drop50": {"drn": False, "drop_ratio": 0.5},
        "drop100": {"drn": False, "drop_ratio": 1.0},  # drop33 == drn_off
        "groups_half": {"groups": max(1, groups // 2)}, "groups_double": {"groups": groups * 2},
        "groups_quad": {"groups": groups * 4},
    }


def same_pick(per_seed: list[dict], v: str, ref: str, first_only: bool) -> np.ndarray:
    """Per seed 1.0 if variant ``v`` picked the same architecture as ``ref`` (first iteration, or at the end)."""
    out = []
    for s in per_seed:
        a, b = s[f"{v}.trace"], s[f"{ref}.trace"]
        out.append(float(a[0]["widths"] == b[0]["widths"] if first_only else a[-1]["widths"] == b[-1]["widths"]))
    return np.array(out)


@register
class XuFedNAS(Experiment):
    name = "xu-fednas"
    title = "FedNAS (Xu et al.): accuracy cost of its optimisations, drop ratio, group number, vs. NetAdapt"
    claims = {
        "xu-optimisations-accuracy": "the three optimisations at default settings have almost zero accuracy effect",
        "xu-table3-drop33": "dropping 33%/round cuts uplink ~57% with accuracy loss < 0.2 points (tolerance 0.5)",
        "xu-table3-drop100": "dropping 100% degrades accuracy",
        "xu-table4-groups": "more / fewer groups change accuracy only within -1.5..+0.5 points",
        "xu-accuracy-vs-netadapt": "FedNAS reaches accuracy comparable to centralised NetAdapt (both converged)",
        "xu-representative-groups": "representative groups beat random ones on skewed data (distance, accuracy)",
    }
    checks = {
        "xu-fig6-all-off": "all three optimisations off -> 161-281x more on-client uplink/compute",
        "xu-fig6-drn-off": "dynamic round number off -> up to 3.2x more cost",
        "xu-fig6-erc-off": "early dropping off -> up to 2.2x more cost",
        "xu-fig6-group-off": "group hierarchy off -> up to 19.7x more cost",
        "xu-table3-drop33": "uplink reduction of 33% dropping in 57-79%",
        "xu-table3-drop100": "dropping 100% cuts uplink below 33% dropping",
        "xu-table4-groups": "2x groups -50% uplink, 0.5x groups +100%",
    }

    def params(self, quick: bool) -> dict:
        conv = {"check_every": 10, "window": 3, "min_delta": 0.5, "convergence_max_rounds": 200}
        if quick:
            return {"dataset": "digits", "clients": 12, "alpha": 0.5, "groups": 4, "pretrain_rounds": 6,
                    "iterations": 2, "budget_step": 0.15, "schedule": [[1, 1], [99, 2]], "fixed_rounds": 2,
                    "long_term_rounds": 3, "lr": 0.1, "epochs": 1, "batch_size": 16, "widths": [8, 16, 16, 32],
                    **conv, "check_every": 2, "convergence_max_rounds": 6, "low_alpha": 0.2}
        return {"dataset": "digits", "clients": 40, "alpha": 0.5, "groups": 4, "pretrain_rounds": 30,
                "iterations": 5, "budget_step": 0.12, "schedule": [[2, 2], [4, 3], [99, 4]], "fixed_rounds": 4,
                "long_term_rounds": 40, "lr": 0.1, "epochs": 1, "batch_size": 16, "widths": [16, 32, 32, 64], **conv,
                "low_alpha": 0.2}

    def paper_params(self) -> dict:
        """CelebA-like setting of Xu et al. (Fig. 4a, Section 5.3): K = 20 groups, E = 4, 10 rounds, their round
        schedule, budget step 5 %. This project's choices: the synthetic data, 200 clients, the CNN widths, 15
        iterations, the pretraining and fine-tuning rounds, lr and batch size."""
        return {"dataset": "synthetic-cifar10", "clients": 200, "groups": 20, "pretrain_rounds": 100, "iterations": 15,
                "budget_step": 0.05, "schedule": [[5, 2], [10, 5], [15, 8], [99, 10]], "fixed_rounds": 10,
                "long_term_rounds": 100, "epochs": 4, "lr": 0.05, "batch_size": 32, "widths": [32, 64, 64, 128],
                "convergence_max_rounds": 400, "low_alpha": 0.1}

    def deviations(self, p: dict) -> dict[str, list[str]]:
        every = [f"scale: {p['dataset']}, a 4-layer CNN {p['widths']}, {p['clients']} clients, Dirichlet alpha "
                 f"{p['alpha']:g}, instead of CelebA / ImageNet with ConvNet / MobileNet"]
        if p["epochs"] not in (3, 4):
            every.append(f"{p['epochs']} local epoch(s) per round instead of the paper's 3 (ImageNet) / 4 (CelebA)")
        if p["groups"] not in (14, 20):
            every.append(f"{p['groups']} groups instead of K = 14 / 20")
        every += ["one candidate per prunable layer of a 4-layer CNN (at most 4; 3 on digits, where only 3 layers "
                  "can meet a budget step) instead of one per layer of MobileNet / ConvNet",
                  f"{p['iterations']} search iterations, dynamic rounds {p['schedule']}",
                  f"long-term fine-tuning: {p['long_term_rounds']} FedAvg rounds for every variant (equal budget; "
                  f"plateau recorded, not enforced)"]
        return {"*": every,
                "xu-table3-drop100": ["with 3 candidates, dropping 50% and 100% remove the same 2 candidates after "
                                      "round 1, so drop 50% == drop 100% here"],
                "xu-representative-groups": [f"low alpha = {p['low_alpha']:g} (digits cannot give 40 clients >= 10 "
                                             "samples each at 0.1); candidates are few (3), so a wrong pick is rare"],
                "xu-accuracy-vs-netadapt": ["centralised NetAdapt = the same search on the pooled data as one client; "
                                            "both arms fine-tuned until the validation plateau rule holds (max "
                                            f"{p['convergence_max_rounds']} rounds/epochs); a run that did not "
                                            "converge makes the verdict inconclusive"]}

    def run_seed(self, spec: RunSpec, seed: int) -> dict:
        p = spec.params
        ds, clients, train, base, conv, conv_ref, arch0, params0 = fednas_setup(p, seed)
        out: dict = {"seed": seed, "macs_initial": macs_per_sample(arch0)}
        with make_engine(spec.engine, clients, spec.device) as engine:
            params0, _, _ = fedavg(engine, arch0, params0, {}, p["pretrain_rounds"], train, seed)
            gm_acc = evaluate_clients(arch0, params0, {}, engine, "val")
            out["pretrained_acc"] = 100 * gm_acc
            for vname, over in variants(p["groups"]).items():
                search = FedNASSearch(engine, replace(base, **over), seed, ds.num_classes)
                arch, searched = search.search(arch0, params0, gm_acc)
                tot = search.ledger.totals()
                params, _, log = finetune(engine, arch, searched, {}, train, seed + 1, conv, stop=False)
                out[f"{vname}.uplink"] = tot["uplink_per_client"]
                out[f"{vname}.compute"] = tot["compute_per_client"]
                out[f"{vname}.acc"] = 100 * evaluate_clients(arch, params, {}, engine, "test")
                out[f"{vname}.plateaued"] = log.converged
                out[f"{vname}.macs"] = macs_per_sample(arch)
                out[f"{vname}.trace"] = search.trace
                if vname == "all_on":  # continue to convergence for the NetAdapt comparison
                    params, _, log = finetune(engine, arch, params, {}, train, seed + 1, conv_ref, log)
                    out["fednas.conv.acc"] = 100 * evaluate_clients(arch, params, {}, engine, "test")
                    out["fednas.conv.rounds"], out["fednas.conv.converged"] = log.rounds, log.converged
                    fednas_arch = (arch, searched)
        out.update(self._low_alpha(spec, seed, base, conv, train))
        # centralised NetAdapt: the same search on pooled data, one "client", trained to convergence
        pool = [pooled(clients)]
        with make_engine("builtin", pool, spec.device) as engine:
            search = FedNASSearch(engine, replace(base, group=False, erc=False, drn=False), seed, ds.num_classes)
            arch, params = search.search(arch0, params0, gm_acc)
            params, _, log = finetune(engine, arch, params, {}, train, seed + 1, conv_ref)
            out["netadapt.acc"] = 100 * evaluate_clients(arch, params, {}, engine, "test")
            out["netadapt.rounds"], out["netadapt.converged"] = log.rounds, log.converged
            out["netadapt.macs"] = macs_per_sample(arch)
            # FedNAS's architecture (weights after its search) fine-tuned centrally: the search alone
            arch, params = fednas_arch
            params, _, log = finetune(engine, arch, params, {}, train, seed + 1, conv_ref)
            out["fednas_arch_central.acc"] = 100 * evaluate_clients(arch, params, {}, engine, "test")
            out["fednas_arch_central.converged"] = log.converged
        return out

    def _low_alpha(self, spec, seed, base, conv, train) -> dict:
        """Greedy (representative) vs. random groups vs. all clients, on strongly skewed data."""
        p = spec.params
        ds, clients = clients_for(p, seed, alpha=p["low_alpha"])
        arch0 = PrunableCNN.default_arch(ds.input_shape, ds.num_classes, p["widths"])
        params0, _ = init_model(arch0, seed)
        out: dict[str, object] = {}  # accuracies and distances, and each search's trace
        with make_engine(spec.engine, clients, spec.device) as engine:
            params0, _, _ = fedavg(engine, arch0, params0, {}, p["pretrain_rounds"], train, seed)
            gm_acc = evaluate_clients(arch0, params0, {}, engine, "val")
            for name, over in (("greedy", {}), ("random", {"partition": "random"}), ("all", {"group": False})):
                search = FedNASSearch(engine, replace(base, **over), seed, ds.num_classes)
                arch, params = search.search(arch0, params0, gm_acc)
                params, _, _ = finetune(engine, arch, params, {}, train, seed + 1, conv, stop=False)
                out[f"low.{name}.acc"] = 100 * evaluate_clients(arch, params, {}, engine, "test")
                out[f"low.{name}.trace"] = search.trace
                if name != "all":
                    out[f"low.{name}.distance"] = float(np.mean([t["group_distance"] for t in search.trace]))
        return out

    def judge(self, spec, per_seed):
        E, V = [], []

        def est(name, values, unit, log=False):
            e = estimate(name, values, unit, log=log)
            E.append(e)
            return e

        for v in variants(spec.params["groups"]):
            est(f"{v}.accuracy", col(per_seed, f"{v}.acc"), "%")
            est(f"{v}.plateaued", col(per_seed, f"{v}.plateaued"), "fraction of seeds")
        acc = {v: col(per_seed, f"{v}.acc") for v in variants(spec.params["groups"])}

        def verdict_of(claim, tests, metrics, extra=""):
            vd, adj = judge_tests(tests)
            for t, a in zip(tests, adj):
                E.append(estimate(t.metric, t.values, t.unit))
                E.append(a)
            V.append(ClaimVerdict(claim, vd, rule_text(tests, extra), [t.metric for t in tests]
                                  + [a.metric for a in adj] + metrics))

        # the optimisations' accuracy effect (each off, and all off, vs all on); does the pick change?
        for v in SINGLE_OFF:
            est(f"{v}.same_first_pick_as_all_on", same_pick(per_seed, v, "all_on", True), "fraction of seeds")
            est(f"{v}.same_final_arch_as_all_on", same_pick(per_seed, v, "all_on", False), "fraction of seeds")
        verdict_of("xu-optimisations-accuracy",
                   [Condition(f"all_on_minus_{v}.accuracy", acc["all_on"] - acc[v], "points", "above", -TOL_OPTIMISATIONS)
                    for v in SINGLE_OFF],
                   [f"{v}.same_final_arch_as_all_on" for v in SINGLE_OFF])
        est("drop33.same_final_arch_as_drop0", same_pick(per_seed, "drn_off", "drop0", False), "fraction of seeds")
        verdict_of("xu-table3-drop33",
                   [Condition("drop33_minus_drop0.accuracy", acc["drn_off"] - acc["drop0"], "points", "above", -TOL_DROP33)],
                   ["drop33.same_final_arch_as_drop0"], "uplink reduction: accounting check, not part of the verdict")
        est("drop100.same_final_arch_as_drop0", same_pick(per_seed, "drop100", "drop0", False), "fraction of seeds")
        verdict_of("xu-table3-drop100",
                   [Condition("drop100_minus_drop0.accuracy", acc["drop100"] - acc["drop0"], "points", "below", 0.0)],
                   ["drop100.same_final_arch_as_drop0"])
        verdict_of("xu-table4-groups",
                   [Condition(f"{v}_minus_all_on.accuracy", acc[v] - acc["all_on"], "points", "inside", *TOL_GROUPS)
                    for v in ("groups_half", "groups_double", "groups_quad")], [],
                   "uplink per group count: accounting check, not part of the verdict")
        # representative (greedy) vs random groups at low alpha: the label distance and the pick
        for n in ("greedy", "random"):
            est(f"low_alpha.{n}.group_distance", col(per_seed, f"low.{n}.distance"), "L1")
            est(f"low_alpha.{n}.accuracy", col(per_seed, f"low.{n}.acc"), "%")
            est(f"low_alpha.{n}.same_final_arch_as_all_clients", same_pick(per_seed, f"low.{n}", "low.all", False),
                "fraction of seeds")
        verdict_of("xu-representative-groups",
                   [Condition("low_alpha.greedy_minus_random.group_distance",
                              col(per_seed, "low.greedy.distance") - col(per_seed, "low.random.distance"), "L1",
                              "below", 0.0),
                    Condition("low_alpha.greedy_minus_random.accuracy",
                              col(per_seed, "low.greedy.acc") - col(per_seed, "low.random.acc"), "points", "above", 0.0)],
                   [f"low_alpha.{n}.same_final_arch_as_all_clients" for n in ("greedy", "random")],
                   f"Dirichlet alpha {spec.params['low_alpha']:g}")
        # vs. NetAdapt, both trained to convergence
        conv_ok = bool(col(per_seed, "fednas.conv.converged").all() and col(per_seed, "netadapt.converged").all())
        for k in ("fednas.conv.rounds", "netadapt.rounds"):
            est(k, col(per_seed, k), "rounds")
        est("netadapt.accuracy", col(per_seed, "netadapt.acc"), "%")
        est("fednas_converged.accuracy", col(per_seed, "fednas.conv.acc"), "%")
        est("fednas_arch_central_minus_netadapt.accuracy",
            col(per_seed, "fednas_arch_central.acc") - col(per_seed, "netadapt.acc"), "points")
        tests = [Condition("fednas_minus_netadapt.accuracy", col(per_seed, "fednas.conv.acc") - col(per_seed, "netadapt.acc"),
                      "points", "inside", -TOL_NETADAPT, TOL_NETADAPT)]
        verdict_of("xu-accuracy-vs-netadapt", tests,
                   ["fednas.conv.rounds", "netadapt.rounds", "fednas_arch_central_minus_netadapt.accuracy"],
                   "both arms must pass the convergence check in every seed, else inconclusive")
        if not conv_ok:
            V[-1].verdict = "inconclusive"
            V[-1].rule += " [convergence check FAILED in at least one seed: inconclusive]"
        return E, V

    def accounting(self, spec, per_seed):
        """Cost ratios and reductions: they follow from candidates x clients x rounds, so only checks."""
        E, C = [], []
        up = {v: col(per_seed, f"{v}.uplink") for v in variants(spec.params["groups"])}
        comp = {v: col(per_seed, f"{v}.compute") for v in variants(spec.params["groups"])}
        for v in up:
            E.append(estimate(f"{v}.uplink_per_client", up[v] / 1e6, "MB"))
        bands = {"xu-fig6-all-off": ("all_off", 161.0, 281.0), "xu-fig6-drn-off": ("drn_off", 1.0, 3.2),
                 "xu-fig6-erc-off": ("erc_off", 1.0, 2.2), "xu-fig6-group-off": ("group_off", 1.0, 19.7)}
        for claim, (v, lo, hi) in bands.items():
            ru = estimate(f"{v}.uplink_ratio", up[v] / up["all_on"], "x (geometric mean)", log=True)
            rc = estimate(f"{v}.compute_ratio", comp[v] / comp["all_on"], "x (geometric mean)", log=True)
            E += [ru, rc]
            ok = all(direction(r, +1, 1.0) == "holds" and within(r, lo / BAND_FACTOR, hi * BAND_FACTOR) for r in (ru, rc))
            C.append(AccountingCheck(claim, ok, f"passes if the uplink and compute ratio CIs ({v} / all on, log scale) "
                                     f"exceed 1 and overlap {lo:g}-{hi:g}x widened by a factor {BAND_FACTOR}",
                                     [ru.metric, rc.metric]))

        def pct(name, ratio):
            E.append(pct_change(name, ratio))
            return E[-1]

        red = pct("drop33.uplink_change_vs_drop0", up["drn_off"] / up["drop0"])
        C.append(AccountingCheck("xu-table3-drop33", within(red, -79 - BAND_POINTS, -57 + BAND_POINTS),
                                 f"passes if the uplink change CI overlaps -79..-57% +/- {BAND_POINTS:g} points",
                                 [red.metric]))
        red100 = pct("drop100.uplink_change_vs_drop33", up["drop100"] / up["drn_off"])
        C.append(AccountingCheck("xu-table3-drop100", direction(red100, -1) == "holds",
                                 "passes if the uplink change CI (drop 100% vs 33%) lies below 0", [red100.metric]))
        dbl = pct("groups_double.uplink_change", up["groups_double"] / up["all_on"])
        half = pct("groups_half.uplink_change", up["groups_half"] / up["all_on"])
        C.append(AccountingCheck("xu-table4-groups", within(dbl, -50 - BAND_POINTS, -50 + BAND_POINTS)
                                 and within(half, 100 - BAND_POINTS, 100 + BAND_POINTS),
                                 f"passes if the 2x / 0.5x group uplink changes overlap -50% / +100% +/- "
                                 f"{BAND_POINTS:g} points", [dbl.metric, half.metric]))
        return E, C

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
        axes[0].set_yscale("log")
        axes[0].set_xticks(x, v6)
        axes[0].legend()
        axes[0].set_title("Fig. 6: cost vs all on" + tag)
        for ax, vs, title in ((axes[1], ["drop0", "drn_off", "drop50", "drop100"], "Table 3: drop 0/33/50/100%"),
                              (axes[2], ["groups_half", "all_on", "groups_double", "groups_quad"], "Table 4: groups")):
            ax.scatter([ests[f"{v}.uplink_per_client"].mean for v in vs], [ests[f"{v}.accuracy"].mean for v in vs])
            for v in vs:
                ax.annotate(v, (ests[f"{v}.uplink_per_client"].mean, ests[f"{v}.accuracy"].mean), fontsize=7)
            ax.set_xlabel("uplink per client (MB)")
            ax.set_ylabel("test accuracy (%)")
            ax.set_title(title + tag)
        fig.tight_layout()
        fig.savefig(outdir / "xu_fednas.png", dpi=90)
        plt.close(fig)
        return ["xu_fednas.png"]
