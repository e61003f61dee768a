"""Kommunen i korthet: population over time (SCB) and a map of the län's kommuner (reported crime per
100 000, Brå), when the data is there."""

from __future__ import annotations

from dataclasses import dataclass

from lagesbild_cli.context import maps
from lagesbild_cli.database.store import Store
from lagesbild_cli.settings.kommuner import Kommun


@dataclass(frozen=True)
class KommunFacts:
    population: int | None
    population_year: int | None
    population_before: int | None  # ten years earlier
    population_before_year: int | None
    population_change_pct: float | None
    deso_areas: int
    lan_population: int | None
    map: maps.Choropleth | None
    map_year: int | None


def kommun_facts(store: Store, kommun: Kommun, year: int) -> KommunFacts:
    params = {"k": kommun.kod, "l": kommun.lan_kod, "y": year}
    # SCB's population per kommun (TAB638), else the sum of the kommun's DeSO (TAB6574) the same year: the
    # report for year Y shows Y's population, never a later year's
    population = store.rows(
        """
        select ar, folkmangd from raw_scb_folkmangd where region_kod = $k and ar <= $y
        union all
        select ar, sum(folkmangd)::bigint from raw_scb_folkmangd_deso d where kommun_kod = $k and ar <= $y
          and not exists (select 1 from raw_scb_folkmangd p where p.region_kod = $k and p.ar = d.ar)
        group by ar
        order by ar desc
        """,
        params,
    )
    now = population[0] if population else None
    before = next((p for p in population if now and p["ar"] == now["ar"] - 10), None)
    lan = store.rows(  # the same year as the kommun's, or not at all
        "select folkmangd from raw_scb_folkmangd where region_kod = $l and ar = $a",
        {**params, "a": now["ar"] if now else None},
    )
    deso = store.rows(
        "select count(distinct deso_kod) as n from raw_scb_folkmangd_deso where kommun_kod = $k and ar <= $y", params
    )[0]["n"]
    features = store.rows(
        "select kommun_kod, kommun_namn, geometri from raw_geo_kommuner where lan_kod = $l order by kommun_kod", params
    )
    rates = store.rows(
        """
        select geo_kod, per_100k, ar from ind_anmalda_brott
        where serie_id = 'totalt_antal_anmalda_brott' and geo_niva = 'kommun' and left(geo_kod, 2) = $l
          and ar = (select max(ar) from ind_anmalda_brott where geo_kod = $k and ar <= $y and antal is not null)
    """,
        params,
    )
    chart = None
    map_year = rates[0]["ar"] if rates else None
    if features and rates:
        chart = maps.choropleth(
            "map-lan",
            f"Anmälda brott per 100 000 invånare i {kommun.lan.namn}s kommuner {map_year}",
            [(f["kommun_kod"], f["kommun_namn"], f["geometri"]) for f in features],
            {r["geo_kod"]: r["per_100k"] for r in rates},
            kommun.kod,
        )
    change = (100.0 * (now["folkmangd"] - before["folkmangd"]) / before["folkmangd"]) if now and before else None
    return KommunFacts(
        population=now["folkmangd"] if now else None,
        population_year=now["ar"] if now else None,
        population_before=before["folkmangd"] if before else None,
        population_before_year=before["ar"] if before else None,
        population_change_pct=change,
        deso_areas=deso,
        lan_population=lan[0]["folkmangd"] if lan else None,
        map=chart,
        map_year=map_year,
    )
