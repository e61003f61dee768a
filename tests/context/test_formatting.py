import pytest

from lagesbild_cli.context import formatting

NB = "\u00a0"


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [
        (4526, 0, f"4{NB}526"),
        (1489319, 0, f"1{NB}489{NB}319"),
        (11.25, 1, "11,3"),
        (0.04, 1, "0,0"),
        (-3.4, 0, "\u22123"),
        (None, 0, "–"),
        (float("nan"), 0, "–"),
        (14349.0, 0, f"14{NB}349"),
    ],
)
def test_numbers_in_swedish_style(value: float | None, decimals: int, text: str) -> None:
    assert formatting.number(value, decimals) == text


def test_percent_change_and_interval() -> None:
    assert formatting.percent(11) == f"11{NB}%"
    assert formatting.signed_percent(5.2) == f"+5{NB}%"
    assert formatting.signed_percent(-3.3) == f"\u22123{NB}%"
    assert formatting.signed_percent(0.2) == f"±0{NB}%"
    assert formatting.interval(6, 17) == "6–17"


def test_dates_in_swedish() -> None:
    assert formatting.swedish_date("2026-11-27T02:00:00+00:00") == "27 november 2026"


def test_a_unit_keeps_its_numbers_whole() -> None:
    assert formatting.unit("anmälda brott per 100 000 invånare") == "anmälda brott per 100\u00a0000 invånare"
    assert formatting.unit("per 1 000 invånare, 2 år") == "per 1\u00a0000 invånare, 2 år"
    assert formatting.unit("procent") == "procent"
