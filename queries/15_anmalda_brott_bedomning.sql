-- title: Bedömning av anmälda brott: nivå mot länet och riket, och trend (trafikljus)
-- unit: 'lägre' / 'i nivå med' / 'högre' och 'ökat' / 'ingen säkerställd förändring' / 'minskat', eller
--       'för få för att bedöma' (färre än 10 brott) / 'kan inte bedömas' (jämförelsevärde saknas)
-- sources: ind_anmalda_brott (Brå, Indikatorer för kommuners lägesbild)
-- grain: serie × kommun × år
--
-- Regler (samma för alla kommuner):
-- * Intervallet för kommunens antal per 100 000 är Poissonintervallet för antalet, omräknat med kommunens
--   befolkning (antal / antal per 100 000 i serien "Totalt antal anmälda brott").
-- * Nivå: 'lägre' när hela intervallet ligger under länets (rikets) värde, 'högre' när det ligger över,
--   annars 'i nivå med'.
-- * Trend: jämför årets antal per 100 000 med medelvärdet för de tre föregående åren; 'ökat' när hela
--   intervallet ligger över medelvärdet, 'minskat' när det ligger under, annars 'ingen säkerställd
--   förändring' (medelvärdet ligger inom intervallet: förändringen kan vara slump).
-- * 'för få för att bedöma' när kommunen har färre än 10 anmälda brott i serien det året (ingen nivå, trend,
--   förändring i procent eller plats visas då); 'kan inte bedömas' när jämförelsevärdet saknas eller när det
--   saknas tre föregående år för trenden.
with pop as (
    select geo_kod, ar, 100000.0 * antal / nullif(per_100k, 0) as befolkning
    from ind_anmalda_brott
    where serie_id = 'totalt_antal_anmalda_brott' and geo_niva = 'kommun'
),
k as (
    select
        a.*,
        100000.0 * a.antal_ki_undre / p.befolkning as per_100k_ki_undre,
        100000.0 * a.antal_ki_ovre / p.befolkning as per_100k_ki_ovre
    from ind_anmalda_brott a
    join pop p using (geo_kod, ar)
    where a.geo_niva = 'kommun'
)
select
    k.serie_id,
    k.serie,
    k.geo_kod as kommun_kod,
    k.ar,
    k.antal,
    k.per_100k,
    k.per_100k_ki_undre,
    k.per_100k_ki_ovre,
    l.per_100k as per_100k_lan,
    r.per_100k as per_100k_riket,
    case
        when k.antal < 10 then 'för få för att bedöma'
        when k.antal is null or l.per_100k is null then 'kan inte bedömas'
        when k.per_100k_ki_ovre < l.per_100k then 'lägre'
        when k.per_100k_ki_undre > l.per_100k then 'högre'
        else 'i nivå med'
    end as niva_mot_lan,
    case
        when k.antal < 10 then 'för få för att bedöma'
        when k.antal is null or r.per_100k is null then 'kan inte bedömas'
        when k.per_100k_ki_ovre < r.per_100k then 'lägre'
        when k.per_100k_ki_undre > r.per_100k then 'högre'
        else 'i nivå med'
    end as niva_mot_riket,
    case
        when k.antal < 10 then 'för få för att bedöma'
        when k.antal is null or k.per_100k_medel_3ar_fore is null then 'kan inte bedömas'
        when k.per_100k_ki_undre > k.per_100k_medel_3ar_fore then 'ökat'
        when k.per_100k_ki_ovre < k.per_100k_medel_3ar_fore then 'minskat'
        else 'ingen säkerställd förändring'
    end as trend
from k
left join ind_anmalda_brott l
    on l.serie_id = k.serie_id and l.ar = k.ar and l.geo_niva = 'lan' and l.geo_kod = left(k.geo_kod, 2)
left join ind_anmalda_brott r
    on r.serie_id = k.serie_id and r.ar = k.ar and r.geo_niva = 'riket'
