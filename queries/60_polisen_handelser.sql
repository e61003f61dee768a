-- title: Publicerade händelser från Polisen per kategori och månad (inte brottsstatistik)
-- unit: antal publicerade händelsenotiser; ingen takt per invånare räknas, med avsikt
-- sources: Polisen, https://polisen.se/api/events (raw_polisen_handelser), kategorier i polisen_kategorier
-- grain: kommun × månad × kategori
--
-- Polisen publicerar ett urval av händelser; sammanfattningar ("Sammanfattning natt" m.fl.) räknas inte.
-- kategori: gruppen i polisen_kategorier.csv (typen jämförs utan mellanslag i kanterna och oavsett versaler);
-- en typ som inte står där räknas som Övrigt. Metodavsnittet skriver ut samma tabell.
select
    e.kommun_kod,
    e.lan_kod,
    e.manad,
    coalesce(k.kategori, 'Övrigt') as kategori,
    count(*) as antal
from raw_polisen_handelser e
left join polisen_kategorier k on lower(k.typ) = lower(trim(e.typ))
where e.kommun_kod is not null and coalesce(k.kategori, 'Övrigt') <> 'sammanfattning'
group by all
