-- title: Kommunens rang bland Sveriges kommuner, Kolada-nyckeltal (Brå och SCB)
-- unit: rang (1 = lägst värde) av antal_rankade kommuner med värde samma år
-- sources: Kolada v3 (raw_kolada_varden, raw_kolada_kpi); ursprung Brå och SCB
-- grain: nyckeltal × kommun × år
--
-- Lika värden delar plats: rang_i_riket är den lägsta delade platsen och antal_lika hur många kommuner
-- som delar den ("delad plats 3–5 av 290"). Bara kommuner med ett värde rankas.
select
    v.kpi,
    k.titel,
    v.geo_kod as kommun_kod,
    v.ar,
    v.varde,
    rank() over (partition by v.kpi, v.ar order by v.varde asc) as rang_i_riket,
    count(*) over (partition by v.kpi, v.ar, v.varde) as antal_lika,
    count(*) over (partition by v.kpi, v.ar) as antal_rankade
from raw_kolada_varden v
left join raw_kolada_kpi k on k.kpi = v.kpi
where v.geo_niva = 'kommun'
