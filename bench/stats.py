"""Percentiles and the summary of one load run."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], p: float) -> float | None:
    """The p-th percentile (0–100) with linear interpolation between the closest ranks, as numpy's default.

    None for no values; one value is every percentile of itself.
    """
    if not 0 <= p <= 100:
        raise ValueError("percentile must lie between 0 and 100")
    data = sorted(values)
    if not data:
        return None
    rank = (len(data) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    if low == high:
        return float(data[low])
    return data[low] + (data[high] - data[low]) * (rank - low)


def summarize(latencies: Sequence[float], duration: float, errors: int = 0) -> dict:
    """A load run as the report shows it: requests, throughput and latency percentiles in milliseconds.

    `latencies` are the seconds each successful request took; `duration` the seconds the run lasted.
    """
    ms = [x * 1000 for x in latencies]
    return {
        "requests": len(ms),
        "errors": errors,
        "seconds": round(duration, 3),
        "rps": round(len(ms) / duration, 2) if duration > 0 else 0.0,
        "p50_ms": _round(percentile(ms, 50)),
        "p95_ms": _round(percentile(ms, 95)),
        "p99_ms": _round(percentile(ms, 99)),
        "mean_ms": _round(sum(ms) / len(ms)) if ms else None,
        "max_ms": _round(max(ms)) if ms else None,
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
