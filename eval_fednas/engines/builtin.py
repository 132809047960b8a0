"""The built-in engines: vectorised across clients, and a plain per-client loop."""

from __future__ import annotations

from collections import defaultdict

from pipeline.errors import AtlasError

from ..models import family
from .base import Engine, FitJob, FitResult
from .forwards import STACKED
from .local import local_fit
from .stacked import PadCache, stacked_fit


class LoopEngine(Engine):
    """One client after another in Python: the reference and the benchmark baseline."""

    name = "loop"

    def fit(self, jobs: list[FitJob]) -> list[FitResult]:
        return [local_fit(j, self.clients[j.cid], self.device) for j in jobs]


def vectorisable(name: str) -> bool:
    return name in STACKED or hasattr(family(name), "forward_stacked")


class BuiltinEngine(Engine):
    """Groups jobs that can share a stack and trains each group as one computation (:func:`stacked_fit`).

    A group is every job with the same architecture and training settings
    (super-net clients of different subnets share one group). A group of one
    runs :func:`local_fit` (the same arithmetic without stacking overhead). A
    family with no stacked forward is refused, never silently looped: use the
    ``loop`` engine for it.
    """

    name = "builtin"

    def __init__(self, clients, device: str = "cpu", chunk: int = 512) -> None:
        super().__init__(clients, device)
        self.chunk = chunk
        self.pads = PadCache()  # padded client data, reused across rounds

    def fit(self, jobs: list[FitJob]) -> list[FitResult]:
        out: list[FitResult | None] = [None] * len(jobs)
        groups: dict[tuple, list[int]] = defaultdict(list)
        akeys: dict[int, object] = {}  # jobs usually share one arch dict: serialise it once per call
        for i, j in enumerate(jobs):
            name = j.arch["family"]
            if not vectorisable(name):
                raise AtlasError(f"the builtin engine cannot vectorise model family {name!r}",
                                 hint="run it with --engine loop, or give the family a stacked forward")
            if id(j.arch) not in akeys:
                akeys[id(j.arch)] = j.stack_arch_key()
            groups[j.group_key(akeys[id(j.arch)])].append(i)
        for members in groups.values():
            for s in range(0, len(members), self.chunk):
                part = members[s:s + self.chunk]
                if len(part) == 1:
                    for i in part:
                        out[i] = local_fit(jobs[i], self.clients[jobs[i].cid], self.device)
                    continue
                res = stacked_fit([jobs[i] for i in part], [self.clients[jobs[i].cid] for i in part], self.device,
                                  cache=self.pads)
                for i, r in zip(part, res):
                    out[i] = r
        return out  # type: ignore[return-value]
