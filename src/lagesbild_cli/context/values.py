"""Every headline number of a report under a stable id ("bra:bostadsinbrott", "ntu:…",
"survey:otrygg_kvall@Djurås", "kolada:N07540"): the baselines of the åtgärdsplan, the exports, and
the comparison with a previous lägesbild all use these ids."""

from __future__ import annotations

from dataclasses import dataclass

from lagesbild_cli.kommuner import Kommun
from lagesbild_cli.store import Store


@dataclass(frozen=True)
class IndicatorValue:
    id: str
    name: str
    year: int
    value: float | None  # None when suppressed or missing
    unit: str
    source: str
    note: str = ""  # e.g. "för få svar", or the count behind a rate


def indicator_values(store: Store, kommun: Kommun, year: int) -> tuple[IndicatorValue, ...]:
    params = {"k": kommun.kod, "y": year}
    values: list[IndicatorValue] = []
    for r in store.rows(
        "select serie_id, serie, ar, antal, per_100k from ind_anmalda_brott "
        "where geo_kod = $k and ar = $y order by serie_id",
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
        "select indikator_id, indikator, ar, andel, ki_undre, ki_ovre from ind_ntu "
        "where geo_kod = $k and ar = $n order by indikator_id",
        {**params, "n": ntu_year},
    ):
        values.append(
            IndicatorValue(
                f"ntu:{r['indikator_id']}",
                r["indikator"],
                r["ar"],
                r["andel"],
                "procent",
                "Brå, NTU",
                f"95 % KI {r['ki_undre']}–{r['ki_ovre']}",
            )
        )
    survey_year = store.rows("select max(ar) as ar from ind_survey where ar <= $y", params)[0]["ar"]
    labels = {r["indikator"]: r["etikett"] for r in store.rows("select indikator, etikett from survey_indikatorer")}
    for r in store.rows(
        "select indikator, ar, dimension, grupp, andel, status from ind_survey "
        "where ar = $s and dimension in ('kommun', 'omrade') order by indikator, dimension, grupp",
        {"s": survey_year},
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
        select v.kpi, coalesce(m.titel, v.kpi) as titel, v.ar, v.varde from raw_kolada_varden v
        left join raw_kolada_kpi m using (kpi)
        where v.geo_kod = $k and v.ar = (select max(ar) from raw_kolada_varden where geo_kod = $k and ar <= $y)
        order by v.kpi
    """,
        params,
    ):
        values.append(
            IndicatorValue(f"kolada:{r['kpi']}", r["titel"], r["ar"], r["varde"], "enligt nyckeltalet", "Kolada")
        )
    return tuple(values)
