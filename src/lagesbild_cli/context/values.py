"""Every headline number of a report under a stable id ("bra:bostadsinbrott", "ntu:…",
"survey:otrygg_kvall@Djurås", "kolada:N07540", "mcf:brand_byggnad:medel5",
"raddning:avsiktliga_brander@Djurås"): the baselines of the åtgärdsplan, the exports, and the comparison
with a previous lägesbild all use these ids."""

from __future__ import annotations

from dataclasses import dataclass

from lagesbild_cli.context import formatting
from lagesbild_cli.context.ntu import share_decimals
from lagesbild_cli.context.survey import shown_survey_year
from lagesbild_cli.database.store import Store
from lagesbild_cli.settings.kommuner import Kommun


@dataclass(frozen=True)
class IndicatorValue:
    id: str
    name: str
    year: int
    value: float | None  # None when suppressed or missing
    unit: str
    source: str
    note: str = ""  # e.g. "för få svar", or the count behind a rate
    decimals: int = 0  # as the report's own section prints the value (issue 28: one precision everywhere)

    @property
    def shown(self) -> str:
        """The value as the report prints it wherever it appears (plan table, measures), with its unit; the
        note (e.g. "för få svar") when it has no value."""
        if self.value is None:
            return self.note or formatting.MISSING
        if self.unit == "procent":
            return formatting.percent(self.value, self.decimals)
        return f"{formatting.number(self.value, self.decimals)} {formatting.unit(self.unit)}"


def indicator_values(store: Store, kommun: Kommun, year: int) -> tuple[IndicatorValue, ...]:
    params = {"k": kommun.kod, "y": year}
    values: list[IndicatorValue] = []
    for r in store.rows(
        "select serie_id, serie, ar, antal, per_100k from ind_anmalda_brott where geo_kod = $k and ar = "
        "(select max(ar) from ind_anmalda_brott where geo_kod = $k and ar <= $y and antal is not null) "
        "order by serie_id",
        params,
    ):
        values.append(
            IndicatorValue(
                f"bra:{r['serie_id']}",
                r["serie"],
                r["ar"],
                r["per_100k"],
                "anmälda brott per 100 000 invånare",
                "Brå, anmälda brott",
                f"{r['antal']} anmälda brott" if r["antal"] is not None else "",
            )
        )
        values.append(
            IndicatorValue(
                f"bra:{r['serie_id']}:antal",
                f"{r['serie']}, antal",
                r["ar"],
                r["antal"],
                "anmälda brott",
                "Brå, anmälda brott",
            )
        )
    ntu_year = store.rows(
        "select max(ar) as ar from ind_ntu where geo_kod = $k and ar <= $y and andel is not null", params
    )[0]["ar"]
    for r in store.rows(
        "select indikator_id, indikator, ar, andel, ki_undre, ki_ovre, andel_3ar_fore from ind_ntu "
        "where geo_kod = $k and ar = $n order by indikator_id",
        {**params, "n": ntu_year},
    ):
        decimals = share_decimals(r["andel"], r["ki_undre"], r["ki_ovre"], r["andel_3ar_fore"])
        values.append(
            IndicatorValue(
                f"ntu:{r['indikator_id']}",
                r["indikator"],
                r["ar"],
                r["andel"],
                "procent",
                "Brå, NTU",
                ""
                if r["ki_undre"] is None or r["ki_ovre"] is None
                else f"95 % KI {formatting.interval(r['ki_undre'], r['ki_ovre'], 1)}",  # exports: one decimal more
                decimals,
            )
        )
    # the round the survey section shows (a survey newer than Brå's data too: issue 28)
    survey_year = shown_survey_year(store, kommun, year)
    labels = {r["indikator"]: r["etikett"] for r in store.rows("select indikator, etikett from survey_indikatorer")}
    for r in store.rows(
        "select indikator, ar, dimension, grupp, andel, status from ind_survey "
        "where kommun_kod = $k and ar = $s and dimension in ('kommun', 'omrade') order by indikator, dimension, grupp",
        {**params, "s": survey_year},
    ):
        key = f"survey:{r['indikator']}" + (f"@{r['grupp']}" if r["dimension"] == "omrade" else "")
        name = labels.get(r["indikator"], r["indikator"]) + (f", {r['grupp']}" if r["dimension"] == "omrade" else "")
        shown = r["status"] == "visas"
        values.append(
            IndicatorValue(
                key,
                name,
                r["ar"],
                100 * r["andel"] if shown else None,
                "procent",
                "kommunens trygghetsundersökning",
                "" if shown else r["status"],
            )
        )
    for r in store.rows(
        """
        select v.kpi, coalesce(m.titel, v.kpi) as titel, v.ar, v.varde, d.decimals from raw_kolada_varden v
        left join raw_kolada_kpi m using (kpi)
        left join (  -- as the comparison table prints the KPI (context/kolada.py)
            select kpi, max(case when varde = round(varde) then 0 when varde * 10 = round(varde * 10) then 1
                                 else 2 end)::integer as decimals
            from raw_kolada_varden group by kpi
        ) d using (kpi)
        where v.geo_kod = $k and v.ar = (select max(ar) from raw_kolada_varden where geo_kod = $k and ar <= $y)
        order by v.kpi
    """,
        params,
    ):
        values.append(
            IndicatorValue(
                f"kolada:{r['kpi']}",
                r["titel"],
                r["ar"],
                r["varde"],
                "enligt nyckeltalet",
                "Kolada",
                decimals=r["decimals"] or 0,
            )
        )
    values += _rescue_values(store, kommun, year)
    return tuple(values)


MCF_NAMES = {
    "olyckor": "Räddningstjänstens insatser vid olyckor",
    "brand_byggnad": "Brand i byggnad",
    "brand_ej_byggnad": "Brand i annat än byggnad",
    "trafikolycka": "Trafikolyckor med räddningsinsats",
    "automatlarm": "Automatlarm utan brandtillbud",
}


def _rescue_values(store: Store, kommun: Kommun, year: int) -> list[IndicatorValue]:
    """MCF's incidents per 1 000 inhabitants (the year and its five-year mean) and deliberate fires
    from the rescue service's own reports, each from the newest year up to the report's."""
    params = {"k": kommun.kod, "y": year}
    values = []
    for r in store.rows(
        "select kategori, ar, antal, per_1000, medel5_per_1000, medel5_ki_undre, medel5_ki_ovre "
        "from ind_raddning_insatser where geo_kod = $k and ar = (select max(ar) from ind_raddning_insatser "
        "where geo_kod = $k and ar <= $y and antal is not null) order by kategori",
        params,
    ):
        name = MCF_NAMES.get(r["kategori"])
        if name is None:
            continue
        values.append(
            IndicatorValue(
                f"mcf:{r['kategori']}",
                f"{name}, per 1 000 invånare",
                r["ar"],
                r["per_1000"],
                "per 1 000 invånare",
                "MCF (tidigare MSB), tabell B11",
                f"{r['antal']} händelser" if r["antal"] is not None else "",
                decimals=2,
            )
        )
        values.append(
            IndicatorValue(
                f"mcf:{r['kategori']}:medel5",
                f"{name}, femårsmedel per 1 000 invånare",
                r["ar"],
                r["medel5_per_1000"],
                "per 1 000 invånare",
                "MCF (tidigare MSB), tabell B11",
                "" if r["medel5_per_1000"] is None else f"{r['ar'] - 4}–{r['ar']}",
                decimals=2,
            )
        )
    for r in store.rows(
        "select omrade, ordning, ar, avsiktliga from ind_raddning_avsiktliga where kommun_kod = $k and agare_kod = $k "
        "and ar = (select max(ar) from ind_raddning_avsiktliga where kommun_kod = $k and agare_kod = $k and ar <= $y) "
        "order by ordning",
        params,
    ):
        whole = r["ordning"] == -1
        values.append(
            IndicatorValue(
                "raddning:avsiktliga_brander" + ("" if whole else f"@{r['omrade']}"),
                "Avsiktliga bränder" + ("" if whole else f", {r['omrade']}"),
                r["ar"],
                r["avsiktliga"],
                "händelser",
                "räddningstjänstens händelserapporter",
            )
        )
    return values
