-- title: Jämförelse med liknande kommuner (Koladas grupp "Liknande kommuner, övergripande")
-- unit: kommunens värde och gruppens ovägda medelvärde, lägsta och högsta värde; samma enhet som nyckeltalet
-- sources: Kolada v3 (raw_kolada_grupper, raw_kolada_varden)
-- grain: kommun × nyckeltal × år
--
-- Gruppens medelvärde är ovägt (varje kommun väger lika) och räknas på de medlemmar som har värde.
select
    g.kommun_kod,
    g.grupp_id,
    g.titel as grupp,
    v.kpi,
    v.ar,
    own.varde as kommunens_varde,
    avg(v.varde) as grupp_medel,
    min(v.varde) as grupp_min,
    max(v.varde) as grupp_max,
    count(v.varde) as medlemmar_med_varde,
    (select count(*) from raw_kolada_grupper g2 where g2.grupp_id = g.grupp_id) as medlemmar
from raw_kolada_grupper g
join raw_kolada_varden v on v.geo_kod = g.medlem_kod
left join raw_kolada_varden own on own.geo_kod = g.kommun_kod and own.kpi = v.kpi and own.ar = v.ar
group by g.kommun_kod, g.grupp_id, g.titel, v.kpi, v.ar, own.varde
