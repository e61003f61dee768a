"""Brottslighetens konsekvenser (§ 4): what crime and the fear of it do to people's lives, gathered from
NTU, the own survey and reported vandalism — changed habits, worry, trust and damage."""

from __future__ import annotations

from dataclasses import dataclass

from lagesbild_cli.context import formatting
from lagesbild_cli.context.bra import CrimeSection
from lagesbild_cli.context.ntu import NtuSection
from lagesbild_cli.context.survey import SurveySection
from lagesbild_cli.settings.slugs import slug

NTU_CONSEQUENCES = (
    "avstatt_fran_nagon_aktivitet",
    "valt_en_annan_vag",
    "oro_for_att_utsattas_for_misshandel",
    "oro_for_att_utsattas_for_bostadsinbrott",
    "oro_for_att_utsattas_for_valdtakt",
    "otrygghet_vid_utevistelse",
)
SURVEY_CONSEQUENCES = (
    "avstatt_aktivitet",
    "annan_vag",
    "oro_brott",
    "otrygg_kvall",
    "fortroende_polisen",
    "utsatt_skadegorelse",
)
CRIME_CONSEQUENCES = ("skadegorelsebrott",)


@dataclass(frozen=True)
class Consequence:
    name: str
    value: str
    uncertainty: str
    comparison: str
    source: str


def consequences(
    crime: CrimeSection | None, ntu: NtuSection | None, own_survey: SurveySection | None
) -> tuple[Consequence, ...]:
    rows = []
    if ntu is not None:
        for key in NTU_CONSEQUENCES:
            for n in ntu.rows:
                if slug(n.indikator).startswith(key) and n.andel is not None:
                    rows.append(
                        Consequence(
                            n.indikator,
                            formatting.percent(n.andel, n.decimals),
                            f"95 % KI {formatting.interval(n.ki_undre, n.ki_ovre, n.decimals)} %",
                            f"länet {formatting.percent(n.andel_lan, 1)}, riket {formatting.percent(n.andel_riket, 1)}",
                            f"Brå, NTU {ntu.year}",
                        )
                    )
    if own_survey is not None:
        for key in SURVEY_CONSEQUENCES:
            for i in own_survey.indicators:
                cell = i.kommun
                if i.id == key and cell.share is not None:
                    rows.append(
                        Consequence(
                            i.label,
                            formatting.percent(cell.share * 100),
                            f"95 % KI {formatting.interval((cell.low or 0) * 100, (cell.high or 0) * 100)} %",
                            f"n = {formatting.number(cell.n)}"
                            + (f"; {cell.change} sedan {own_survey.previous_year}" if cell.change else ""),
                            f"kommunens trygghetsundersökning {own_survey.year}",
                        )
                    )
    if crime is not None:
        for s in crime.series:
            if s.serie_id in CRIME_CONSEQUENCES and s.antal is not None:
                rows.append(
                    Consequence(
                        f"{s.serie} (anmälda)",
                        f"{formatting.number(s.antal)} brott",
                        f"95 % KI {formatting.interval(s.antal_ki_undre, s.antal_ki_ovre)}",
                        f"{formatting.number(s.per_100k)} per 100 000; länet {formatting.number(s.per_100k_lan)}",
                        "Brå, anmälda brott",
                    )
                )
    return tuple(rows)
