-- title: Egen trygghetsundersökning: förändring sedan föregående enkätomgång
-- unit: 'ökat', 'minskat' eller 'ingen säkerställd förändring'; z = teststorheten
-- sources: ind_survey (kommunens medborgarundersökning), survey_installningar
-- grain: indikator × dimension × grupp × år (jämfört med närmast föregående år med enkät)
--
-- Test av skillnaden mellan två andelar (z-test, tvåsidigt, 5 % nivå): varje andels varians är
-- p(1 − p)/n, där n är Kishs effektiva antal svarande när enkäten är viktad, och
-- z = (andel − andel_fore) / √(var + var_fore). 'ökat'/'minskat' när |z| ≥ 1,96, annars 'ingen
-- säkerställd förändring' (skillnaden kan vara slump; det betyder inte att andelen är oförändrad).
-- Ingen bedömning när någon av andelarna inte får visas.
with rounds as (
    select
        s.*,
        case when i.viktad then s.n_eff else s.n end as m,
        lag(s.ar) over w as ar_fore,
        lag(s.andel) over w as andel_fore,
        lag(case when i.viktad then s.n_eff else s.n end) over w as m_fore,
        lag(s.status) over w as status_fore
    from ind_survey s cross join survey_installningar i
    window w as (partition by s.indikator, s.dimension, s.grupp order by s.ar)
),
tested as (
    select
        *,
        case when ar_fore is not null and status = 'visas' and status_fore = 'visas'
            then proportion_change_z(andel, m, andel_fore, m_fore) end as z
    from rounds
)
select
    indikator, dimension, grupp, ar, ar_fore, andel, andel_fore, z,
    case
        when z is null then null
        when z >= 1.959963984540054 then 'ökat'
        when z <= -1.959963984540054 then 'minskat'
        else 'ingen säkerställd förändring'
    end as forandring
from tested
