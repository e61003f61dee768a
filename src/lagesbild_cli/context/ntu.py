"""The NTU section: Brå's national crime survey for the kommun, the län and riket (``ind_ntu``), with each share
tested against three years before, and the report's one wording for the level and change rules."""

from __future__ import annotations

from dataclasses import dataclass

from lagesbild_cli.context import formatting
from lagesbild_cli.database.store import Store
from lagesbild_cli.settings.kommuner import Kommun


@dataclass(frozen=True)
class NtuRow:
    indikator: str
    matt: str
    andel: float | None
    ki_undre: float | None
    ki_ovre: float | None
    andel_lan: float | None
    ki_undre_lan: float | None
    ki_ovre_lan: float | None
    andel_riket: float | None
    jamfort_med_riket: str | None
    decimals: int
    andel_3ar_fore: float | None = None
    trend: str | None = None  # 'ökande' / 'minskande' / 'ingen säkerställd förändring' / 'kan inte bedömas'
    trend_z: float | None = None

    @property
    def confirmed_change(self) -> bool:
        """A change against three years before that the z test confirms (the rule in 30_ntu.sql)."""
        return self.trend in ("ökande", "minskande")

    @property
    def trend_text(self) -> str | None:
        """The change in the report's one wording ("ökat", "minskat", "ingen säkerställd förändring")."""
        return trend_word(self.trend) if self.trend else None


@dataclass(frozen=True)
class NtuSection:
    year: int
    svarande: int | None
    rows: tuple[NtuRow, ...]

    @property
    def otrygghet(self) -> NtuRow | None:
        return next((n for n in self.rows if n.indikator.startswith("Otrygghet vid utevistelse")), None)

    @property
    def year_before(self) -> int:
        """The year each share is tested against (three years before)."""
        return self.year - 3

    @property
    def confirmed(self) -> tuple[NtuRow, ...]:
        """The indicators whose change since three years before is confirmed by the z test."""
        return tuple(n for n in self.rows if n.confirmed_change)

    @property
    def change_sentences(self) -> tuple[str, ...]:
        """One sentence per confirmed change: "Oro för att utsättas för bostadsinbrott har minskat från
        23 % 2020 till 12 % 2023 (z = −2,90)."."""
        return tuple(
            f"{n.indikator} har {'ökat' if n.trend == 'ökande' else 'minskat'} från "
            f"{formatting.percent(n.andel_3ar_fore, n.decimals)} {self.year_before} till "
            f"{formatting.percent(n.andel, n.decimals)} {self.year} (z = {_signed(n.trend_z)})."
            for n in self.confirmed
        )


def _signed(value: float | None) -> str:
    """A test statistic with its sign: "+3,13", "−2,90"."""
    text = formatting.number(value, 2)
    return f"+{text}" if value is not None and value > 0 else text


def share_decimals(*values: float | None) -> int:
    """NTU's shares as Brå publishes them: whole per cent, or one decimal when a share or its interval has one
    (victimisation); the NTU table, the plan's baselines and the exports' labels all print them so."""
    return 0 if all(v is None or float(v).is_integer() for v in values) else 1


def ntu_section(store: Store, kommun: Kommun, year: int) -> NtuSection | None:
    params = {"k": kommun.kod, "l": kommun.lan_kod}
    available = [
        r["ar"]
        for r in store.rows(
            "select distinct ar from ind_ntu where geo_kod = $k and andel is not null order by ar", params
        )
    ]
    if not available:
        return None
    shown = [y for y in available if y <= year]
    if not shown:  # a report for a year shows nothing after it
        return None
    ntu_year = shown[-1]
    rows = store.rows(
        """
        select k.indikator, k.matt, k.andel, k.ki_undre, k.ki_ovre, l.andel as andel_lan,
               l.ki_undre as ki_undre_lan, l.ki_ovre as ki_ovre_lan, k.andel_riket, k.jamfort_med_riket,
               k.svarande, k.andel_3ar_fore, k.trend, k.trend_z
        from ind_ntu k
        left join ind_ntu l on l.indikator_id = k.indikator_id and l.ar = k.ar and l.geo_kod = $l
        where k.geo_kod = $k and k.ar = $y
        order by k.indikator
    """,
        {**params, "y": ntu_year},
    )
    # Brå gives victimisation shares with one decimal, the rest in whole per cent for kommuner
    ntu = tuple(
        NtuRow(
            **{f: r[f] for f in NtuRow.__dataclass_fields__ if f not in ("decimals", "jamfort_med_riket")},
            jamfort_med_riket=level_word(r["jamfort_med_riket"]),
            decimals=share_decimals(r["andel"], r["ki_undre"], r["ki_ovre"], r["andel_3ar_fore"]),
        )
        for r in rows
    )
    return NtuSection(year=ntu_year, svarande=rows[0]["svarande"] if rows else None, rows=ntu)


def level_word(word: str | None) -> str:
    """One wording for the level rule everywhere: "i nivå med" (NTU's SQL says "ingen säker skillnad")."""
    return {"ingen säker skillnad": "i nivå med", None: "kan inte bedömas"}.get(word, word or "kan inte bedömas")


def trend_word(word: str | None) -> str:
    """One wording for a confirmed change everywhere: "ökat"/"minskat" (NTU's SQL says "ökande"/"minskande")."""
    return {"ökande": "ökat", "minskande": "minskat", None: "kan inte bedömas"}.get(word, word or "kan inte bedömas")
