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
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from conftest import BRA_LONG_CSV, SAMPLES
from lagesbild_cli.kommuner import all_kommuner, find_kommun, lan_by_code

SCB = SAMPLES / "scb"
KOLADA = SAMPLES / "kolada"
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
        server.expect_request("/v3/kpi/N07540,N07403").respond_with_handler(self.kpi)
        server.expect_request("/v3/municipality_groups").respond_with_handler(self.groups)
        server.expect_request(__import__("re").compile(r"^/v3/data/.*")).respond_with_handler(self.data)

    def kpi(self, request: Request) -> Response:
        meta = json.loads((KOLADA / "kolada_v3_kpi_metadata_crime_ntu_DERIVED.json").read_text(encoding="utf-8"))
        wanted = request.path.rsplit("/", 1)[-1].split(",")
        return Response(json.dumps({"values": [v for v in meta["values"] if v["id"] in wanted], "count": 2}))

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
