"""The definition-break rule on Brå's real national series (Indikatorer för kommuners lägesbild,
the demo's workbooks, riket per 100 000 invånare 2017–2024)."""

from __future__ import annotations

from lagesbild_cli.rules.breaks import all_breaks, detect

VNR_KVINNOR = {2017: 23, 2018: 149, 2019: 283, 2020: 394, 2021: 394, 2022: 374, 2023: 381, 2024: 410}
VNR_MAN = {2017: 1, 2018: 26, 2019: 67, 2020: 98, 2021: 97, 2022: 91, 2023: 97, 2024: 106}
BILBROTT = {2017: 118, 2018: 561, 2019: 533, 2020: 566, 2021: 578, 2022: 549, 2023: 507, 2024: 383}
RAN_UNGA = {2017: 15, 2018: 19, 2019: 24, 2020: 21, 2021: 16, 2022: 14, 2023: 14, 2024: 9}


def years(found: tuple[object, ...]) -> list[int]:
    return [f.year for f in found]  # type: ignore[attr-defined]


def test_violence_in_close_relationships_is_a_break_phased_in_over_2018_to_2020() -> None:
    assert years(detect(VNR_KVINNOR)) == [2018, 2019, 2020]
    assert years(detect(VNR_MAN)) == [2018, 2019, 2020]
    first, *rest = detect(VNR_KVINNOR)
    assert (first.riket_before, first.riket_after, first.phase_in) == (23, 149, False)
    assert all(f.phase_in for f in rest)


def test_bilbrott_2018_is_found_and_real_changes_are_not() -> None:
    assert years(detect(BILBROTT)) == [2018]  # 2024's ×0,76 is a real fall
    assert years(detect(RAN_UNGA)) == []  # ×0,64 in 2024: a real fall, not a break


def test_a_jump_that_most_kommuner_do_not_share_is_not_a_break() -> None:
    riket = {2020: 100, 2021: 250}
    same = [{2020: 10, 2021: 30}, {2020: 5, 2021: 9}, {2020: 7, 2021: 6}]
    against = [{2020: 10, 2021: 8}, {2020: 5, 2021: 4}, {2020: 7, 2021: 90}]
    assert years(detect(riket, same)) == [2021]
    assert detect(riket, same)[0].same_way == 2 / 3
    assert years(detect(riket, against)) == []


def test_every_break_found_in_the_demo_series_is_confirmed_by_the_hand_list() -> None:
    listed = {(b.indikator, b.year) for b in all_breaks()}
    for serie, riket in (
        ("vald_i_nara_relationer_mot_kvinnor", VNR_KVINNOR),
        ("vald_i_nara_relationer_mot_man", VNR_MAN),
        ("bilbrott", BILBROTT),
    ):
        for f in detect(riket):
            assert (f"bra:{serie}", f.year) in listed
