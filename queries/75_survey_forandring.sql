-- title: Egen trygghetsundersökning: förändring sedan föregående enkätomgång
-- unit: 'ökat', 'minskat' eller 'ingen säker förändring'
-- sources: ind_survey (kommunens medborgarundersökning)
-- grain: indikator × dimension × grupp × år (jämfört med närmast föregående år med enkät)
--
-- 'ökat'/'minskat' bara när konfidensintervallen inte överlappar (en försiktig regel); annars 'ingen
-- säker förändring'. Ingen bedömning när någon av andelarna inte får visas.
with rounds as (
    select
        *,
        lag(ar) over w as ar_fore,
        lag(andel) over w as andel_fore,
        lag(ki_undre) over w as ki_undre_fore,
        lag(ki_ovre) over w as ki_ovre_fore,
        lag(status) over w as status_fore
    from ind_survey
    window w as (partition by indikator, dimension, grupp order by ar)
)
select
    indikator, dimension, grupp, ar, ar_fore, andel, andel_fore,
    case
        when ar_fore is null or status <> 'visas' or status_fore <> 'visas' then null
        when ki_undre > ki_ovre_fore then 'ökat'
        when ki_ovre < ki_undre_fore then 'minskat'
        else 'ingen säker förändring'
    end as forandring
from rounds
