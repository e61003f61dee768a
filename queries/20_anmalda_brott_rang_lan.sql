-- title: Kommunens rang i länet, anmälda brott per 100 000 invånare
-- unit: rang (1 = lägst antal per 100 000 invånare i länet) av antal_rankade kommuner
-- sources: Brå, Indikatorer för kommuners lägesbild (raw_bra_anmalda), en arbetsbok per kommun i länet
-- grain: serie × kommun × år
--
-- Bara kommuner vars arbetsbok är inläst rankas; antal_kommuner_i_lanet säger hur många länet har,
-- så att rapporten kan säga när rangordningen inte omfattar hela länet. Lika värden (Brås avrundade
-- antal per 100 000) delar plats: rang är den lägsta delade platsen och antal_lika hur många kommuner
-- som delar den, så att platsen kan skrivas som "delad plats 1–12 av 15". En kommun med färre än 10 anmälda
-- brott i serien det året får ingen plats (för få för att bedöma); den räknas ändå med när de andra rangordnas.
select
    a.serie_id,
    a.geo_kod as kommun_kod,
    a.ar,
    a.per_100k,
    case when a.per_100k is not null and a.antal >= 10 then
        rank() over (partition by a.serie_id, a.ar, k.lan_kod order by a.per_100k asc nulls last)
    end as rang_i_lanet,
    case when a.per_100k is not null and a.antal >= 10 then
        count(*) over (partition by a.serie_id, a.ar, k.lan_kod, a.per_100k)
    end as antal_lika,
    count(a.per_100k) over (partition by a.serie_id, a.ar, k.lan_kod) as antal_rankade,
    (select count(*) from kommuner k2 where k2.lan_kod = k.lan_kod) as antal_kommuner_i_lanet
from raw_bra_anmalda a
join kommuner k on k.kommun_kod = a.geo_kod
where a.geo_niva = 'kommun'
