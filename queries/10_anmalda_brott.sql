-- title: Anmälda brott per serie, geografi och år, med förändring och osäkerhet
-- unit: antal anmälda brott; anmälda brott per 100 000 invånare
-- sources: Brå, Indikatorer för kommuners lägesbild (raw_bra_anmalda)
-- grain: serie × geografi (kommun, län, riket) × år
--
-- antal_ki_*: 95 % konfidensintervall för antalet (Poisson; exakt under 100, Byar däröver),
-- bara för kommuner. litet_antal: färre än 10 brott ett år i kommunen, förändringar är då osäkra.
-- forandring_*: mot föregående år och mot medelvärdet av de tre åren före (kräver alla tre åren).
-- Ingen förändring räknas över ett definitionsbrott (tabellen definitionsbrott): åren före brottet räknas
-- inte som föregående år.
select
    serie_id,
    serie,
    geo_kod,
    geo_namn,
    geo_niva,
    ar,
    antal,
    per_100k,
    case when geo_niva = 'kommun' then poisson_lower(antal) end as antal_ki_undre,
    case when geo_niva = 'kommun' then poisson_upper(antal) end as antal_ki_ovre,
    geo_niva = 'kommun' and antal < 10 as litet_antal,
    per_100k_foregaende_ar,
    per_100k - per_100k_foregaende_ar as forandring_per_100k,
    100.0 * (per_100k - per_100k_foregaende_ar) / nullif(per_100k_foregaende_ar, 0) as forandring_procent,
    antal - antal_foregaende_ar as forandring_antal,
    case when n_ar_fore = 3 then medel_3ar_fore end as per_100k_medel_3ar_fore,
    case when n_ar_fore = 3
        then 100.0 * (per_100k - medel_3ar_fore) / nullif(medel_3ar_fore, 0) end as forandring_mot_3ar_procent
from (
    select
        *,
        max(per_100k) over (w range between 1 preceding and 1 preceding) as per_100k_foregaende_ar,
        max(antal) over (w range between 1 preceding and 1 preceding) as antal_foregaende_ar,
        avg(per_100k) over (w range between 3 preceding and 1 preceding) as medel_3ar_fore,
        count(per_100k) over (w range between 3 preceding and 1 preceding) as n_ar_fore
    from (
        select
            a.*,
            (select count(*) from definitionsbrott d where d.indikator = 'bra:' || a.serie_id and d.ar <= a.ar)
                as definition
        from raw_bra_anmalda a
    )
    window w as (partition by serie_id, geo_kod, definition order by ar)
)
