"""The analysis' themes (``data/teman.toml``, or the kommun's own copy named by ``[analys] teman``) and the
coordinator's own order of priorities (``[analys] ordning``).

A theme maps the sources that speak to one problem area: Brå's series, NTU's indicators, the kommun's survey
questions, Polisen's event categories and the rescue service's deliberate fires, with a stated harm weight.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from lagesbild_cli.errors import ConfigError
from lagesbild_cli.i18n import _
from lagesbild_cli.settings.toml_table import TomlTable, parse_toml

SHIPPED = "teman.toml"
HARM_WEIGHTS = (1, 2, 3)
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class Theme:
    id: str
    name: str
    harm: int  # the stated harm weight, 1–3
    bra: tuple[str, ...] = ()
    ntu: tuple[str, ...] = ()
    survey: tuple[str, ...] = ()
    polisen: tuple[str, ...] = ()
    rescue: bool = False


@dataclass(frozen=True)
class AnalysisSettings:
    themes_file: Path | None = None  # None: the themes shipped with lagesbild
    order: tuple[str, ...] = ()  # the kommun's own order of priorities (theme ids), empty: the rules' order


NO_ANALYSIS_SETTINGS = AnalysisSettings()


def _ids(table: TomlTable, key: str, expected: str) -> tuple[str, ...]:
    values = table.get(key, list, expected, [])
    if not all(isinstance(v, str) and v.strip() for v in values):
        raise table.error(key, _("is {value}").format(value=repr(values)), expected)
    return tuple(v.strip() for v in values)


def parse_themes(text: str, path: Path) -> tuple[Theme, ...]:
    """The themes of one file; every error names the file and the key."""
    root = TomlTable(parse_toml(text, path, _("Fix the syntax of the themes file.")), "", path)
    items = root.get("tema", list, _("a list of [[tema]] tables"), [])
    root.reject_unknown()
    if not items:
        raise root.error("tema", _("is missing or empty"), _("at least one [[tema]] table"))
    themes: list[Theme] = []
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise root.error("tema", _("has item {n} = {value}").format(n=n, value=repr(item)), _("[[tema]] tables"))
        table = TomlTable(item, f"tema[{n}]", path)
        theme_id = table.get("id", str, _('a short id of lower-case letters, digits and hyphens, e.g. "narkotika"'))
        if not _ID.match(theme_id):
            raise table.error(
                "id",
                _("is {value}").format(value=repr(theme_id)),
                _('lower-case letters a–z, digits and hyphens, e.g. "inbrott-stold"'),
            )
        if theme_id in {t.id for t in themes}:
            raise table.error(
                "id",
                _("is {value}, which another theme already has").format(value=repr(theme_id)),
                _("a unique id"),
            )
        harm = table.get("skadevikt", int, _("a harm weight of 1, 2 or 3"))
        if harm not in HARM_WEIGHTS:
            raise table.error("skadevikt", _("is {value}").format(value=harm), _("a harm weight of 1, 2 or 3"))
        theme = Theme(
            id=theme_id,
            name=table.get("namn", str, _('the theme\'s name in Swedish, e.g. "Narkotika"')),
            harm=harm,
            bra=_ids(table, "bra", _('a list of Brå series ids, e.g. ["bostadsinbrott"]')),
            ntu=_ids(table, "ntu", _('a list of NTU indicator ids, e.g. ["oro_for_att_utsattas_for_misshandel"]')),
            survey=_ids(table, "enkat", _('a list of survey indicator ids, e.g. ["otrygg_kvall"]')),
            polisen=_ids(table, "polisen", _('a list of Polisen event categories, e.g. ["Narkotika"]')),
            rescue=table.get("raddning", bool, _("true or false"), False),
        )
        table.reject_unknown()
        themes.append(theme)
    return tuple(themes)


def load_themes(settings: AnalysisSettings) -> tuple[Theme, ...]:
    """The kommun's own themes file when the config names one, else the file shipped with lagesbild; an
    order naming an unknown theme is an error naming the config key."""
    if settings.themes_file is None:
        text = resources.files("lagesbild_cli").joinpath("data", SHIPPED).read_text(encoding="utf-8")
        themes = parse_themes(text, Path(SHIPPED))
    else:
        try:
            text = settings.themes_file.read_text(encoding="utf-8")
        except (FileNotFoundError, IsADirectoryError):
            raise ConfigError(
                _("The themes file {path} named by [analys] teman does not exist.").format(path=settings.themes_file),
                hint=_("Copy the themes file shipped with lagesbild (its id list is in the README) or remove the key."),
            ) from None
        except UnicodeDecodeError:
            raise ConfigError(
                _("The themes file {path} is not UTF-8 text.").format(path=settings.themes_file),
                hint=_("Save it as UTF-8."),
            ) from None
        themes = parse_themes(text, settings.themes_file)
    known = {t.id for t in themes}
    unknown = [i for i in settings.order if i not in known]
    if unknown:
        raise ConfigError(
            _("[analys] ordning names {theme}, which is no theme.").format(theme=repr(unknown[0])),
            hint=_("Use the themes' ids: {ids}.").format(ids=", ".join(t.id for t in themes)),
        )
    return themes


def parse_analysis(table: TomlTable, base: Path) -> AnalysisSettings:
    """``[analys]``: ``teman`` (a themes file relative to the config file) and ``ordning`` (theme ids)."""
    name = table.get("teman", str, _('a themes file relative to the config file, e.g. "teman.toml"'), "")
    order = _ids(table, "ordning", _('a list of theme ids, e.g. ["narkotika", "trafik"]'))
    if len(set(order)) != len(order):
        raise table.error(
            "ordning",
            _("is {value}, which names a theme twice").format(value=repr(list(order))),
            _("each theme id at most once"),
        )
    table.reject_unknown()
    return AnalysisSettings(themes_file=(base / name).resolve() if name else None, order=order)
