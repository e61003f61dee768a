-- title: Bränder och avsiktliga bränder per kommun, område, år och slag av brand, ur räddningstjänstens händelserapporter
-- unit: antal händelser (en händelse räknas en gång även om flera objekt brann)
-- sources: Räddningstjänstens egna händelserapporter, lokal export (raw_raddning_handelser); områden ur [survey.areas]
-- grain: agare_kod (kommunen som läst in exporten) × kommun × område (hela kommunen eller DeSO-område) × år
--
-- Exporten hör till kommunen som läste in den (agare_kod) och visas bara i dess rapport.
-- avsiktlig: orsaken "Avsiktlig händelse" enligt räddningsledarens bedömning på plats. Ett område är de
-- DeSO som [survey.areas] anger; områden som delar DeSO visas tillsammans. Varje område med DeSO finns med
-- varje år som exporten omfattar, också med noll bränder.
-- Slag av brand ur händelsetypen: fordon ("… i fordon …"), byggnad ("… i byggnad"), annan (allt annat).
-- litet_antal: färre än 5 bränder i cellen (slumpen styr).
with omraden as (
    select kommun_kod, deso_kod, string_agg(omrade, ', ' order by ordning) as omrade, min(ordning) as ordning
    from survey_omrade_deso where deso_kod is not null group by kommun_kod, deso_kod
),
brander as (
    select h.agare_kod, h.kommun_kod, h.ar, h.avsiktlig, o.omrade, o.ordning,
        case when lower(h.handelse) like '%fordon%' then 'fordon'
             when lower(h.handelse) like '%i byggnad%' then 'byggnad'
             else 'annan' end as slag
    from raw_raddning_handelser h
    left join omraden o on o.deso_kod = h.deso and o.kommun_kod = h.kommun_kod and left(h.deso, 4) = h.kommun_kod
    where h.brand
),
celler as (
    select agare_kod, kommun_kod, 'Hela kommunen' as omrade, -1 as ordning, ar, slag, avsiktlig from brander
    union all
    select agare_kod, kommun_kod, coalesce(omrade, 'Utanför kommunens områden eller utan DeSO'), coalesce(ordning, 999),
        ar, slag, avsiktlig
    from brander
),
rutnat as (  -- every area of the kommun in every year of the export, zeros too
    select distinct c.agare_kod, c.kommun_kod, c.omrade, c.ordning, a.ar
    from celler c join (select distinct agare_kod, kommun_kod, ar from brander) a using (agare_kod, kommun_kod)
    union
    select distinct a.agare_kod, a.kommun_kod, o.omrade, o.ordning, a.ar
    from (select distinct agare_kod, kommun_kod, ar from brander) a join omraden o using (kommun_kod)
)
select r.agare_kod, r.kommun_kod, r.omrade, r.ordning, r.ar,
    count(c.ar) as brander,
    count(c.ar) filter (where c.avsiktlig) as avsiktliga,
    count(c.ar) filter (where c.slag = 'fordon') as brander_fordon,
    count(c.ar) filter (where c.slag = 'fordon' and c.avsiktlig) as avsiktliga_fordon,
    count(c.ar) filter (where c.slag = 'byggnad') as brander_byggnad,
    count(c.ar) filter (where c.slag = 'byggnad' and c.avsiktlig) as avsiktliga_byggnad,
    count(c.ar) filter (where c.slag = 'annan') as brander_annan,
    count(c.ar) filter (where c.slag = 'annan' and c.avsiktlig) as avsiktliga_annan,
    count(c.ar) < 5 as litet_antal
from rutnat r
left join celler c using (agare_kod, kommun_kod, omrade, ordning, ar)
group by all
