-- title: Bränder och avsiktliga bränder per kommun och område och år, ur räddningstjänstens händelserapporter
-- unit: antal händelser (en händelse räknas en gång även om flera objekt brann)
-- sources: Räddningstjänstens egna händelserapporter, lokal export (raw_raddning_handelser); områden ur [survey.areas]
-- grain: agare_kod (kommunen som läst in exporten) × kommun × område (hela kommunen eller DeSO-område) × år
--
-- Exporten hör till kommunen som läste in den (agare_kod) och visas bara i dess rapport.
-- avsiktlig: orsaken "Avsiktlig händelse" enligt räddningsledarens bedömning på plats. Ett område är de
-- DeSO som [survey.areas] anger; områden som delar DeSO visas tillsammans. litet_antal: färre än 5.
with omraden as (
    select kommun_kod, deso_kod, string_agg(omrade, ', ' order by ordning) as omrade, min(ordning) as ordning
    from survey_omrade_deso where deso_kod is not null group by kommun_kod, deso_kod
),
brander as (
    select h.*, o.omrade, o.ordning from raw_raddning_handelser h
    left join omraden o on o.deso_kod = h.deso and o.kommun_kod = h.kommun_kod and left(h.deso, 4) = h.kommun_kod
    where h.brand
)
select agare_kod, kommun_kod, 'Hela kommunen' as omrade, -1 as ordning, ar,
    count(*) as brander, count(*) filter (where avsiktlig) as avsiktliga,
    count(*) filter (where avsiktlig) < 5 as litet_antal
from brander group by all
union all
select agare_kod, kommun_kod, coalesce(omrade, 'Utanför kommunens områden eller utan DeSO'), coalesce(ordning, 999), ar,
    count(*), count(*) filter (where avsiktlig), count(*) filter (where avsiktlig) < 5
from brander group by all
