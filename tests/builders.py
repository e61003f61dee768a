"""Answers in the shape of SCB's and Kolada's APIs, BUILT from the real sample figures.

SCB's real json-stat2 samples hold one cell (riket) or other tables, and no complete raw Kolada
answer exists, so these builders make answers in the documented shapes (json-stat2; Kolada v3
``{"values", "count", "next_url"}``) from real figures: SCB's 2024 population of the 290 kommuner and
Dalarna's DeSO; Brå's reported-crime rates for Dalarna. The län and riket totals of the population
answer are sums of the kommuner (SCB would send its own), and Kolada values for the 275 kommuner
outside Dalarna are SYNTHETIC (a fixed formula), only to test ranking.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from dataclasses import replace
from itertools import product
from pathlib import Path
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from conftest import BRA_LONG_CSV, SAMPLES, no_sleep
from lagesbild_cli import pipeline
from lagesbild_cli.settings.config import Config, KoladaSettings, ServiceSettings
from lagesbild_cli.settings.kommuner import all_kommuner, find_kommun, lan_by_code

SCB = SAMPLES / "scb"
KOLADA = SAMPLES / "kolada"
MCF_KOLADA_META = SAMPLES / "mcf" / "kolada_v3_kpi_metadata_raddning_brand_DERIVED.json"
KPIS = ("N07540", "N07403")


def jsonstat2(dimensions: list[tuple[str, list[str], dict[str, str]]], values: list[Any]) -> bytes:
    """A json-stat2 dataset in SCB's shape (id, size, dimension.category.index/label, flat value)."""
    return json.dumps(
        {
            "version": "2.0",
            "class": "dataset",
            "label": "built fixture",
            "source": "SCB",
            "id": [d[0] for d in dimensions],
            "size": [len(d[1]) for d in dimensions],
            "dimension": {
                name: {
                    "label": name,
                    "category": {
                        "index": {c: i for i, c in enumerate(codes)},
                        "label": {c: labels.get(c, c) for c in codes},
                    },
                }
                for name, codes, labels in dimensions
            },
            "value": values,
        },
        ensure_ascii=False,
    ).encode("utf-8")


def population_fixture() -> bytes:
    with (SCB / "folkmangd_kommuner_2024_crimecity3k.csv").open(encoding="utf-8") as handle:
        kommuner = {r["kommun_kod"]: (r["kommun_namn"], int(r["population"])) for r in csv.DictReader(handle)}
    lan_sum: dict[str, int] = defaultdict(int)
    for code, (_, n) in kommuner.items():
        lan_sum[code[:2]] += n
    regions = ["00", *sorted(lan_sum), *sorted(kommuner)]
    labels = {"00": "Riket", **{c: lan_by_code()[c].namn for c in lan_sum}, **{c: v[0] for c, v in kommuner.items()}}
    values = [
        sum(lan_sum.values()),
        *(lan_sum[c] for c in sorted(lan_sum)),
        *(kommuner[c][1] for c in sorted(kommuner)),
    ]
    return jsonstat2(
        [("Region", regions, labels), ("ContentsCode", ["BE0101N1"], {"BE0101N1": "Folkmängd"}), ("Tid", ["2024"], {})],
        values,
    )


def deso_fixture(kommun: str) -> bytes:
    with (SCB / "folkmangd_deso_dalarna_2022-2024.csv").open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["Kommunkod"] == kommun]
    codes = sorted({f"{r['desokod']}_DeSO2025" for r in rows})
    years = sorted({r["år"] for r in rows})
    value = {(f"{r['desokod']}_DeSO2025", r["år"]): int(r["bef"]) for r in rows}
    return jsonstat2(
        [
            ("Region", codes, {}),
            ("Alder", ["totalt"], {}),
            ("Kon", ["1+2"], {}),
            ("ContentsCode", ["000007Y7"], {}),
            ("Tid", years, {}),
        ],
        [value.get((c, y)) for c in codes for y in years],
    )


def fixture_values() -> dict[tuple[str, str, int], float]:
    """(kpi, Kolada id, year) → value."""
    values: dict[tuple[str, str, int], float] = {}
    with BRA_LONG_CSV.open(encoding="utf-8") as handle:
        for r in csv.DictReader(handle):
            if r["variabel"] == "Totalt antal anmälda brott" and r["enhet"] == "Antal per 100 000 inv":
                geo = {"Dalarnas län": "0020", "Hela landet": "0000"}.get(r["geografi"])
                kommun = find_kommun(r["geografi"])
                values[("N07540", geo or kommun.kod, int(r["ar"]))] = float(r["varde"])  # type: ignore[union-attr]
    for k in all_kommuner():
        for year in range(2017, 2025):
            values.setdefault(("N07540", k.kod, year), 3000.0 + (int(k.kod) * 37 + year) % 9000)
            values[("N07403", k.kod, year)] = 400.0 + (int(k.kod) * 13 + year) % 900
    # building fires per 1 000 inhabitants (SYNTHETIC): the old definition up to 2023, the new from 2024
    for geo, level in (("2026", 0.55), ("0020", 0.45), ("0000", 0.40)):
        for year in range(2017, 2024):
            values[("U07415", geo, year)] = round(level + (year % 3) * 0.05, 2)
        values[("N07415", geo, 2024)] = round(level / 3, 2)
    return values


VALUES = fixture_values()


def kolada_item(kpi: str, geo: str, year: int, value: float) -> dict[str, Any]:
    return {
        "values": [
            {"gender": "K", "count": 1, "status": "", "value": value * 1.1, "isdeleted": False},
            {"gender": "T", "count": 1, "status": "", "value": value, "isdeleted": False},
            {"gender": "M", "count": 1, "status": "", "value": value * 0.9, "isdeleted": False},
        ],
        "kpi": kpi,
        "period": year,
        "municipality": geo,
    }


class FakeKolada:
    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.segments: list[int] = []
        server.expect_request(__import__("re").compile(r"^/v3/kpi/.*")).respond_with_handler(self.kpi)
        server.expect_request("/v3/municipality_groups").respond_with_handler(self.groups)
        server.expect_request(__import__("re").compile(r"^/v3/data/.*")).respond_with_handler(self.data)

    def kpi(self, request: Request) -> Response:
        meta = [
            v
            for path in (
                KOLADA / "kolada_v3_kpi_metadata_crime_ntu_DERIVED.json",
                KOLADA / "kolada_v3_kpi_metadata_factors_SHAPE.json",  # shape only: no recorded answer exists
                MCF_KOLADA_META,
            )
            for v in json.loads(path.read_text(encoding="utf-8"))["values"]
        ]
        wanted = request.path.rsplit("/", 1)[-1].split(",")
        found = [v for v in meta if v["id"] in wanted]
        return Response(json.dumps({"values": found, "count": len(found)}))

    def groups(self, request: Request) -> Response:
        groups = json.loads((KOLADA / "kolada_v3_municipality_groups_gagnef_DERIVED.json").read_text(encoding="utf-8"))
        found = [g for g in groups["values"] if request.args["title"] in g["title"]]  # only Gagnef's are recorded
        return Response(json.dumps({"values": found, "count": len(found)}))

    def data(self, request: Request) -> Response:
        parts = request.path.strip("/").split("/")  # v3 data kpi K municipality M year Y
        kpis, ids, years = parts[3].split(","), parts[5].split(","), [int(y) for y in parts[7].split(",")]
        self.segments.extend(len(p.split(",")) for p in (parts[3], parts[5], parts[7]))
        if max(len(kpis), len(ids), len(years)) > 25:
            return Response('{"error": "too many ids"}', status=422)
        items = [
            kolada_item(k, m, y, VALUES[(k, m, y)]) for k in kpis for m in ids for y in years if (k, m, y) in VALUES
        ]
        page = int(request.args.get("page", "1"))
        half = len(items) // 2
        if page == 1:  # split every answer over two pages, as Kolada does past per_page
            next_url = self.server.url_for(request.path) + "?page=2"
            return Response(json.dumps({"values": items[:half], "count": half, "next_url": next_url}))
        return Response(
            json.dumps({"values": items[half:], "count": len(items) - half, "next_url": None, "previous_url": "x"})
        )


# ── MCF's PxWeb v1 API (table B11) ─────────────────────────────────────────────────────────────
# No recorded answer from statistik.mcf.se exists anywhere, so FakeMcf answers in PxWeb v1's documented
# shape (the shape of the real SCB v1 answer in tests/data/scb/pxweb_v1_BefolkningNy_0180_2021_json.json)
# with SYNTHETIC counts from a fixed formula; only Uppsala 2024's totals per type are the figures
# reported for the real table (mcf-and-measures.md §1.3). Keys follow the table's variable order, as
# PxWeb v1 does, whatever the order of the query.

MCF_TYPES = {
    "1": "Brand eller brandtillbud i byggnad",
    "2": "Trafikolycka",
    "3": "Brand eller brandtillbud i annat än byggnad",
    "4": "Utsläpp av farligt ämne",
    "5": "Drunkning/-tillbud",
    "6": "Nödställd person i andra fall",
    "7": "Nödställt djur",
    "8": "Stormskada",
    "9": "Ras eller skred",
    "11": "Översvämning av vattendrag",
    "12": "Annan vattenskada",
    "13": "Annan olycka eller tillbud",
    "14": "Automatlarm utan brandtillbud",
    "15": "Annan händelse utan risk för skada",
}
UPPSALA_2024 = {"1": 171, "3": 176, "2": 182, "4": 42, "5": 5, "6": 31, "7": 4, "8": 8, "9": 0, "11": 0,
                "12": 15, "13": 10, "14": 465, "15": 122}  # fmt: skip
MCF_YEARS = [str(y) for y in range(2014, 2026)]


def mcf_count(kommun: str, year: str, typ: str) -> int | None:
    """The synthetic yearly count; None where the fake answers '..' (Gagnef, 2016, type 12)."""
    if kommun == "0380" and year == "2024":
        return UPPSALA_2024[typ]
    if (kommun, year, typ) == ("2026", "2016", "12"):
        return None
    base = {"1": 12, "2": 14, "3": 10, "14": 35, "15": 9}.get(typ, 2)
    return base + (int(kommun) * 7 + int(year) * 3 + int(typ) * 11) % (base + 3)


def spread(total: int, parts: int) -> list[int]:
    """A total over months or hours so that the parts add up to it (month 1 and hour 0 get the rest)."""
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def mcf_variables(order: list[str]) -> list[dict[str, Any]]:
    kommuner = [k.kod for k in all_kommuner()]
    known = {
        "kommun": ("kommun", kommuner, [find_kommun(k).namn for k in kommuner], False),  # type: ignore[union-attr]
        "ar": ("år", MCF_YEARS, MCF_YEARS, False),
        "konvHandelsetypId": ("övergripande händelsetyp", list(MCF_TYPES), list(MCF_TYPES.values()), False),
        "verksBostadstypId": ("verksamhet/bostadstyp", ["1", "2"], ["Flerbostadshus", "Skola"], True),
        "plats": ("plats", ["1", "2"], ["Inomhus", "Utomhus"], True),
        "manadNummer": ("månad", [str(m) for m in range(1, 13)], [str(m) for m in range(1, 13)], True),
        "veckodag": ("veckodag", [str(d) for d in range(1, 8)], [str(d) for d in range(1, 8)], True),
        "timme": ("timme", [str(h) for h in range(24)], [f"{h:02d}" for h in range(24)], True),
        "ContentsCode": ("tabellinnehåll", ["B1101"], ["Antal händelser"], True),
    }
    return [
        {"code": code, "text": known[code][0], "values": known[code][1], "valueTexts": known[code][2],
         "elimination": known[code][3], **({"time": True} if code == "ar" else {})}
        for code in order
    ]  # fmt: skip


MCF_ORDER = ["kommun", "verksBostadstypId", "plats", "konvHandelsetypId", "manadNummer", "veckodag", "timme", "ar",
             "ContentsCode"]  # fmt: skip


_MCF_ANSWERS: dict[tuple[tuple[str, ...], bytes], str] = {}


class FakeMcf:
    """GET on the table gives its metadata; POST answers a query in PxWeb v1's "json" shape."""

    def __init__(
        self, server: HTTPServer, order: list[str] | None = None, path: str = "/PxWeb/api/v1/sv/PxData/B/B1/B11"
    ) -> None:
        self.order = order or MCF_ORDER
        self.queries: list[dict[str, Any]] = []
        server.expect_request(path, method="GET").respond_with_json(
            {"title": "B11", "variables": mcf_variables(self.order)}
        )
        server.expect_request(path, method="POST").respond_with_handler(self.data)

    def data(self, request: Request) -> Response:
        query = json.loads(request.data)
        self.queries.append(query)
        key = (tuple(self.order), request.data)
        if key not in _MCF_ANSWERS:  # the same query in the same order: the same answer, made once a process
            _MCF_ANSWERS[key] = self.answer(query)
        return Response(_MCF_ANSWERS[key], content_type="application/json")

    def answer(self, query: dict[str, Any]) -> str:
        chosen: dict[str, list[str]] = {}
        variables = {v["code"]: v for v in mcf_variables(self.order)}
        for item in query["query"]:
            values = item["selection"]["values"]
            chosen[item["code"]] = variables[item["code"]]["values"] if values == ["*"] else values
        keys = [c for c in self.order if c in chosen and c != "ContentsCode"]
        rows = []
        for combo in product(*(chosen[c] for c in keys)):
            cell = dict(zip(keys, combo, strict=True))
            total = mcf_count(cell["kommun"], cell["ar"], cell["konvHandelsetypId"])
            if total is not None and "manadNummer" in cell:
                total = spread(total, 12)[int(cell["manadNummer"]) - 1]
            if total is not None and "timme" in cell:
                total = spread(total, 24)[int(cell["timme"])]
            rows.append({"key": list(combo), "values": [".." if total is None else str(total)]})
        columns = [{"code": c, "text": variables[c]["text"], "type": "t" if c == "ar" else "d"} for c in keys] + [
            {"code": "B1101", "text": "Antal händelser", "type": "c"}
        ]
        meta = {"infofile": "B11", "updated": "2026-03-10T00:00:00Z", "label": "B11", "source": "MCF"}
        answer = {"columns": columns, "comments": [], "data": rows, "metadata": [meta]}
        return json.dumps(answer, ensure_ascii=False)


def varied_bra_workbook(name: str = "Vansbro") -> bytes:
    """Brå's real workbook of ``name``, changed the ways Brå's workbooks change between years: an
    information sheet first and a definitions sheet, the NTU sheets before the crime sheets, a year
    column (crime) and a year row (NTU) with only '..', counts as text with spaces and non-breaking
    spaces, a header with a non-breaking space, and footnote rows under the tables. Same figures."""
    import io

    import openpyxl

    from conftest import BRA_XLSX

    book = openpyxl.load_workbook(BRA_XLSX / f"{name}.xlsx")
    crime = [ws for ws in book.worksheets if "(anmälda)" in ws.title]
    ntu = [ws for ws in book.worksheets if ws not in crime]
    for i, ws in enumerate(crime):
        last = ws.max_column
        ws.cell(2, last + 1, "Antal 2025")
        ws.cell(2, last + 2, "Antal per 100 000 inv 2025")
        ws.cell(2, last).value = str(ws.cell(2, last).value).replace("100 000", "100\u00a0000")
        for row in range(3, ws.max_row + 1):
            ws.cell(row, last + 1, "..")
            ws.cell(row, last + 2, "..")
            for col in range(2, last + 1):
                value = ws.cell(row, col).value
                if isinstance(value, int):
                    text = f"{value:,}".replace(",", "\u00a0" if (row + col + i) % 2 else " ")
                    ws.cell(row, col).value = text
        rows = ws.max_row
        ws.cell(rows + 1, 1, "Källa: Brå, anmälda brott. Antal per 100 000 invånare räknas på folkmängden.")
        ws.cell(rows + 2, 1, "* Uppgifterna för 2025 publiceras i mars 2026.")
    for ws in ntu:
        rows = ws.max_row
        ws.cell(rows + 1, 1, "2026")
        for col in range(2, ws.max_column + 1):
            ws.cell(rows + 1, col, "..")
        ws.cell(rows + 2, 1, "Not: KI = konfidensintervall på 95 procents nivå.")
    info = book.create_sheet("Om statistiken", 0)
    info["A1"] = "Om statistiken"
    info["A3"] = "Indikatorer för kommuners lägesbild, Brå. Statistiken avser anmälda brott och NTU."
    info["A4"] = "Antal 2017–2024 avser brott anmälda under året."
    definitions = book.create_sheet("Definitioner")
    definitions.append(("Begrepp", "Definition"))
    definitions.append(("År", "Det år brottet anmäldes eller intervjun gjordes"))
    definitions.append(("Antal per 100 000 inv", "Antal anmälda brott per 100 000 av kommunens invånare"))
    definitions.append(("KI (95 %)", "Konfidensintervall"))
    for index, ws in enumerate([info, *ntu, definitions, *crime]):
        book.move_sheet(ws, index - book.index(ws))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def fetch_services(config: Config) -> Config:
    """Fetch SCB and Kolada from a loopback server; returns the config pointing at it."""
    server = HTTPServer()
    server.start()
    try:
        FakeKolada(server)
        server.expect_request("/api/v2/tables/TAB638/data").respond_with_data(population_fixture())
        server.expect_request("/api/v2/tables/TAB6574/data").respond_with_data(deso_fixture(config.kommun.kod))
        config = replace(
            config,
            kolada=KoladaSettings(url=server.url_for("/v3"), kpis=KPIS, first_year=2017),
            scb=ServiceSettings(url=server.url_for("/api/v2")),
        )
        report = pipeline.fetch(config, ["scb", "kolada"], sleep=no_sleep)
        assert not report.failed, [r.failures for r in report.failed]
    finally:
        server.clear()
        server.stop()
    return config


HOSTILE_MARKDOWN = """Vi ser **fler** bränder.

<script>alert('x')</script>
<img src="file:///etc/passwd">
![karta](http://127.0.0.1:9/spy.png)
<iframe src="http://127.0.0.1:9/"></iframe>
Se [metadata](http://169.254.169.254/latest/meta-data/) och &#x202e;baklänges&#x202c; &#x2067;isolerat&#x2069;.
"""


def write_hostile_narratives(folder: Path) -> Path:
    """``folder`` made, with the three narratives a final report needs, each the hostile Markdown above."""
    folder.mkdir()
    for name in ("annan-information.md", "analys.md", "atgarder.md"):
        (folder / name).write_text(HOSTILE_MARKDOWN, encoding="utf-8")
    return folder
