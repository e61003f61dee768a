"""Small, tested statistical functions; store.py registers them with DuckDB for the SQL files."""

from __future__ import annotations

import math
from collections.abc import Callable
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


def _bisect(f: Callable[[float], bool], lo: float, hi: float) -> float:
    """The boundary in [lo, hi] where ``f`` turns from true to false."""
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


def wilson_interval(share: float, n: float, *, z: float = Z_95) -> tuple[float, float]:
    """95 % Wilson score interval for a share (0–1) from ``n`` respondents (Kish's effective n when
    the share is weighted). Unlike the normal approximation it stays inside 0–1 for small n."""
    if n <= 0:
        raise ValueError("a share needs at least one respondent")
    denominator = 1 + z * z / n
    centre = (share + z * z / (2 * n)) / denominator
    half = z * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def kish_effective_n(weights: list[float]) -> float:
    """Kish's effective sample size: (Σw)² / Σw²."""
    total = sum(weights)
    return total * total / sum(w * w for w in weights)


SHOWN = "visas"
TOO_FEW_FOR_SHARE = "för få svar"
TOO_FEW = "färre än {min_cell}"
PROTECTED = "dold för att skydda en annan cell"
FEW_ANSWERS = "färre än {min_cell} svar ja eller nej"  # n is shown, the share is not


def few_answers(n: int, yes: int, min_cell: int) -> bool:
    """The answer rule: a share is not shown when 1 to ``min_cell`` − 1 respondents answered yes, or as few
    answered no. Such a share tells who in a small group was, say, assaulted (or all but who), as a cell of
    1–4 persons would; 0 yes tells nothing about any one person and is shown."""
    no = n - yes
    return 0 < yes < min_cell or 0 < no < min_cell


def suppress_cells(
    ns: list[int],
    remainder: int,
    min_cell: int,
    min_share: int,
    protect_shares: bool = True,
    yes: list[int] | None = None,
) -> list[str]:
    """Disclosure control for one table of cells that add up to a published total.

    ``ns`` are the cells' respondent counts; ``remainder`` the respondents of the total who are in no
    published cell. Primary: a cell with fewer than ``min_cell`` respondents is not published at all,
    one with fewer than ``min_share`` shows n but no share. Complementary: a reader who subtracts the
    published cells from the total learns the sum of everything hidden, so the hidden part (hidden
    cells plus a non-empty remainder) must always hold at least two cells; while it holds only one,
    the smallest published cell is hidden too. ``protect_shares`` applies this to shares as well as
    counts (off for weighted shares by sex and age: the report and the exports show those only in whole
    per cent, without n, which is what keeps a hidden group from being computed back).

    ``yes`` are the cells' (unweighted) yes counts: a share resting on 1–4 yes or 1–4 no answers is hidden
    though its n is shown (:func:`few_answers`), and protected like any other hidden share.
    """
    status = [
        TOO_FEW.format(min_cell=min_cell) if n < min_cell else TOO_FEW_FOR_SHARE if n < min_share else SHOWN for n in ns
    ]
    few = FEW_ANSWERS.format(min_cell=min_cell)
    if yes is not None:
        status = [
            few if s == SHOWN and few_answers(n, y, min_cell) else s for s, n, y in zip(status, ns, yes, strict=True)
        ]

    def protect(hidden: Callable[[str], bool], threshold: int, hide_as: str) -> None:
        # the remainder is never published, so it is always part of what a reader can derive
        while True:
            sensitive = any(hidden(s) for s in status) or 0 < remainder < threshold
            derivable = sum(1 for s in status if hidden(s)) + (1 if remainder > 0 else 0)
            visible = [i for i, s in enumerate(status) if not hidden(s)]
            if not sensitive or derivable >= 2 or not visible:
                return
            status[min(visible, key=lambda i: (ns[i], i))] = hide_as

    protect(lambda s: s not in (SHOWN, TOO_FEW_FOR_SHARE, few), min_cell, PROTECTED)  # counts
    if protect_shares:
        protect(lambda s: s != SHOWN, min_share, PROTECTED)
    return status


# Tests of change (one rule for the report): a difference is called an increase or a decrease only when a
# two-sided z test rejects "no difference" at the 5 % level, i.e. when |z| ≥ Z_95.
SIGNIFICANCE = 0.05


def se_from_interval(low: float, high: float) -> float:
    """The standard error behind a published 95 % interval: its half-width divided by 1.96."""
    return (high - low) / 2 / Z_95


def proportion_se(share: float, n: float) -> float:
    """Standard error of a share (0–1) from ``n`` respondents (Kish's effective n when weighted)."""
    if n <= 0:
        raise ValueError("a share needs at least one respondent")
    return math.sqrt(share * (1 - share) / n)


def difference_z(now: float, se_now: float, before: float, se_before: float) -> float:
    """z for the difference of two independent estimates: (now − before) / √(se_now² + se_before²).
    With no spread at all, an equal pair gives 0 and an unequal one ±infinity."""
    se = math.hypot(se_now, se_before)
    if se == 0:
        return 0.0 if now == before else math.copysign(math.inf, now - before)
    return (now - before) / se


def two_sided_p(z: float) -> float:
    """The two-sided p-value of a standard normal z."""
    return math.erfc(abs(z) / math.sqrt(2))


def interval_change_z(
    now: float, low_now: float, high_now: float, before: float, low_before: float, high_before: float
) -> float:
    """z for a change between two published estimates with 95 % intervals (NTU from Brå's workbook)."""
    return difference_z(now, se_from_interval(low_now, high_now), before, se_from_interval(low_before, high_before))


def proportion_change_z(share_now: float, n_now: float, share_before: float, n_before: float) -> float:
    """Two-proportion z for two independent survey rounds, each share's variance p(1−p)/n_eff."""
    return difference_z(share_now, proportion_se(share_now, n_now), share_before, proportion_se(share_before, n_before))
