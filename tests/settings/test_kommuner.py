import csv

import pytest

from conftest import SAMPLES
from lagesbild_cli.errors import UnknownKommunError, UnknownLanError
from lagesbild_cli.settings.kommuner import (
    all_kommuner,
    find_kommun,
    find_lan,
    kommuner_in_lan,
    lan_by_code,
    resolve_kommun,
    resolve_lan,
)

GEO = SAMPLES / "geo"


def _rows(name: str) -> list[dict[str, str]]:
    with (GEO / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_the_290_kommuner_match_scbs_code_list() -> None:
    reference = {
        r["municipality_code"]: (r["municipality_name"], r["county_code"])
        for r in _rows("dnouri_swedish_admin_areas.csv")
    }
    ours = {k.kod: (k.namn, k.lan_kod) for k in all_kommuner()}
    assert len(ours) == 290
    assert ours == reference


def test_the_21_lan_match_the_reference() -> None:
    reference = {r["county_code"]: r["county_name"] for r in _rows("sjbrg_counties.csv")}
    assert {code: lan.namn for code, lan in lan_by_code().items()} == reference


def test_full_names_follow_the_official_form() -> None:
    reference = {r["municipality_code"]: r["municipality_name"] for r in _rows("sjbrg_municipality_county.csv")}
    # sjbrg applies the rule blindly; the kommuner call themselves "Kalix kommun", "Falu kommun", "Region Gotland"
    reference.update(
        {"2514": "Kalix kommun", "2513": "Överkalix kommun", "2080": "Falu kommun", "0980": "Region Gotland"}
    )
    assert {k.kod: k.fullnamn for k in all_kommuner()} == reference


@pytest.mark.parametrize("value", ["2026", "Gagnef", "gagnef", " Gagnefs kommun ", "2026 "])
def test_a_kommun_is_found_by_code_or_name(value: str) -> None:
    assert resolve_kommun(value).kod == "2026"


def test_names_with_dashes_and_trailing_s_resolve() -> None:
    assert find_kommun("Malung–Sälen").kod == "2023"  # type: ignore[union-attr]
    assert find_kommun("Malung-Sälens kommun").kod == "2023"  # type: ignore[union-attr]
    assert find_kommun("Borås kommun").kod == "1490"  # type: ignore[union-attr]
    assert find_kommun("Upplands Väsby").kod == "0114"  # type: ignore[union-attr]


@pytest.mark.parametrize("value", ["9999", "Atlantis", "", "20"])
def test_an_unknown_kommun_is_a_clear_error(value: str) -> None:
    with pytest.raises(UnknownKommunError, match="not a Swedish kommun"):
        resolve_kommun(value)


def test_lan_lookup_and_members() -> None:
    assert find_lan("20").namn == "Dalarnas län"  # type: ignore[union-attr]
    assert find_lan("Dalarna").kod == "20"  # type: ignore[union-attr]
    assert [k.namn for k in kommuner_in_lan("20")][:3] == ["Vansbro", "Malung-Sälen", "Gagnef"]
    assert len(kommuner_in_lan("20")) == 15


@pytest.mark.parametrize(
    ("typed", "meant"), [("Moraa", "Mora (2062)"), ("Gagnf", "Gagnef (2026)"), ("malung salen", "Malung-Sälen (2023)")]
)
def test_a_misspelt_kommun_suggests_the_closest_names(typed: str, meant: str) -> None:
    with pytest.raises(UnknownKommunError) as err:
        resolve_kommun(typed, where="--kommun")
    assert err.value.message == f"{typed!r} is not a Swedish kommun code or name (--kommun)."
    assert err.value.hint is not None and err.value.hint.startswith(f"Did you mean {meant}")


def test_without_a_close_name_the_example_is_the_users_own_kommun() -> None:
    with pytest.raises(UnknownKommunError) as err:
        resolve_kommun("9999", example=resolve_kommun("Mora"))
    assert "(e.g. 2062)" in str(err.value) and "(e.g. Mora)" in str(err.value) and "Gagnef" not in str(err.value)


def test_a_misspelt_lan_suggests_the_closest() -> None:
    with pytest.raises(UnknownLanError, match=r"Did you mean Dalarnas län \(20\)\?"):
        resolve_lan("Dalarn", where="--lan")
    with pytest.raises(UnknownLanError, match="'99' is not a län code or name"):
        resolve_lan("99")
    assert resolve_lan("dalarna").kod == "20"
