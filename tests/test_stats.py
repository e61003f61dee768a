import pytest

from lagesbild_cli.stats import poisson_ci


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
