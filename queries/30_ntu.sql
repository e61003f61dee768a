-- title: Nationella trygghetsundersökningen (NTU): andel med 95 % konfidensintervall
-- unit: procent av befolkningen 16–84 år (se kolumnen matt); svarande = antal svarande i NTU
-- sources: Brå, Indikatorer för kommuners lägesbild, NTU-flikarna (raw_bra_ntu, raw_bra_ntu_svarande)
-- grain: indikator × geografi (kommun, län, riket) × år
--
-- jamfort_med_riket: 'högre'/'lägre' bara när hela konfidensintervallet ligger över/under rikets
-- andel samma år; annars 'ingen säker skillnad'. NTU:s kommunvärden vilar på få svarande.
select
    n.indikator_id,
    n.indikator,
    n.matt,
    n.geo_kod,
    n.geo_namn,
    n.geo_niva,
    n.ar,
    n.andel,
    n.ki_undre,
    n.ki_ovre,
    s.svarande,
    r.andel as andel_riket,
    case
        when n.geo_niva = 'riket' or n.andel is null or r.andel is null then null
        when n.ki_undre > r.andel then 'högre'
        when n.ki_ovre < r.andel then 'lägre'
        else 'ingen säker skillnad'
    end as jamfort_med_riket
from raw_bra_ntu n
left join raw_bra_ntu_svarande s on s.geo_kod = n.geo_kod and s.ar = n.ar
left join raw_bra_ntu r on r.indikator_id = n.indikator_id and r.ar = n.ar and r.geo_niva = 'riket'
