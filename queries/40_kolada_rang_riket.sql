-- title: Kommunens rang bland Sveriges kommuner, Kolada-nyckeltal
-- unit: rang (1 = lägst värde) av antal_rankade kommuner med värde samma år; nyckeltalets egen enhet för varde
-- sources: Kolada v3 (raw_kolada_varden, raw_kolada_kpi); producent enligt nyckeltalets beskrivning (Brå och SCB, MCF)
-- grain: nyckeltal × kommun × år
--
-- Lika värden delar plats: rang_i_riket är den lägsta delade platsen och antal_lika hur många kommuner
-- som delar den ("delad plats 3–5 av 290"). Bara kommuner med ett värde rankas, och en plats i riket ges
-- bara när minst hälften av Sveriges kommuner har ett värde det året (annars är den ingen plats "i riket":
-- "1 av 1" när bara kommunen själv har hämtats); antal_rankade och antal_kommuner visar andelen.
with ranked as (
    select
        v.kpi,
        k.titel,
        v.geo_kod as kommun_kod,
        v.ar,
        v.varde,
        rank() over (partition by v.kpi, v.ar order by v.varde asc) as rang,
        count(*) over (partition by v.kpi, v.ar, v.varde) as lika,
        count(*) over (partition by v.kpi, v.ar) as antal_rankade,
        (select count(*) from kommuner) as antal_kommuner
    from raw_kolada_varden v
    left join raw_kolada_kpi k on k.kpi = v.kpi
    where v.geo_niva = 'kommun'
)
select
    kpi,
    titel,
    kommun_kod,
    ar,
    varde,
    case when 2 * antal_rankade >= antal_kommuner then rang end as rang_i_riket,
    case when 2 * antal_rankade >= antal_kommuner then lika end as antal_lika,
    antal_rankade,
    antal_kommuner
from ranked
