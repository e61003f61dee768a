-- title: Räddningstjänstens insatser i kommunen per månad och per timme, de fem senaste åren
-- unit: antal inträffade och befarade händelser summerat över de fem senaste åren i tabellen
-- sources: MCF (tidigare MSB), statistikdatabasen tabell B11 (raw_mcf_manad, raw_mcf_timme)
-- grain: kommun × kategori (brand, olyckor, automatlarm) × indelning (månad 1–12 eller timme 0–23)
--
-- brand = typ 1 och 3; olyckor = alla typer utom 14 och 15; automatlarm = typ 14. Timmen är B11:s
-- timvariabel (händelsens starttid).
with perioder as (
    select kommun_kod, 'manad' as indelning, manad as varde, typ, ar, antal from raw_mcf_manad
    union all
    select kommun_kod, 'timme', timme, typ, ar, antal from raw_mcf_timme
),
senaste as (
    select kommun_kod, indelning, max(ar) as sista from perioder group by all
),
kategorier as (
    select p.*, s.sista, unnest(
        case when p.typ in ('1', '3') then ['brand', 'olyckor']
             when p.typ = '14' then ['automatlarm']
             when p.typ = '15' then []::varchar[]
             else ['olyckor'] end) as kategori
    from perioder p join senaste s using (kommun_kod, indelning)
    where p.ar > s.sista - 5
)
select kommun_kod, indelning, varde, kategori, min(ar) as forsta_ar, max(sista) as sista_ar, sum(antal)::bigint as antal
from kategorier
where varde is not null
group by all
