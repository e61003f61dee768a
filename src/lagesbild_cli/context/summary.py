"""The summary's headline sentences, each generated from a stated rule, never free-form."""

from __future__ import annotations

import re

from lagesbild_cli.context import formatting
from lagesbild_cli.context.analysis import Analysis
from lagesbild_cli.context.bra import Assessment, CrimeSection, SeriesRow
from lagesbild_cli.context.kolada import ComparisonSection
from lagesbild_cli.context.kommunen import KommunFacts
from lagesbild_cli.context.ntu import NtuSection
from lagesbild_cli.context.survey import SurveySection
from lagesbild_cli.settings.kommuner import Kommun


def plain_kpi_title(title: str) -> str:
    """A Kolada KPI title as a sentence reads it: 'Anmälda brott totalt, antal/100 000 inv' becomes
    'anmälda brott totalt per 100 000 invånare'."""
    text = re.sub(r",\s*antal/\s*([\d\s]+?)\s*inv\.?$", r" per \1 invånare", title.strip())
    return text[:1].lower() + text[1:]


def compare_word(value: float | None, reference: float | None) -> str:
    if value is None or reference is None:
        return "kan inte jämföras med"
    return "lägre än" if value < reference else "högre än" if value > reference else "lika med"


def rank_sentence(kommun_namn: str, total: SeriesRow, kommuner_in_lan: int) -> str | None:
    """Where the kommun places in its län by reported crimes per inhabitant; a tie is said to be one."""
    rang, antal, lika = total.rang, total.antal_rankade, total.antal_lika
    if rang is None or antal < 2:
        return None
    scope = (
        f"länets {antal} kommuner"
        if antal == kommuner_in_lan
        else f"de {antal} av länets {kommuner_in_lan} kommuner som har data"
    )
    if lika > 1:
        others = "1 annan kommun" if lika == 2 else f"{lika - 1} andra kommuner"
        return (
            f"Räknat per invånare delar {kommun_namn} plats {rang}–{rang + lika - 1} bland {scope} med "
            f"{others} som har samma värde (plats 1 har lägst antal anmälda brott)."
        )
    if rang == 1:
        return f"Räknat per invånare har {kommun_namn} lägst antal anmälda brott av {scope}."
    if rang == antal:
        return f"Räknat per invånare har {kommun_namn} högst antal anmälda brott av {scope}."
    return f"Räknat per invånare har {kommun_namn} plats {rang} av {scope} (plats 1 har lägst antal anmälda brott)."


TREND_CLAUSE = {
    "ökat": "Ökningen är säkerställd: hela konfidensintervallet ligger över medelvärdet.",
    "minskat": "Minskningen är säkerställd: hela konfidensintervallet ligger under medelvärdet.",
    "ingen säkerställd förändring": "Det är ingen säkerställd förändring: skillnaden kan bero på slumpen.",
}


def change_sentence(year: int, change: float, trend: str | None) -> str:
    """The rate against the mean of the three years before, in whole per cent as the table prints it: "20 %
    lägre än", or "i stort sett oförändrat" when the change rounds to 0 % (the table's "±0 %")."""
    rounded = formatting.number(abs(change))
    if rounded == "0":
        compared = "i stort sett oförändrat (±0 %) jämfört med"
    else:
        compared = f"{formatting.percent(abs(change))} {'högre' if change > 0 else 'lägre'} än"
    text = f"Antalet anmälda brott per invånare {year} var {compared} medelvärdet för {year - 3}–{year - 1}."
    clause = TREND_CLAUSE.get(trend or "")
    return f"{text} {clause}" if clause else text


def _against(total: SeriesRow, lan_namn: str) -> str:
    """ "Det är lägre än både i Dalarnas län (8 750) och i riket (14 090)." without saying "lägre än" twice."""
    lan, riket = compare_word(total.per_100k, total.per_100k_lan), compare_word(total.per_100k, total.per_100k_riket)
    lan_value, riket_value = formatting.number(total.per_100k_lan), formatting.number(total.per_100k_riket)
    if lan == riket:
        return f"Det är {lan} både i {lan_namn} ({lan_value}) och i riket ({riket_value})."
    return f"Det är {lan} i {lan_namn} ({lan_value}) och {riket} i riket ({riket_value})."


def _or_list(items: list[str]) -> str:
    return formatting.listed([f"”{i}”" for i in items], "eller")


def priority_lines(a: Analysis) -> tuple[str, ...]:
    """The summary's first key points: the analysis' priorities in their order, the first with its reasons, or
    that no theme stands out."""
    if not a.ranked:
        return (
            "Analysen pekar inte ut något problemområde: inget tema sticker ut enligt analysens regler, så "
            "rapporten föreslår ingen prioritering (se avsnittet Analys).",
        )
    names = [r.title for r in a.ranked]
    if a.own_order:
        head = f"Kommunens egna prioriteringar, i den ordning kommunen har bestämt: {'; '.join(names)}."
    else:
        head = (
            "Enligt analysens regler sticker ett problemområde ut och bör prioriteras: "
            f"{a.ranked[0].theme.name} (avsnittet Analys visar hur källorna stämmer överens)."
            if len(a.ranked) == 1
            else "Enligt analysens regler bör dessa problemområden prioriteras, i den här ordningen: "
            f"{'; '.join(names)} (avsnittet Analys visar hur källorna stämmer överens)."
        )
    first = a.ranked[0]
    lines = [head]
    if first.reasons:
        lines.append(f"{first.theme.name}: {first.reason}")
    return tuple(lines)


def summary(
    kommun: Kommun,
    year: int,
    crime: CrimeSection | None,
    ntu: NtuSection | None,
    comparison: ComparisonSection | None,
    facts: KommunFacts | None,
    own_survey: SurveySection | None = None,
    assessments: tuple[Assessment, ...] = (),
    analysed: Analysis | None = None,
) -> tuple[str, ...]:
    lines = list(priority_lines(analysed)) if analysed is not None else []
    lan_namn = kommun.lan.namn
    total = crime.total if crime else None
    if total is not None and total.antal is not None and crime is not None:
        lines.append(
            f"Under {crime.year} anmäldes {formatting.number(total.antal)} brott i {kommun.fullnamn}, "
            f"{formatting.number(total.per_100k)} per 100 000 invånare. {_against(total, lan_namn)}"
        )
        ranked = rank_sentence(kommun.namn, total, crime.kommuner_in_lan)
        if ranked:
            lines.append(ranked)
        if total.forandring_mot_3ar_procent is not None:
            trend = next(
                (a.trend for a in assessments if a.name == total.serie and a.source.startswith("Brå, anm")), None
            )
            lines.append(change_sentence(crime.year, total.forandring_mot_3ar_procent, trend))
        small = [s.serie for s in crime.series if s.litet_antal]
        if small:
            lines.append(
                f"{len(small)} av {len(crime.series)} brottsserier har färre än 10 anmälda brott {crime.year}. Små tal "
                "varierar mycket av en slump. Därför bedöms de serierna inte mot länet, riket eller tidigare år: "
                "tabellerna visar antalet, markerat med *, och ”för få för att bedöma” i stället för förändring, "
                "plats och pil."
            )
    headline = comparison.headline if comparison else None
    if headline is not None and headline.rang is not None and comparison is not None:
        lines.append(
            f"Bland Sveriges kommuner har {kommun.namn} {headline.rang_text} (1 = lägst) för "
            f"{plain_kpi_title(headline.titel)} {comparison.year}."
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
        riket = formatting.percent(otrygg.andel_riket, 1)
        versus = {
            "lägre": f"Det är lägre än i riket ({riket}): hela intervallet ligger under rikets andel.",
            "högre": f"Det är högre än i riket ({riket}): hela intervallet ligger över rikets andel.",
            "i nivå med": f"Det är i nivå med riket ({riket}): intervallet omfattar rikets andel.",
        }.get(otrygg.jamfort_med_riket or "", "")
        lines.append(
            f"Enligt Brås nationella trygghetsundersökning (NTU) {ntu.year} känner sig "
            f"{formatting.percent(otrygg.andel, otrygg.decimals)} av invånarna 16–84 år i {kommun.namn} otrygga "
            f"ute sent på kvällen i sitt bostadsområde (95 % konfidensintervall {ci} %). {versus}".rstrip()
        )
    if ntu is not None and ntu.change_sentences:
        lines.append(
            f"Säkerställda förändringar i NTU mellan {ntu.year_before} och {ntu.year} (z-test, 5 % "
            f"signifikansnivå): {' '.join(ntu.change_sentences)}"
        )
    if own_survey is not None and own_survey.change_sentences:
        whole = own_survey.kommun_change_sentences
        elsewhere = len(own_survey.change_sentences) - len(whole)
        text = (
            f"Säkerställda förändringar för hela kommunen i kommunens trygghetsundersökning sedan "
            f"{own_survey.previous_year} (z-test, 5 % signifikansnivå): {' '.join(whole)}"
            if whole
            else f"För hela kommunen visar trygghetsundersökningen ingen säkerställd förändring sedan "
            f"{own_survey.previous_year}."
        )
        if elsewhere:
            text += (
                f" I enskilda områden och grupper är {elsewhere} förändringar säkerställda; de står i avsnittet "
                "Trygghet och utsatthet per område, där det också står hur många som kan väntas av en slump."
            )
        lines.append(text)
    first = own_survey.indicators[0] if own_survey and own_survey.indicators else None
    if first is not None and first.kommun.share is not None and own_survey is not None:
        answers = [a.strip() for a in first.yes.split(";") if a.strip()]
        lines.append(
            f"I kommunens egen trygghetsundersökning {own_survey.year} svarade "
            f"{formatting.percent(first.kommun.share * 100)} av dem som tog ställning {_or_list(answers)} på frågan "
            f"”{first.question.rstrip('?')}?” (95 % konfidensintervall "
            f"{formatting.interval((first.kommun.low or 0) * 100, (first.kommun.high or 0) * 100)} %)."
        )
        if first.ntu_kommun is not None and first.ntu_year is not None:
            lines.append(
                f"NTU:s närmaste mått för {kommun.namn} är {formatting.percent(first.ntu_kommun)} ({first.ntu_year}). "
                "NTU ställer andra frågor till andra svarande, så de två andelarna kan inte jämföras direkt. "
                "Avsnittet Trygghet och utsatthet per område visar skillnaderna mellan kommunens områden."
            )
        else:
            lines.append("Avsnittet Trygghet och utsatthet per område visar skillnaderna mellan kommunens områden.")
    if facts is not None and facts.population is not None:
        lines.append(
            f"{kommun.fullnamn} hade {formatting.number(facts.population)} invånare den 31 december "
            f"{facts.population_year} (SCB)."
        )
    return tuple(lines)
