"""Small, tested statistical functions; store.py registers them with DuckDB for the SQL files."""

from __future__ import annotations

import math
from functools import lru_cache

Z_95 = 1.959963984540054


def _poisson_cdf(k: int, mu: float) -> float:
    """P(X ≤ k) for X ~ Poisson(mu), summed in log space (k is small here)."""
    if mu == 0:
        return 1.0
    total = 0.0
    log_mu = math.log(mu)
    for i in range(k + 1):
        total += math.exp(i * log_mu - mu - math.lgamma(i + 1))
    return min(total, 1.0)


def _bisect(f: object, lo: float, hi: float) -> float:
    assert callable(f)
    for _ in range(60):  # 2⁻⁶⁰ of the bracket: far below any shown decimal
        mid = (lo + hi) / 2
        if f(mid):
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


@lru_cache(maxsize=4096)
def poisson_ci(count: int, *, alpha: float = 0.05) -> tuple[float, float]:
    """95 % confidence interval for a Poisson count.

    Exact (Garwood) for counts below 100, found by bisection on the Poisson distribution;
    Byar's approximation from 100 on, which is within 0.2 % of exact from 10 and far closer at 100.
    """
    if count < 0:
        raise ValueError(f"a count cannot be negative: {count}")
    if count < 100:
        upper = _bisect(lambda mu: _poisson_cdf(count, mu) > alpha / 2, count, count + 50.0)
        if count == 0:
            return 0.0, upper
        lower = _bisect(lambda mu: 1 - _poisson_cdf(count - 1, mu) < alpha / 2, 0.0, float(count))
        return lower, upper
    z = Z_95 if alpha == 0.05 else _z(alpha)
    x = float(count)
    lower = x * (1 - 1 / (9 * x) - z / (3 * math.sqrt(x))) ** 3
    x1 = x + 1
    upper = x1 * (1 - 1 / (9 * x1) + z / (3 * math.sqrt(x1))) ** 3
    return lower, upper


def _z(alpha: float) -> float:
    """Two-sided normal quantile by bisection on erf (only for non-default levels)."""
    return _bisect(lambda z: math.erfc(z / math.sqrt(2)) > alpha, 0.0, 10.0)


def poisson_lower(count: int) -> float:
    return poisson_ci(count)[0]


def poisson_upper(count: int) -> float:
    return poisson_ci(count)[1]
