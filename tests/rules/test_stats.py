import pytest

from lagesbild_cli.rules.stats import poisson_ci


@pytest.mark.parametrize(
    ("count", "lower", "upper"),
    [
        (0, 0.0, 3.689),
        (3, 0.619, 8.767),
        (6, 2.202, 13.059),
        (10, 4.795, 18.390),
        (20, 12.217, 30.888),
    ],
)
def test_exact_poisson_intervals_match_garwood(count: int, lower: float, upper: float) -> None:
    lo, hi = poisson_ci(count)
    assert lo == pytest.approx(lower, abs=1e-3) and hi == pytest.approx(upper, abs=1e-3)


def test_large_counts_use_byar_within_a_fraction_of_a_percent() -> None:
    lo, hi = poisson_ci(471)
    assert lo == pytest.approx(429.4, rel=2e-3) and hi == pytest.approx(515.5, rel=2e-3)


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError):
        poisson_ci(-1)


def test_wilson_and_kish() -> None:
    from lagesbild_cli.rules.stats import kish_effective_n, wilson_interval

    low, high = wilson_interval(0.0, 5)
    assert low == 0.0 and high == pytest.approx(0.4345, abs=1e-4)
    assert kish_effective_n([1.0, 1.0, 1.0, 1.0]) == 4
    assert kish_effective_n([2.0, 1.0, 1.0]) == pytest.approx(16 / 6)


@pytest.mark.parametrize(
    ("ns", "remainder", "protect", "expected"),
    [
        # Björbo 22 and Nordåker 1 hidden, plus an unplaced remainder: nothing more to hide
        ([413, 270, 22, 1], 46, True, ["visas", "visas", "för få svar", "färre än 5"]),
        # one small cell and no remainder: the smallest shown cell is hidden too
        ([400, 300, 5, 43], 0, True, ["visas", "visas", "för få svar", "dold för att skydda en annan cell"]),
        # ... but an unplaced remainder already protects it
        ([400, 300, 5, 43], 37, True, ["visas", "visas", "för få svar", "visas"]),
        # a count below 5 with no remainder: another count must go
        ([740, 640, 3], 0, False, ["visas", "dold för att skydda en annan cell", "färre än 5"]),
        # a tiny remainder is itself recoverable by subtraction
        ([400, 300], 3, True, ["visas", "dold för att skydda en annan cell"]),
        # weighted shares by sex: only counts are protected
        ([740, 640, 20], 0, False, ["visas", "visas", "för få svar"]),
    ],
)
def test_suppression(ns: list[int], remainder: int, protect: bool, expected: list[str]) -> None:
    from lagesbild_cli.rules.stats import suppress_cells

    assert suppress_cells(ns, remainder, 5, 30, protect_shares=protect) == expected


def test_proportion_change_z_equals_the_textbook_formula() -> None:
    from statistics import NormalDist

    from lagesbild_cli.rules.stats import Z_95, proportion_change_z, two_sided_p

    p1, n1, p0, n0 = 0.100, 1180.4, 0.073, 1102.7
    by_hand = (p1 - p0) / ((p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0) ** 0.5)
    z = proportion_change_z(p1, n1, p0, n0)
    assert z == pytest.approx(by_hand, rel=1e-12)
    assert two_sided_p(z) == pytest.approx(2 * (1 - NormalDist().cdf(by_hand)), rel=1e-9)
    assert Z_95 == pytest.approx(NormalDist().inv_cdf(0.975), rel=1e-12)


def test_interval_change_z_uses_both_years_standard_errors() -> None:
    """Gagnef, NTU 'Oro för att utsättas för misshandel': 5 % (3–7) in 2023 against 8 % (5–11) in 2020.
    The whole 2023 interval lies below 8 %, but with 2020's uncertainty too the change is not significant."""
    from statistics import NormalDist

    from lagesbild_cli.rules.stats import interval_change_z, two_sided_p

    se_2023, se_2020 = (7 - 3) / 2 / NormalDist().inv_cdf(0.975), (11 - 5) / 2 / NormalDist().inv_cdf(0.975)
    by_hand = (5 - 8) / (se_2023**2 + se_2020**2) ** 0.5
    z = interval_change_z(5, 3, 7, 8, 5, 11)
    assert z == pytest.approx(by_hand, rel=1e-12) and z == pytest.approx(-1.63, abs=0.01)
    assert two_sided_p(z) > 0.05


def test_a_difference_without_spread() -> None:
    import math

    from lagesbild_cli.rules.stats import difference_z

    assert difference_z(0.0, 0.0, 0.0, 0.0) == 0.0
    assert difference_z(1.0, 0.0, 0.0, 0.0) == math.inf
