-- title: Räddningstjänstens insatser per händelsekategori, geografi och år, per 1 000 invånare
-- unit: antal inträffade och befarade händelser; per 1 000 invånare; femårsmedel per 1 000 invånare
-- sources: MCF (tidigare MSB), statistikdatabasen tabell B11 (raw_mcf_handelser); SCB folkmängd (raw_scb_folkmangd)
-- grain: kategori × geografi (kommun, län, riket) × år
--
-- Kategorier: brand_byggnad (typ 1), brand_ej_byggnad (3), trafikolycka (2), olyckor = alla typer utom
-- automatlarm (14) och annan händelse utan risk för skada (15), som redovisas för sig och aldrig som olyckor.
-- Län och riket är summan av kommunerna. Folkmängden är SCB:s för samma år (31 december): tabell TAB638, för
-- en kommun annars summan av dess DeSO samma år; bara när SCB inte har året alls i data används närmaste år
-- (folkmangd_ar säger vilket). medel5_per_1000: summan av de fem åren t.o.m. året genom summan av folkmängden
-- (kräver alla fem åren), med 95 % Poissonintervall; små kommuner ska läsas på femårsmedlet.
-- saknade: värden som MCF inte redovisar (”..”); en summa med ett sådant värde saknas också, aldrig noll.
with typer as (
    select distinct typ,
        case typ when '1' then 'brand_byggnad' when '3' then 'brand_ej_byggnad' when '2' then 'trafikolycka'
            when '14' then 'automatlarm' when '15' then 'utan_risk' else 'ovriga_olyckor' end as kategori
    from raw_mcf_handelser
),
kategoriserat as (
    select h.kommun_kod, h.ar, t.kategori, h.antal from raw_mcf_handelser h join typer t using (typ)
    union all
    select h.kommun_kod, h.ar, 'olyckor', h.antal from raw_mcf_handelser h where h.typ not in ('14', '15')
),
summor as (
    select c.kategori, 'kommun' as geo_niva, c.kommun_kod as geo_kod, c.ar, sum(c.antal)::bigint as summa,
        count(*) filter (where c.antal is null) as saknade
    from kategoriserat c group by all
    union all
    select c.kategori, 'lan', k.lan_kod, c.ar, sum(c.antal)::bigint, count(*) filter (where c.antal is null)
    from kategoriserat c join kommuner k using (kommun_kod) group by all
    union all
    select c.kategori, 'riket', '00', c.ar, sum(c.antal)::bigint, count(*) filter (where c.antal is null)
    from kategoriserat c group by all
),
geografier as (
    select * exclude (summa), case when saknade = 0 then summa end as antal from summor
),
folk as (
    select region_kod as geo_kod, ar, folkmangd from raw_scb_folkmangd
    union all
    select d.kommun_kod, d.ar, sum(d.folkmangd)::bigint from raw_scb_folkmangd_deso d
    where not exists (select 1 from raw_scb_folkmangd p where p.region_kod = d.kommun_kod and p.ar = d.ar)
    group by all
),
med_folk as (
    select g.*,
        (select arg_min(p.folkmangd, abs(p.ar - g.ar)) from folk p where p.geo_kod = g.geo_kod) as folkmangd,
        (select arg_min(p.ar, abs(p.ar - g.ar)) from folk p where p.geo_kod = g.geo_kod) as folkmangd_ar
    from geografier g
),
fonster as (
    select *,
        (sum(antal) over w)::bigint as antal_5ar,
        (sum(folkmangd) over w)::double as folk_5ar,
        count(antal) over w as n_ar
    from med_folk
    window w as (partition by kategori, geo_kod order by ar range between 4 preceding and current row)
)
select
    kategori, geo_niva, geo_kod, ar, antal, saknade, folkmangd, folkmangd_ar,
    1000.0 * antal::double / nullif(folkmangd, 0) as per_1000,
    case when n_ar = 5 then 1000.0 * antal_5ar::double / nullif(folk_5ar, 0) end as medel5_per_1000,
    case when n_ar = 5 then 1000.0 * poisson_lower(antal_5ar::integer) / nullif(folk_5ar, 0) end as medel5_ki_undre,
    case when n_ar = 5 then 1000.0 * poisson_upper(antal_5ar::integer) / nullif(folk_5ar, 0) end as medel5_ki_ovre,
    case when n_ar = 5 then antal_5ar end as antal_5ar
from fonster
