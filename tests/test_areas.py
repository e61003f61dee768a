"""``lagesbild areas``: the kommun's DeSO areas with their population, as lines to paste into deso = [...]."""

from __future__ import annotations

import gzip
import tomllib

from typer.testing import CliRunner

from conftest import DEMO
from lagesbild_cli.cli import app
from lagesbild_cli.settings.config import Config


def test_areas_lists_the_deso_codes_with_their_population_to_paste(config: Config) -> None:
    stored = config.raw_dir / "scb" / "folkmangd_deso_2026_TAB6574.json"
    stored.parent.mkdir(parents=True)
    stored.write_bytes(gzip.decompress((DEMO / "raw" / "scb" / "folkmangd_deso_2026_TAB6574.json.gz").read_bytes()))
    result = CliRunner().invoke(app, ["areas", "--config", str(config.path)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "# The DeSO areas of Gagnef (2026) and their population in 2024 (SCB, table TAB6574):" in out
    assert "# 6 areas, 10 384 inhabitants." in out
    assert '  "2026A0010",  # 1 703 inhabitants\n' in out and '  "2026C1020",  # 1 525 inhabitants\n' in out
    assert "RegSO) are not available" in out  # said plainly, not left for the user to wonder
    pasted = tomllib.loads(out)  # the lines are TOML: the list goes under [survey.areas."NAME"] as it is
    assert pasted["deso"] == ["2026A0010", "2026A0020", "2026B2010", "2026B3010", "2026C1010", "2026C1020"]


def test_areas_of_a_kommun_with_no_deso_data_says_how_to_get_it(config: Config) -> None:
    result = CliRunner().invoke(app, ["areas", "--kommun", "Mora", "--config", str(config.path)])
    assert result.exit_code == 1
    assert "SCB's population per DeSO area of Mora (2062) is not in data/raw/scb/" in result.output
    assert f"lagesbild fetch --source scb --config {config.path} --kommun 2062" in result.output
