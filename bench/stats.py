"""Pure helpers of the benchmarks (unit-tested in tests/unit/test_bench_stats.py)."""

from __future__ import annotations

import gzip
import math
from collections.abc import Iterable, Mapping, Sequence


def percentile(values: Sequence[float], pct: float) -> float | None:
    """The pct-th percentile with linear interpolation between closest ranks (numpy's default).

    None for no values; pct is 0–100.
    """
    if not 0 <= pct <= 100:
        raise ValueError("pct must be between 0 and 100")
    data = sorted(values)
    if not data:
        return None
    rank = (len(data) - 1) * pct / 100
    low, high = math.floor(rank), math.ceil(rank)
    if low == high:
        return float(data[low])
    return data[low] + (data[high] - data[low]) * (rank - low)


def summarize(values: Sequence[float], digits: int = 1) -> dict[str, float | int | None]:
    """Count, p50/p95/p99, mean and max of timings (rounded for the report)."""

    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, digits)

    return {
        "count": len(values),
        "p50": rounded(percentile(values, 50)),
        "p95": rounded(percentile(values, 95)),
        "p99": rounded(percentile(values, 99)),
        "mean": rounded(sum(values) / len(values)) if values else None,
        "max": rounded(max(values)) if values else None,
    }


def gzip_size(body: bytes, level: int = 6) -> int:
    """Bytes of a body after gzip at the level common web servers use (6); 0 for no body.

    The gzip header (mtime fixed at 0) is counted: it goes over the wire too.
    """
    if not body:
        return 0
    return len(gzip.compress(body, compresslevel=level, mtime=0))


RESOURCE_KINDS = ("js", "css", "html", "other")


def resource_kind(resource_type: str, url: str, content_type: str = "") -> str:
    """Classify a browser response as js, css, html or other (fonts, images, JSON...)."""
    path = url.split("?", 1)[0].split("#", 1)[0].lower()
    content_type = content_type.lower()
    if resource_type == "script" or path.endswith((".js", ".mjs")) or "javascript" in content_type:
        return "js"
    if resource_type == "stylesheet" or path.endswith(".css") or "text/css" in content_type:
        return "css"
    if resource_type == "document" or "text/html" in content_type:
        return "html"
    return "other"


def weight_totals(responses: Iterable[Mapping[str, object]]) -> dict[str, dict[str, int]]:
    """Sum raw and gzip bytes and requests per kind and in total.

    Each response is a mapping with `kind`, `bytes` (decoded body) and `gzip` (its gzip size).
    """
    totals = {kind: {"requests": 0, "bytes": 0, "gzip": 0} for kind in (*RESOURCE_KINDS, "total")}
    for response in responses:
        for key in (str(response["kind"]), "total"):
            totals[key]["requests"] += 1
            totals[key]["bytes"] += int(response["bytes"])
            totals[key]["gzip"] += int(response["gzip"])
    return totals


def ratio(value: float | None, floor: float | None) -> float | None:
    """value / floor rounded to 2 decimals; None when either is missing or the floor is 0."""
    if value is None or not floor:
        return None
    return round(value / floor, 2)


def kib(n_bytes: float | None) -> str:
    return "–" if n_bytes is None else f"{n_bytes / 1024:.1f} KiB"


def budget_check(value: float | None, limit: float) -> str:
    """'ok' or 'over' against an upper limit; 'n/a' when not measured."""
    if value is None:
        return "n/a"
    return "ok" if value <= limit else "over"
