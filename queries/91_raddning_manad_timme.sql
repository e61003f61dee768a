-- title: Räddningstjänstens insatser i kommunen per månad och per timme och år
-- unit: antal inträffade och befarade händelser
-- sources: MCF (tidigare MSB), statistikdatabasen tabell B11 (raw_mcf_manad, raw_mcf_timme)
-- grain: kommun × kategori (brand, olyckor, automatlarm) × indelning (månad 1–12 eller timme 0–23) × år
--
-- brand = typ 1 och 3; olyckor = alla typer utom 14 och 15; automatlarm = typ 14. Timmen är B11:s
-- timvariabel (händelsens starttid). Rapporten för år Y summerar de fem senaste åren t.o.m. Y, aldrig
-- ett senare år. saknade: värden som MCF inte redovisar (”..”); de räknas aldrig som noll.
with perioder as (
    select kommun_kod, 'manad' as indelning, manad as varde, typ, ar, antal from raw_mcf_manad
    union all
    select kommun_kod, 'timme', timme, typ, ar, antal from raw_mcf_timme
),
kategorier as (
    select p.*, unnest(
        case when p.typ in ('1', '3') then ['brand', 'olyckor']
             when p.typ = '14' then ['automatlarm']
             when p.typ = '15' then []::varchar[]
             else ['olyckor'] end) as kategori
    from perioder p
)
select kommun_kod, indelning, varde, kategori, ar,
    case when count(*) filter (where antal is null) = 0 then sum(antal)::bigint end as antal,
    count(*) filter (where antal is null) as saknade
from kategorier
where varde is not null
group by all
