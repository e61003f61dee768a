"""``lagesbild init``: a commented lagesbild.toml for one kommun, to start a new project.

The file is made from the package's template (``data/lagesbild.toml.template``): every section is
explained in comments; the survey, the plan and the narrative folder are commented-out examples that
use the kommun's own name, so no other kommun's areas or texts end up in a new project.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from string import Template

from lagesbild_cli.errors import ConfigError
from lagesbild_cli.i18n import _
from lagesbild_cli.settings.defaults import DEFAULT_CONFIG
from lagesbild_cli.settings.kommuner import Kommun, Lan, kommuner_in_lan, resolve_kommun, resolve_lan
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
    return CreatedConfig(path=_write_new(folder, render(found), force=force), kommun=found)


def _write_new(folder: Path, text: str, *, force: bool) -> Path:
    """``folder/lagesbild.toml`` written with ``text``; an existing file is replaced only with ``force``."""
    path = folder / DEFAULT_CONFIG.name
    if path.exists() and not force:
        raise ConfigError(
            _("{path} already exists; lagesbild init does not overwrite it.").format(path=path),
            hint=_("Edit that file, choose another folder with --dir, or add --force to replace it."),
        )
    atomic_write_bytes(path, text.encode("utf-8"))
    return path


_OWN_INPUTS = (  # the template's blocks about a kommun's own inputs: a län project has none
    ("# ── Samordningsfunktionens egna texter", "[paths]"),
    ("# ── Kommunens egen medborgarundersökning", None),
)


def render_lan(lan: Lan) -> str:
    """The config text of a län project: every kommun of ``lan`` is built with ``build --lan``; no own inputs
    (survey, rescue-service export, problems, measures, texts), so each report holds what open data there is."""
    first = kommuner_in_lan(lan.kod)[0]
    text = render(first)
    for start, end in _OWN_INPUTS:
        head, _, rest = text.partition(start)
        text = head + (rest[rest.index(end) :] if end else "")
    header, _, rest = text.partition("[kommun]")
    rest = rest.split("\n\n", 1)[1]  # the kommun block, replaced below
    kommun_block = (  # the config file is Swedish, as the template
        f"# Ett länsprojekt för {lan.namn} (skrivet av `lagesbild init --lan {lan.kod}`): bygg varje kommuns rapport\n"
        f"# och länsöversikten med `lagesbild build --lan {lan.kod}`. Kommunen nedan ger bara projektet ett namn\n"
        "# (fetch hämtar Brå och MCF för hela länet); det finns inga egna underlag, så varje rapport innehåller de\n"
        "# öppna data som finns.\n"
        "[kommun]\n"
        f'kod = "{first.kod}"\n'
        f'lan = "{lan.kod}"            # {lan.namn}\n'
    )
    text = f"# lagesbild.toml – ett länsprojekt för kommunerna i {lan.namn}, skrivet av `lagesbild init --lan`.\n"
    text += header.split("\n", 1)[1] + kommun_block + "\n" + rest
    text = re.sub(r'(?m)^compiled_by = "[^"]*" +', f'compiled_by = "Länsstyrelsen, {lan.namn}"   ', text)
    return re.sub(r'(?m)^decision_body = "[^"]*" +', 'decision_body = "Respektive kommunstyrelse"   ', text)


@dataclass(frozen=True)
class CreatedLanConfig:
    path: Path
    lan: Lan
    kommuner: tuple[Kommun, ...]


def create_lan(lan: str, folder: Path, *, force: bool = False) -> CreatedLanConfig:
    """Write ``folder/lagesbild.toml`` for a län project (``lan``: a code or a name)."""
    found = resolve_lan(lan, where="--lan")
    path = _write_new(folder, render_lan(found), force=force)
    return CreatedLanConfig(path=path, lan=found, kommuner=tuple(kommuner_in_lan(found.kod)))
