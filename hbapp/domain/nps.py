"""Net Promoter Score with an adjusted-Wald 95 % interval (pure standard library).

Promoters 9–10, passives 7–8, detractors 0–6; NPS = 100 × (P − D) / n.
Providers often have few ratings, so always show the interval (see instruments.md):
n′ = n + 3, p′ = (P + 0.75)/n′, d′ = (D + 0.75)/n′, NPS′ = 100·(p′ − d′),
SE = 100·√((p′ + d′ − (p′ − d′)²)/n′), interval NPS′ ± 1.96·SE clipped to ±100.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable

__all__ = ["MIN_ANSWERS_FOR_DISPLAY", "NpsSummary", "Z_95", "nps_summary"]

# Below this many answers, do not display an NPS at all.
MIN_ANSWERS_FOR_DISPLAY = 5
Z_95 = 1.96


@dataclass(frozen=True)
class NpsSummary:
    n: int
    promoters: int
    passives: int
    detractors: int
    nps: float | None
    low: float | None
    high: float | None


def nps_summary(scores: Iterable[int]) -> NpsSummary:
    """Summarise 0–10 recommendation scores. `nps`, `low` and `high` are None when n = 0.

    Raises ValueError for anything that is not an int 0–10 (bool is rejected).
    """
    promoters = passives = detractors = 0
    for s in scores:
        if isinstance(s, bool) or not isinstance(s, int):
            raise ValueError(f"NPS score must be an integer 0–10, got {s!r}")
        if not 0 <= s <= 10:
            raise ValueError(f"NPS score must be 0–10, got {s}")
        if s >= 9:
            promoters += 1
        elif s >= 7:
            passives += 1
        else:
            detractors += 1
    n = promoters + passives + detractors
    if n == 0:
        return NpsSummary(0, 0, 0, 0, None, None, None)
    nps = 100.0 * (promoters - detractors) / n
    n_adj = n + 3
    p = (promoters + 0.75) / n_adj
    d = (detractors + 0.75) / n_adj
    centre = 100.0 * (p - d)
    se = 100.0 * math.sqrt((p + d - (p - d) ** 2) / n_adj)
    low = max(-100.0, centre - Z_95 * se)
    high = min(100.0, centre + Z_95 * se)
    return NpsSummary(n, promoters, passives, detractors, nps, low, high)
