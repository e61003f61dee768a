"""The README documents every command and the config keys the code reads."""

from __future__ import annotations

import re

from conftest import REPO
from lagesbild_cli.cli import app

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_every_command_is_in_the_readme() -> None:
    names = [c.name or c.callback.__name__ for c in app.registered_commands if c.callback]  # type: ignore[union-attr]
    for name in [*names, "import bra", "import polisen"]:
        assert f"lagesbild {name}" in README, name


def test_every_config_key_in_the_shipped_config_is_documented() -> None:
    config = (REPO / "lagesbild.toml").read_text(encoding="utf-8")
    keys = re.findall(r"^([a-z_]+)\s*=", config, flags=re.M)
    for key in keys:
        assert f"`{key}`" in README, key


def test_the_readme_test_command_is_what_ci_runs() -> None:
    command = re.search(r"# tests\n(.+)\n", README)
    assert command is not None
    assert command.group(1).strip() in (REPO / ".ci" / "run").read_text(encoding="utf-8")
