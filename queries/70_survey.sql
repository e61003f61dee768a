-- title: Egen trygghetsundersökning: andel per indikator, år och grupp, med 95 % Wilsonintervall och röjandeskydd
-- unit: andel (0–1) av dem som svarat ja eller nej; n = antal sådana svarande; n_eff = Kishs effektiva n
-- sources: kommunens medborgarundersökning (raw_survey_svar), kodad enligt [survey] i lagesbild.toml
-- grain: kommun_kod × indikator × år × dimension (kommun, omrade, kon, alder) × grupp
--
-- andel är viktad när enkäten har vikter (andel_vagd), annars oviktad; intervallet räknas på n_eff.
-- status: 'visas', 'för få svar' (n under min_share: n visas, inte andelen), 'färre än 5' (n under
-- min_cell: inget visas), 'färre än 5 svar ja eller nej' (1–4 svarade ja eller 1–4 nej: n visas, inte
-- andelen; gäller alla frågor) eller 'dold för att skydda en annan cell' (komplementär undertryckning, så
-- att ingen dold cell eller andel kan räknas fram ur totalen; för viktade andelar per kön och ålder behövs
-- den bara för n).
with cells as (
    select kommun_kod, indikator, ar, 'kommun' as dimension, 'Hela kommunen' as grupp, varde, vikt
    from raw_survey_svar
    union all
    select kommun_kod, indikator, ar, 'omrade', omrade, varde, vikt from raw_survey_svar where omrade is not null
    union all
    select kommun_kod, indikator, ar, 'kon', kon, varde, vikt from raw_survey_svar where kon is not null
    union all
    select kommun_kod, indikator, ar, 'alder', alder, varde, vikt from raw_survey_svar where alder is not null
),
sums as (
    select
        kommun_kod, indikator, ar, dimension, grupp,
        count(*) as n,
        sum(varde)::bigint as ja,
        sum(vikt) as sw,
        sum(vikt * vikt) as sw2,
        sum(vikt * varde) as swy
    from cells
    group by all
),
shares as (
    select
        s.*,
        ja::double / n as andel_ovagd,
        swy / sw as andel_vagd,
        sw * sw / sw2 as n_eff,
        case when i.viktad then swy / sw else ja::double / n end as p,
        case when i.viktad then sw * sw / sw2 else n end as m
    from sums s cross join survey_installningar i
),
intervals as (
    select
        *,
        (p + 1.959963984540054 ^ 2 / (2 * m)) / (1 + 1.959963984540054 ^ 2 / m) as centre,
        1.959963984540054 * sqrt(p * (1 - p) / m + 1.959963984540054 ^ 2 / (4 * m * m))
            / (1 + 1.959963984540054 ^ 2 / m) as half
    from shares
),
totals as (
    select kommun_kod, indikator, ar, n as total from sums where dimension = 'kommun'
),
grouped as (
    select
        s.kommun_kod, s.indikator, s.ar, s.dimension,
        list(s.grupp order by s.grupp) as grupper,
        list(s.n order by s.grupp) as ns,
        list(s.ja order by s.grupp) as jas,
        t.total - sum(s.n) as remainder
    from sums s join totals t using (kommun_kod, indikator, ar)
    where s.dimension <> 'kommun'
    group by s.kommun_kod, s.indikator, s.ar, s.dimension, t.total
),
flags as (
    select
        g.kommun_kod, g.indikator, g.ar, g.dimension,
        unnest(g.grupper) as grupp,
        unnest(suppress_cells(g.ns, g.remainder::bigint, i.min_cell::integer, i.min_share::integer,
                              g.dimension = 'omrade' or not i.viktad, g.jas)) as status
    from grouped g cross join survey_installningar i
)
select
    v.kommun_kod, v.indikator, v.ar, v.dimension, v.grupp, v.n, v.ja, v.andel_ovagd, v.andel_vagd, v.n_eff,
    v.p as andel,
    greatest(0.0, v.centre - v.half) as ki_undre,
    least(1.0, v.centre + v.half) as ki_ovre,
    coalesce(f.status, case
        when v.n < i.min_cell then 'färre än ' || i.min_cell
        when v.n < i.min_share then 'för få svar'
        when few_answers(v.n, v.ja, i.min_cell::integer) then 'färre än ' || i.min_cell || ' svar ja eller nej'
        else 'visas' end) as status
from intervals v
cross join survey_installningar i
left join flags f using (kommun_kod, indikator, ar, dimension, grupp)
