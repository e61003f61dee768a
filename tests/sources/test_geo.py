"""Kommun boundaries: the okfse GeoJSON served from a loopback server."""

from __future__ import annotations

from dataclasses import replace

import pytest
from pytest_httpserver import HTTPServer

from conftest import GEOJSON, no_sleep
from lagesbild_cli import pipeline
from lagesbild_cli.database.store import open_store
from lagesbild_cli.errors import ParseError
from lagesbild_cli.settings.config import Config, ServiceSettings
from lagesbild_cli.sources import geo


def test_fetch_stores_all_290_kommuner(httpserver: HTTPServer, config: Config) -> None:
    httpserver.expect_request("/kommuner.geojson").respond_with_data(
        GEOJSON.read_bytes(), content_type="application/geo+json"
    )
    cfg = replace(config, geo=ServiceSettings(url=httpserver.url_for("/kommuner.geojson")))
    report = pipeline.fetch(cfg, ["geo"], sleep=no_sleep)
    assert not report.failed and report.results[0].detail == "290 kommuner"
    assert (cfg.raw_dir / geo.KOMMUNER).read_bytes() == GEOJSON.read_bytes()
    with open_store(cfg.db_path) as store:
        assert store.rows("select count(*) as n from raw_geo_kommuner where lan_kod = '20'") == [{"n": 15}]
        row = store.rows("select kommun_namn, geometri from raw_geo_kommuner where kommun_kod = '2026'")[0]
    assert row["kommun_namn"] == "Gagnef" and row["geometri"].startswith('{"type":"Polygon"')


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"type": "Feature"}', "not a GeoJSON FeatureCollection"),
        (
            b'{"type": "FeatureCollection", "features": [{"properties": {"id": "9999"}, "geometry": null}]}',
            "feature 1: expected a kommun code",
        ),
    ],
)
def test_bad_geojson_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        geo.parse(data, "kommuner.geojson")
