"""Device tiers and a simulated wall clock: a round lasts as long as its slowest client."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Tier:
    """A device class: compute speed (MACs/s) and link bandwidth (bytes/s)."""

    name: str
    macs_per_s: float
    bytes_per_s: float


DEFAULT_TIERS = (Tier("high", 4e9, 4e6), Tier("mid", 1e9, 2e6), Tier("low", 2.5e8, 1e6))


@dataclass
class WallClock:
    """Accumulates simulated seconds round by round."""

    tiers: tuple[Tier, ...] = DEFAULT_TIERS
    elapsed: float = 0.0
    rounds: list[float] = field(default_factory=list)

    def client_time(self, tier: int, macs: float, nbytes: float) -> float:
        t = self.tiers[tier]
        return macs / t.macs_per_s + nbytes / t.bytes_per_s

    def round(self, per_client: Sequence[tuple[int, float, float]]) -> float:
        """Advance by one round of ``(tier, macs, bytes)`` participants; returns its length."""
        dur = max((self.client_time(*p) for p in per_client), default=0.0)
        self.rounds.append(dur)
        self.elapsed += dur
        return dur
