-- title: Enkätens områden och deras befolkning (SCB, DeSO)
-- unit: antal invånare 31 december, summerat över områdets DeSO; tomt när en DeSO delas med ett annat område
-- sources: [survey.areas] i lagesbild.toml (survey_omrade_deso), SCB TAB6574 (raw_scb_folkmangd_deso)
-- grain: kommun_kod × område × år
with shared as (
    select kommun_kod, deso_kod, count(distinct omrade) as omraden from survey_omrade_deso
    where deso_kod is not null group by all
),
areas as (
    select
        a.kommun_kod,
        a.omrade,
        min(a.ordning) as ordning,
        string_agg(a.deso_kod, ', ' order by a.deso_kod) as deso,
        bool_or(coalesce(s.omraden, 1) > 1) as delar_deso
    from survey_omrade_deso a left join shared s using (kommun_kod, deso_kod)
    group by a.kommun_kod, a.omrade
)
select
    a.kommun_kod, a.omrade, a.ordning, a.deso, a.delar_deso, p.ar,
    case when a.delar_deso then null else sum(p.folkmangd) end as folkmangd
from areas a
left join survey_omrade_deso d on d.kommun_kod = a.kommun_kod and d.omrade = a.omrade
left join raw_scb_folkmangd_deso p on p.deso_kod = d.deso_kod
group by a.kommun_kod, a.omrade, a.ordning, a.deso, a.delar_deso, p.ar
