"""The light commands answer fast: they import none of the heavy libraries (checked without timing).

Importing polars, DuckDB, WeasyPrint, openpyxl, pyarrow and httpx takes seconds; --help, version, kommuner,
init and usage or config errors need none of them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import Demo

HEAVY = ("polars", "duckdb", "weasyprint", "openpyxl", "pyarrow", "httpx", "numpy", "jinja2")

# One fresh interpreter runs the commands in turn and records what each left imported: the first command
# that imports a heavy library is named.
PROBE = """
import json, sys
from lagesbild_cli.cli import app
heavy = set(json.loads(sys.argv[1]))
seen = {}
for args in json.loads(sys.argv[2]):
    try:
        app(args, prog_name="lagesbild")
    except SystemExit as exc:
        code = exc.code
    else:
        code = 0
    loaded = sorted({name.split(".")[0] for name in sys.modules} & heavy)
    seen[" ".join(args)] = {"code": code, "heavy": loaded}
print("PROBE" + json.dumps(seen))
"""


def test_light_commands_import_no_heavy_library(tmp_path: Path) -> None:
    bad_config = tmp_path / "bad.toml"
    bad_config.write_text("[kommun]\nkod = 'nej'\n", encoding="utf-8")
    commands = [
        ["--help"],
        ["version"],
        ["kommuner", "--lan", "20"],
        ["build", "--help"],
        ["init", "--kommun", "Mora", "--dir", str(tmp_path / "ny")],
        ["build", "--year", "abc"],  # a usage error
        ["build", "--config", str(tmp_path / "missing.toml")],  # a config error
        ["build", "--config", str(bad_config)],
        ["fetch", "--config", str(bad_config)],
        ["demo", "--dir", str(bad_config)],  # a file, not a folder
        ["check-sources", "--config", str(bad_config)],
    ]
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(HEAVY), json.dumps(commands)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.rsplit("PROBE", 1)[1])
    assert {name: result["heavy"] for name, result in seen.items() if result["heavy"]} == {}
    expected_codes = [0, 0, 0, 0, 0, 2, 1, 1, 1, 1, 1]
    assert [result["code"] for result in seen.values()] == expected_codes
    assert (tmp_path / "ny" / "lagesbild.toml").is_file()


def test_a_build_imports_no_download_library(built: Demo, tmp_path: Path) -> None:
    """A report's build reads DuckDB and renders: it pays for neither httpx (downloads) nor openpyxl (reading
    Brå's workbooks), which together cost about a second at every start."""
    project = tmp_path / "demo"
    shutil.copytree(built.folder, project)
    code = (
        "import sys; from pathlib import Path; from lagesbild_cli import pipeline; "
        "from lagesbild_cli.settings.config import load_config; "
        "pipeline.build(load_config(Path(sys.argv[1])), None); "
        "print('LOADED', sorted({n.split('.')[0] for n in sys.modules} & {'httpx', 'openpyxl', 'selenium'}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(project / "lagesbild.toml")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.rsplit("LOADED", 1)[1].strip() == "[]"


def test_help_imports_only_the_command_line_itself(tmp_path: Path) -> None:
    """--help answers within about twice Typer's own start-up: it imports lagesbild's command definitions,
    errors, defaults and interrupt handling, and nothing that reads a config, the kommun list or package metadata."""
    code = (
        "import sys; from lagesbild_cli.cli import app\n"
        "try:\n    app(['--help'], prog_name='lagesbild')\nexcept SystemExit:\n    pass\n"
        "print('LOADED', sorted(n for n in sys.modules if n.startswith('lagesbild_cli') or n == 'importlib.metadata'))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout.rsplit("LOADED", 1)[1].strip().replace("'", '"'))
    assert loaded == [
        "lagesbild_cli",
        "lagesbild_cli.cli",
        "lagesbild_cli.cli.app",
        "lagesbild_cli.cli.data",
        "lagesbild_cli.cli.project",
        "lagesbild_cli.cli.reports",
        "lagesbild_cli.errors",
        "lagesbild_cli.i18n",  # gettext: the help in the user's language
        "lagesbild_cli.interrupts",  # signal and threading only: the CLI installs its handlers before anything
        "lagesbild_cli.settings",  # a docstring only
        "lagesbild_cli.settings.defaults",
    ]
