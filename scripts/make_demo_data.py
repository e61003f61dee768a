"""Record the SCB, Kolada and MCF answers that `lagesbild demo` ships, in exactly the shape the real fetchers
store them in data/raw.

No complete recorded answer from these APIs exists, so the answers come from the loopback fakes the tests use
(tests/builders.py: real SCB population and Brå rates where they exist, SYNTHETIC values elsewhere — see
src/lagesbild_cli/data/demo/raw/PROVENANCE.md). The REAL fetchers (pipeline.fetch) ask those fakes with the
demo's lagesbild.toml, and what they store is copied, gzipped, into src/lagesbild_cli/data/demo/raw/. Run it again
after a fetcher changes what it stores:

    uv run python scripts/make_demo_data.py
"""

from __future__ import annotations

import gzip
import shutil
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

from pytest_httpserver import HTTPServer  # noqa: E402

from builders import FakeKolada, FakeMcf, deso_fixture, population_fixture  # noqa: E402
from lagesbild_cli import demo, pipeline  # noqa: E402
from lagesbild_cli.settings.config import KoladaSettings, McfSettings, ServiceSettings, load_config  # noqa: E402

SOURCES = ("scb", "kolada", "mcf")


def main() -> None:
    server = HTTPServer()
    server.start()
    try:
        server.expect_request("/api/v2/tables/TAB638/data").respond_with_data(population_fixture())
        server.expect_request("/api/v2/tables/TAB6574/data").respond_with_data(deso_fixture("2026"))
        FakeKolada(server)
        FakeMcf(server)
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            shutil.copy(demo.DATA / "lagesbild.toml", folder / "lagesbild.toml")
            config = load_config(folder / "lagesbild.toml")
            config = replace(
                config,
                scb=ServiceSettings(url=server.url_for("/api/v2")),
                kolada=KoladaSettings(
                    url=server.url_for("/v3"),
                    kpis=config.kolada.kpis,
                    first_year=config.kolada.first_year,
                    fire_kpis=config.kolada.fire_kpis,
                ),
                mcf=McfSettings(url=server.url_for("/PxWeb/api/v1/sv/PxData"), table=config.mcf.table, years=10),
            )
            report = pipeline.fetch(config, list(SOURCES), sleep=lambda seconds: None)
            if report.failed:
                raise SystemExit(f"recording failed: {[r.failures for r in report.failed]}")
            target = demo.DATA / "raw"
            for source in SOURCES:
                shutil.rmtree(target / source, ignore_errors=True)
                (target / source).mkdir(parents=True)
                for path in sorted((config.raw_dir / source).iterdir()):
                    packed = target / source / f"{path.name}.gz"
                    packed.write_bytes(gzip.compress(path.read_bytes(), mtime=0))  # same bytes on every run
                    print(f"{packed.relative_to(ROOT)}  {packed.stat().st_size:>9} bytes")
    finally:
        server.clear()
        server.stop()


if __name__ == "__main__":
    main()
