"""The summary's headline sentences, each generated from a stated rule, never free-form."""

from __future__ import annotations

from lagesbild_cli import formatting
from lagesbild_cli.context.bra import CrimeSection, NtuSection
from lagesbild_cli.context.kolada import ComparisonSection
from lagesbild_cli.context.kommunen import KommunFacts
from lagesbild_cli.context.survey import SurveySection
from lagesbild_cli.kommuner import Kommun


def compare_word(value: float | None, reference: float | None) -> str:
    if value is None or reference is None:
        return "kan inte jämföras med"
    return "lägre än" if value < reference else "högre än" if value > reference else "lika med"


def summary(
    kommun: Kommun,
    year: int,
    crime: CrimeSection | None,
    ntu: NtuSection | None,
    comparison: ComparisonSection | None,
    facts: KommunFacts | None,
    own_survey: SurveySection | None = None,
) -> tuple[str, ...]:
    lines = []
    lan_namn = kommun.lan.namn
    total = crime.total if crime else None
    if total is not None and total.antal is not None and crime is not None:
        lines.append(
            f"Under {year} anmäldes {formatting.number(total.antal)} brott i {kommun.fullnamn}, "
            f"{formatting.number(total.per_100k)} per 100 000 invånare. Det är "
            f"{compare_word(total.per_100k, total.per_100k_lan)} i {lan_namn} "
            f"({formatting.number(total.per_100k_lan)}) och {compare_word(total.per_100k, total.per_100k_riket)} "
            f"i riket ({formatting.number(total.per_100k_riket)})."
        )
        if total.rang is not None:
            scope = (
                f"av länets {total.antal_rankade} kommuner"
                if total.antal_rankade == crime.kommuner_in_lan
                else f"av de {total.antal_rankade} av länets {crime.kommuner_in_lan} kommuner som har data"
            )
            lines.append(
                f"Räknat per invånare ligger {kommun.namn} {total.rang_text} {scope} "
                f"(plats {total.rang}, där 1 = lägst antal anmälda brott per invånare)."
            )
        if total.forandring_mot_3ar_procent is not None:
            lines.append(
                "Jämfört med medelvärdet för de tre föregående åren är antalet anmälda brott per "
                f"invånare {formatting.signed_percent(total.forandring_mot_3ar_procent)} {year}."
            )
        small = [s.serie for s in crime.series if s.litet_antal]
        if small:
            lines.append(
                f"{len(small)} av {len(crime.series)} brottsserier har färre än 10 anmälda brott {year}; "
                "deras förändringar från år till år säger lite och markeras i tabellerna."
            )
    headline = comparison.headline if comparison else None
    if headline is not None and headline.rang is not None and comparison is not None:
        lines.append(
            f"Bland Sveriges kommuner har {kommun.namn} {headline.rang_text} (1 = lägst) för "
            f"{headline.titel.lower()} {comparison.year}."
        )
        if headline.grupp_medel is not None and comparison.group_title:
            lines.append(
                f"Det är {compare_word(headline.varde, headline.grupp_medel)} medelvärdet för liknande "
                f"kommuner ({formatting.number(headline.grupp_medel)}; Koladas grupp "
                f"”{comparison.group_title}”)."
            )
    otrygg = ntu.otrygghet if ntu else None
    if otrygg is not None and otrygg.andel is not None and ntu is not None:
        ci = formatting.interval(otrygg.ki_undre, otrygg.ki_ovre, otrygg.decimals)
        lines.append(
            f"Enligt NTU {ntu.year} känner sig {formatting.percent(otrygg.andel, otrygg.decimals)} "
            f"(95 % konfidensintervall {ci} %) otrygga sent på kvällen i sitt bostadsområde, "
            f"mot {formatting.percent(otrygg.andel_riket, 1)} i riket "
            f"({otrygg.jamfort_med_riket or 'kan inte jämföras'})."
        )
    first = own_survey.indicators[0] if own_survey and own_survey.indicators else None
    if first is not None and first.kommun.share is not None and own_survey is not None:
        lines.append(
            f"I kommunens egen trygghetsundersökning {own_survey.year} svarade "
            f"{formatting.percent(first.kommun.share * 100)} (95 % konfidensintervall "
            f"{formatting.interval((first.kommun.low or 0) * 100, (first.kommun.high or 0) * 100)} %) ja på "
            f"”{first.label}”; avsnittet Trygghet och utsatthet per område visar skillnaderna mellan områdena."
        )
    if facts is not None and facts.population is not None:
        lines.append(
            f"{kommun.fullnamn} hade {formatting.number(facts.population)} invånare den 31 december "
            f"{facts.population_year} (SCB)."
        )
    return tuple(lines)
