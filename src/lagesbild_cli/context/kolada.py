"""The comparison section from Kolada: rank among Sweden's kommuner and the "liknande kommuner" group."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from lagesbild_cli.context import charts, formatting
from lagesbild_cli.context.charts import definition_breaks, preliminary
from lagesbild_cli.database.store import Store
from lagesbild_cli.settings.kommuner import RIKET_KOD, Kommun


@dataclass(frozen=True)
class KpiRow:
    kpi: str
    titel: str
    ar: int
    varde: float | None
    rang: int | None
    antal_rankade: int | None
    antal_lika: int | None  # kommuner with the same value, sharing the place
    varde_lan: float | None
    varde_riket: float | None
    grupp_medel: float | None
    grupp_min: float | None
    grupp_max: float | None
    grupp_med_varde: int | None
    publicerad: str | None
    antal_kommuner: int | None = None  # Sweden's kommuner, the base of the share that has a value
    beskrivning: str = ""  # Kolada's description, which names the producer ("Källa: MSB")
    decimals: int = 0  # as Kolada publishes the KPI's values

    @property
    def rang_text(self) -> str:
        return national_rank_text(self.rang, self.antal_rankade, self.antal_lika, self.antal_kommuner)

    @property
    def place(self) -> str:
        """The table's cell: "37–38 av 290 (delad)", or why there is no place in Sweden."""
        if self.rang is None:
            return unranked_text(self.antal_rankade, self.antal_kommuner)
        return formatting.place(self.rang, self.antal_lika, self.antal_rankade)

    @property
    def unit(self) -> str:
        return kpi_unit(self.titel)

    @property
    def name(self) -> str:
        return kpi_name(self.titel)

    @property
    def producer(self) -> str:
        return kpi_producer(self.beskrivning)


@dataclass(frozen=True)
class ComparisonSection:
    year: int
    rows: tuple[KpiRow, ...]
    group_title: str | None
    group_members: tuple[str, ...]
    chart: charts.LineChart | None

    @property
    def headline(self) -> KpiRow | None:
        return self.rows[0] if self.rows else None

    @property
    def producers(self) -> str:
        """The producers behind the rows, in the rows' order: "Brå och SCB samt MCF (tidigare MSB)"."""
        return " samt ".join(dict.fromkeys(row.producer for row in self.rows))


_UNIT = re.compile(r",\s*antal\s*/\s*(?P<per>[\d\s]+?)\s*inv\.?(?=\s*(\(|$))")


def kpi_unit(title: str) -> str:
    """The unit in a Kolada title: 'Byggnadsbränder …, antal/1000 inv' → 'antal per 1 000 invånare'."""
    found = _UNIT.search(title)
    if found is None:
        return "se nyckeltalets beskrivning i Kolada"
    per = int(re.sub(r"\s", "", found["per"]))
    return f"antal per {per:,} invånare".replace(",", " ")  # a plain space; the template's ``enhet`` binds it


def kpi_name(title: str) -> str:
    """The title without its unit: 'Anmälda brott totalt, antal/100 000 inv' → 'Anmälda brott totalt'."""
    return " ".join(_UNIT.sub("", title).split())


PRODUCERS = {"BRÅ": "Brå", "MSB": "MCF (tidigare MSB)", "MCF": "MCF"}


def kpi_producer(description: str) -> str:
    """Who made the statistics behind a KPI, from "Källa: …" at the end of Kolada's description."""
    found = re.search(r"Källa:\s*(?P<who>[^.]+?)\s*\.?\s*$", description or "")
    if found is None:
        return "okänd producent"
    words = re.split(r"(\s+och\s+|,\s*)", found["who"].strip())
    return "".join(PRODUCERS.get(w.upper(), w) for w in words)


def unranked_text(antal: int | None, kommuner: int | None) -> str:
    """Why a KPI has no place in Sweden: too few kommuner have a value for a rank to say anything."""
    if not antal:
        return "ingen kommun har värde"
    if not kommuner:
        return f"{antal} kommuner med värde"
    return f"ingen plats: {antal} av {kommuner} kommuner med värde"


def national_rank_text(rang: int | None, antal: int | None, lika: int | None = 1, kommuner: int | None = None) -> str:
    """ "plats 30 av 290", or for equal values "delad plats 30–32 av 290"."""
    if rang is None or not antal:
        return "kan inte rangordnas" if not antal or not kommuner else unranked_text(antal, kommuner)
    if lika is not None and lika > 1:
        return f"delad plats {rang}–{rang + lika - 1} av {antal}"
    return f"plats {rang} av {antal}"


def kolada_years(store: Store, kommun: Kommun) -> list[int]:
    rows = store.rows("select distinct ar from raw_kolada_varden where geo_kod = $k order by ar", {"k": kommun.kod})
    return [r["ar"] for r in rows]


def comparison_section(
    store: Store, kommun: Kommun, year: int, kpis: tuple[str, ...], with_chart: bool
) -> ComparisonSection | None:
    """The KPIs for ``year`` (or the latest year before it that has values)."""
    years = [y for y in kolada_years(store, kommun) if y <= year]
    if not years:
        return None
    shown = years[-1]
    params = {"k": kommun.kod, "l": kommun.lan_kod, "r": RIKET_KOD, "y": shown}
    rows = store.rows(
        """
        select v.kpi, coalesce(m.titel, v.kpi) as titel, v.ar, v.varde, g.rang_i_riket as rang, g.antal_rankade,
               g.antal_lika,
               l.varde as varde_lan, r.varde as varde_riket, j.grupp_medel, j.grupp_min, j.grupp_max,
               j.medlemmar_med_varde as grupp_med_varde, m.publiceringsdatum as publicerad,
               g.antal_kommuner, coalesce(m.beskrivning, '') as beskrivning, d.decimals
        from raw_kolada_varden v
        left join (
            select kpi, max(case when varde = round(varde) then 0 when varde * 10 = round(varde * 10) then 1
                                 else 2 end)::integer as decimals
            from raw_kolada_varden group by kpi
        ) d on d.kpi = v.kpi
        left join raw_kolada_kpi m on m.kpi = v.kpi
        left join ind_kolada_rang_riket g on g.kpi = v.kpi and g.ar = v.ar and g.kommun_kod = v.geo_kod
        left join raw_kolada_varden l on l.kpi = v.kpi and l.ar = v.ar and l.geo_kod = $l
        left join raw_kolada_varden r on r.kpi = v.kpi and r.ar = v.ar and r.geo_kod = $r
        left join ind_kolada_jamforelsegrupp j on j.kpi = v.kpi and j.ar = v.ar and j.kommun_kod = v.geo_kod
        where v.geo_kod = $k and v.ar = $y
    """,
        params,
    )
    order = {kpi: i for i, kpi in enumerate(kpis)}
    kpi_rows = tuple(sorted((KpiRow(**r) for r in rows), key=lambda row: (order.get(row.kpi, 99), row.kpi)))
    group = store.rows("select distinct grupp_id, titel from raw_kolada_grupper where kommun_kod = $k", params)
    members = store.rows(
        "select medlem_namn from raw_kolada_grupper where kommun_kod = $k order by medlem_namn", params
    )
    chart = None
    if with_chart and kpi_rows:
        first = kpi_rows[0]
        history = store.rows(
            """
            select geo_niva, ar, varde from raw_kolada_varden
            where kpi = $kpi and geo_kod in ($k, $l, $r) and ar <= $y order by ar
        """,
            {**params, "kpi": first.kpi},
        )
        chart_years = sorted({h["ar"] for h in history})
        data = {
            level: {h["ar"]: h["varde"] for h in history if h["geo_niva"] == level}
            for level in ("kommun", "lan", "riket")
        }
        meta = next(
            iter(
                store.rows(
                    "select publ_period, publiceringsdatum from raw_kolada_kpi where kpi = $kpi", {"kpi": first.kpi}
                )
            ),
            {},
        )
        chart = charts.geography_chart(
            f"chart-kolada-{first.kpi}",
            first.titel,
            first.titel.split(",")[0].lower(),
            data,
            chart_years,
            kommun.namn,
            kommun.lan.namn,
            marks=definition_breaks().get(f"kolada:{first.kpi}", ())
            + preliminary(meta.get("publ_period"), meta.get("publiceringsdatum"), date.today()),
        )
    return ComparisonSection(
        year=shown,
        rows=kpi_rows,
        group_title=group[0]["titel"] if group else None,
        group_members=tuple(m["medlem_namn"] for m in members),
        chart=chart,
    )
