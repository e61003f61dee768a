"""Risk and protective factors from Kolada (§ 4 item 2, "annan information av betydelse"): a short panel of
conditions in the kommun that research links to crime, each against the län and riket, and Kolada's
"avvikelse från modellberäknat värde" for reported violent and theft crime.

The factors are context, not causes: the report never says that a factor explains the kommun's crime. A KPI the
database lacks (not fetched, or not published for the kommun) is shown as "saknas", never filled in.
"""

from __future__ import annotations

from dataclasses import dataclass

from lagesbild_cli.context import formatting
from lagesbild_cli.database.store import Store
from lagesbild_cli.settings.config import KOLADA_FACTOR_KPIS
from lagesbild_cli.settings.kommuner import RIKET_KOD, Kommun

# The panel's KPIs, in the order shown, with the name the report uses until Kolada's own title is loaded and
# whether a higher value is a risk or a protection. N03937 and N02905 are named in the project's reference notes;
# N02797, N15436 and N31816 by their titles in public code that reads Kolada; none has a recorded answer, so the
# live contract check (check-sources) asks Kolada's catalogue for each id. Kolada's title replaces the name below
# once the KPI's metadata is fetched.
FACTORS: tuple[tuple[str, str, str], ...] = (
    ("N03937", "Arbetslöshet", "risk"),
    ("N02797", "Unga 16–24 år som varken arbetar eller studerar", "risk"),
    ("N31816", "Invånare med långvarigt ekonomiskt bistånd", "risk"),
    ("N02905", "Unga 15–17 år lagförda för brott", "risk"),
    ("N15436", "Elever i årskurs 9 som är behöriga till gymnasiets yrkesprogram", "skydd"),
)
# Kolada's deviation from a model of the kommun's structure (metadata in tests/data/kolada), coded
# 2 = fewer reported crimes than the model expects, 1 = about as many, 0 = more.
DEVIATIONS: tuple[tuple[str, str], ...] = (
    ("U00489", "Anmälda våldsbrott jämfört med modellberäknat värde"),
    ("U00490", "Anmälda stöld- och tillgreppsbrott jämfört med modellberäknat värde"),
)
DEVIATION_WORDS = {
    2: "färre än modellen väntar sig",
    1: "ungefär som modellen väntar sig",
    0: "fler än modellen väntar sig",
}
KIND_WORDS = {"risk": "riskfaktor", "skydd": "skyddsfaktor"}
KPIS = KOLADA_FACTOR_KPIS  # what `fetch` asks Kolada for: the ids above, in their order


@dataclass(frozen=True)
class Factor:
    kpi: str
    name: str
    kind: str  # "riskfaktor", "skyddsfaktor" or "avvikelse"
    year: int | None  # None: Kolada has no value for the kommun up to the report's year
    kommun: float | None
    lan: float | None
    riket: float | None
    decimals: int = 0

    def shown(self, value: float | None) -> str:
        """A value as the panel prints it: a deviation in words, else the number as Kolada publishes it."""
        if self.year is None:
            return "saknas"
        if value is None:
            return formatting.MISSING
        if self.kind == "avvikelse":
            return DEVIATION_WORDS.get(round(value), formatting.MISSING)
        return formatting.number(value, self.decimals)


@dataclass(frozen=True)
class FactorsSection:
    factors: tuple[Factor, ...]
    deviations: tuple[Factor, ...]

    @property
    def any_value(self) -> bool:
        return any(f.year is not None for f in (*self.factors, *self.deviations))


def _decimals(values: list[float]) -> int:
    if all(v == round(v) for v in values):
        return 0
    return 1 if all(v * 10 == round(v * 10) for v in values) else 2


def factors_section(store: Store, kommun: Kommun, year: int) -> FactorsSection:
    """Each factor's newest value for the kommun up to ``year``, with the län's and riket's of the same year."""
    rows = store.rows(
        """
        select v.kpi, v.geo_kod, v.ar, v.varde, m.titel from raw_kolada_varden v left join raw_kolada_kpi m using (kpi)
        where v.geo_kod in ($k, $l, $r) and v.ar <= $y and list_contains($kpis, v.kpi)
        """,
        {"k": kommun.kod, "l": kommun.lan_kod, "r": RIKET_KOD, "y": year, "kpis": list(KPIS)},
    )
    titles = {r["kpi"]: r["titel"] for r in store.rows("select kpi, titel from raw_kolada_kpi") if r["titel"]}
    by = {(r["kpi"], r["geo_kod"], r["ar"]): r["varde"] for r in rows}

    def factor(kpi: str, name: str, kind: str) -> Factor:
        years = [r["ar"] for r in rows if r["kpi"] == kpi and r["geo_kod"] == kommun.kod]
        shown_name = name if kind == "avvikelse" else titles.get(kpi, name)  # the deviation's title holds its code
        if not years:
            return Factor(kpi, shown_name, kind, None, None, None, None)
        newest = max(years)
        here, lan, riket = (by.get((kpi, g, newest)) for g in (kommun.kod, kommun.lan_kod, RIKET_KOD))
        shown = [v for v in (here, lan, riket) if v is not None]
        return Factor(kpi, shown_name, kind, newest, here, lan, riket, decimals=_decimals(shown))

    return FactorsSection(
        factors=tuple(factor(kpi, name, KIND_WORDS[kind]) for kpi, name, kind in FACTORS),
        deviations=tuple(factor(kpi, name, "avvikelse") for kpi, name in DEVIATIONS),
    )
