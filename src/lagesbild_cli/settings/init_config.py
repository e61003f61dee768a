"""``lagesbild init``: a commented lagesbild.toml for one kommun, to start a new project.

The file is made from the package's template (``data/lagesbild.toml.template``): every section is
explained in comments; the survey, the plan and the narrative folder are commented-out examples that
use the kommun's own name, so no other kommun's areas or texts end up in a new project.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from string import Template

from lagesbild_cli.errors import ConfigError
from lagesbild_cli.settings.defaults import DEFAULT_CONFIG
from lagesbild_cli.settings.kommuner import Kommun, resolve_kommun
from lagesbild_cli.storage.raw import atomic_write_bytes

TEMPLATE = "lagesbild.toml.template"


@dataclass(frozen=True)
class CreatedConfig:
    path: Path
    kommun: Kommun


def render(kommun: Kommun) -> str:
    """The config text for ``kommun``."""
    text = resources.files("lagesbild_cli").joinpath("data", TEMPLATE).read_text(encoding="utf-8")
    return Template(text).substitute(
        kod=kommun.kod, namn=kommun.namn, lan=kommun.lan_kod, lan_namn=kommun.lan.namn, fullnamn=kommun.fullnamn
    )


def create(kommun: str, folder: Path, *, force: bool = False) -> CreatedConfig:
    """Write ``folder/lagesbild.toml`` for ``kommun`` (a code or a name); an existing file only with ``force``."""
    found = resolve_kommun(kommun, where="--kommun")
    path = folder / DEFAULT_CONFIG.name
    if path.exists() and not force:
        raise ConfigError(
            f"{path} already exists; lagesbild init does not overwrite it.",
            hint="Edit that file, choose another folder with --dir, or add --force to replace it.",
        )
    atomic_write_bytes(path, render(found).encode("utf-8"))
    return CreatedConfig(path=path, kommun=found)
