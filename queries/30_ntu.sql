-- title: Nationella trygghetsundersökningen (NTU): andel med 95 % konfidensintervall
-- unit: procent av befolkningen 16–84 år (se kolumnen matt); svarande = antal svarande i NTU
-- sources: Brå, Indikatorer för kommuners lägesbild, NTU-flikarna (raw_bra_ntu, raw_bra_ntu_svarande)
-- grain: indikator × geografi (kommun, län, riket) × år
--
-- jamfort_med_riket / jamfort_med_lan: 'högre'/'lägre' bara när hela konfidensintervallet ligger
-- över/under rikets (länets) andel samma år; annars 'ingen säker skillnad'.
-- trend: jämför med tre år tidigare med ett z-test av skillnaden (tvåsidigt, 5 % nivå): varje års
-- standardfel är halva bredden av Brås 95 % konfidensintervall delad med 1,96, och
-- z = (andel − andel tre år före) / √(se² + se_före²). 'ökande'/'minskande' när |z| ≥ 1,96, annars
-- 'ingen säkerställd förändring'; 'kan inte bedömas' utan värde och intervall båda åren.
-- NTU:s kommunvärden vilar på få svarande.
with tested as (
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
        end as jamfort_med_riket,
        case
            when n.geo_niva <> 'kommun' or n.andel is null or l.andel is null then null
            when n.ki_undre > l.andel then 'högre'
            when n.ki_ovre < l.andel then 'lägre'
            else 'ingen säker skillnad'
        end as jamfort_med_lan,
        f.andel as andel_3ar_fore,
        interval_change_z(n.andel, n.ki_undre, n.ki_ovre, f.andel, f.ki_undre, f.ki_ovre) as trend_z
    from raw_bra_ntu n
    left join raw_bra_ntu_svarande s on s.geo_kod = n.geo_kod and s.ar = n.ar
    left join raw_bra_ntu r on r.indikator_id = n.indikator_id and r.ar = n.ar and r.geo_niva = 'riket'
    left join raw_bra_ntu l on l.indikator_id = n.indikator_id and l.ar = n.ar and l.geo_niva = 'lan'
        and l.geo_kod = left(n.geo_kod, 2)
    left join raw_bra_ntu f on f.indikator_id = n.indikator_id and f.geo_kod = n.geo_kod and f.ar = n.ar - 3
)
select
    *,
    case
        when trend_z is null then 'kan inte bedömas'
        when trend_z >= 1.959963984540054 then 'ökande'
        when trend_z <= -1.959963984540054 then 'minskande'
        else 'ingen säkerställd förändring'
    end as trend
from tested
