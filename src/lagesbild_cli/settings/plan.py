"""The coordinator's part of the report: narrative Markdown files and the prioritised problems that
become the åtgärdsplan's follow-up targets.

Narrative text is rendered with raw HTML and images disabled: whatever a file contains, the report
shows it as text and fetches nothing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from lagesbild_cli.errors import ConfigError, RenderError
from lagesbild_cli.i18n import _
from lagesbild_cli.settings.text import clean_text
from lagesbild_cli.settings.toml_table import TomlTable, read_toml

NARRATIVE_FILES = {
    "sammanfattning": ("sammanfattning.md", "en inledande sammanfattning i ord (valfri)"),
    "annan_information": (
        "annan-information.md",
        "annan information av betydelse, t.ex. från socialtjänst, skola, räddningstjänst och näringsliv",
    ),
    "analys": ("analys.md", "analysen: problemens orsaker, samband och vilka som drabbas"),
    "atgarder": ("atgarder.md", "prioriteringarna och vad åtgärdsplanen bör inriktas på"),
}
OPTIONAL = {"sammanfattning"}
# The first line of a draft lagesbild wrote (``lagesbild draft analys``): while it is there, the report labels the
# text a draft the coordinator has not worked on, and a final is refused. HTML comments are never shown.
DRAFT_MARKER = "<!-- lagesbild:utkast -->"
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


@dataclass(frozen=True)
class PlanProblem:
    title: str
    indicators: tuple[str, ...]
    note: str
    id: str = ""  # what measures name in their ``problems``; by default made from the title


MEASURE_KINDS = ("samverkansöverenskommelse", "medborgarlöfte", "grannsamverkan", "huskurage", "annan åtgärd")


@dataclass(frozen=True)
class Measure:
    """A crime-prevention measure already under way, written by the coordinator."""

    name: str
    kind: str
    partners: tuple[str, ...]
    areas: tuple[str, ...]
    start: str  # as written: a year or a date
    end: str  # empty: ongoing
    problems: tuple[str, ...]  # PlanProblem ids
    indicators: tuple[str, ...]
    follow_up: str
    url: str
    figures: tuple[tuple[str, float], ...] = ()  # e.g. ("grannsamverkansområden", 14)
    figures_date: str = ""  # the date the figures refer to

    @property
    def period(self) -> str:
        if not self.start and not self.end:
            return "ej angiven"
        return f"{self.start or '?'}–{self.end}" if self.end else f"från {self.start}, pågående"


@dataclass(frozen=True)
class PlanSettings:
    narrative_dir: Path | None
    problems: tuple[PlanProblem, ...]
    measures: tuple[Measure, ...] = ()
    measures_source: str = ""  # where the measures were written (config or the file it names)


def slug(text: str) -> str:
    """A problem's default id: lower-case ASCII words joined by hyphens ("Otrygg i Djurås" → "otrygg-i-djuras")."""
    plain = unicodedata.normalize("NFKD", text.casefold()).encode("ascii", "ignore").decode("ascii")
    return "-".join(re.findall(r"[a-z0-9]+", plain))


def _strings(table: TomlTable, key: str, expected: str) -> tuple[str, ...]:
    values = table.get(key, list, expected, [])
    if not all(isinstance(v, str) and v.strip() for v in values):
        raise table.error(key, _("is {value}").format(value=repr(values)), expected)
    return tuple(v.strip() for v in values)


def _when(table: TomlTable, key: str) -> str:
    """A year (2025) or a date (2025-03-01) as written in TOML."""
    table.read.add(key)
    value = table.data.get(key)
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool) and 1990 <= value <= 2100:
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    raise table.error(
        key, _("has the value {value}").format(value=repr(value)), _("a year such as 2025 or a date such as 2025-03-01")
    )


def _figures(table: TomlTable) -> tuple[tuple[str, float], ...]:
    """Counts that show a measure's reach, e.g. figures = { "grannsamverkansområden" = 14, "hushåll" = 340 }."""
    expected = _('a table of counts, e.g. {{ "grannsamverkansområden" = 14, "hushåll" = 340 }}').format()
    figures = table.get("figures", dict, expected, {})
    for label, value in figures.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise table.error(
                "figures", _("has {label} = {value}").format(label=repr(label), value=repr(value)), expected
            )
    return tuple((str(label), float(value)) for label, value in figures.items())


def parse_measure(table: TomlTable, problem_ids: set[str]) -> Measure:
    kinds = _("one of: {values}").format(values=", ".join(MEASURE_KINDS))
    kind = table.get("kind", str, kinds, "annan åtgärd")
    if kind not in MEASURE_KINDS:
        raise table.error("kind", _("is {value}").format(value=repr(kind)), kinds)
    problems = _strings(table, "problems", _('a list of problem ids from [[plan.problems]], e.g. ["otrygghet-kvall"]'))
    unknown = [p for p in problems if p not in problem_ids]
    if unknown:
        known = ", ".join(sorted(problem_ids)) or _("none: add [[plan.problems]] first")
        raise table.error(
            "problems",
            _("names {value}, which is no [[plan.problems]] id").format(value=repr(unknown[0])),
            _("one of: {values}").format(values=known),
        )
    indicators = _strings(table, "indicators", _('a list of indicator ids, e.g. ["survey:otrygg_kvall@Djurås"]'))
    measure = Measure(
        name=table.get("name", str, _('the measure\'s name, e.g. "Medborgarlöfte 2025–2026"')),
        kind=kind,
        partners=_strings(table, "partners", _('a list of partners, e.g. ["kommunen", "Polisen"]')),
        areas=_strings(table, "areas", _('a list of areas, e.g. ["Djurås", "hela kommunen"]')),
        start=_when(table, "start"),
        end=_when(table, "end"),
        problems=problems,
        indicators=indicators,
        follow_up=table.get("follow_up", str, _("how the measure is followed up, as text"), ""),
        url=table.get("url", str, _("a link to the agreement or the promise"), ""),
        figures=_figures(table),
        figures_date=_when(table, "figures_date"),
    )
    table.reject_unknown()
    return measure


def _measures(plan: TomlTable, base: Path, problem_ids: set[str]) -> tuple[tuple[Measure, ...], str]:
    items: list[tuple[TomlTable, dict[str, object]]] = []
    inline = plan.get("measures", list, _("a list of [[plan.measures]] tables"), [])
    items += [(plan, item) for item in inline]
    source = f"{plan.path.name} ([[plan.measures]])" if inline else ""
    file_name = plan.get("measures_file", str, _("a TOML file of [[measures]], relative to the config file"), "")
    if file_name:
        path = (base / file_name).resolve()
        try:
            data = read_toml(path, _("Fix the syntax of the measures file."))
        except FileNotFoundError:
            raise plan.error(
                "measures_file", _("names {path}, which does not exist").format(path=path), _("an existing TOML file")
            ) from None
        root = TomlTable(data, "", path)
        listed = root.get("measures", list, _("a list of [[measures]] tables"), [])
        root.reject_unknown()
        items += [(root, item) for item in listed]
        source = f"{source} och {path.name}" if source else path.name
    measures = []
    for n, (parent, item) in enumerate(items, start=1):
        name = "plan.measures" if parent is plan else "measures"
        if not isinstance(item, dict):
            raise parent.error(
                "measures",
                _("has item {n} = {value}").format(n=n, value=repr(item)),
                _("[[{name}]] tables").format(name=name),
            )
        measures.append(parse_measure(TomlTable(item, f"{name}[{n}]", parent.path), problem_ids))
    return tuple(measures), source


@dataclass(frozen=True)
class Narrative:
    key: str
    file: str
    purpose: str
    text: str | None  # the Markdown as written, without control characters and comments; None: the file is missing
    draft: bool = False  # still the untouched draft lagesbild wrote (its marker line is there)


def parse_plan(narrative: TomlTable, plan: TomlTable, base: Path) -> PlanSettings:
    folder = narrative.get("folder", str, _("a folder of Markdown files, relative to the config file"), "")
    narrative.reject_unknown()
    problems: list[PlanProblem] = []
    for n, item in enumerate(plan.get("problems", list, _("a list of [[plan.problems]] tables"), []), start=1):
        if not isinstance(item, dict):
            raise plan.error(
                "problems", _("has item {n} = {value}").format(n=n, value=repr(item)), _("[[plan.problems]] tables")
            )
        table = TomlTable(item, f"plan.problems[{n}]", plan.path)
        ids = table.get("indicators", list, _('a list of indicator ids, e.g. ["bra:bostadsinbrott"]'))
        if not ids or not all(isinstance(i, str) and ":" in i for i in ids):
            raise table.error(
                "indicators",
                _("is {value}").format(value=repr(ids)),
                _(
                    'indicator ids such as "bra:bostadsinbrott", "ntu:…", "survey:otrygg_kvall@Djurås" '
                    'or "kolada:N07540"'
                ),
            )
        title = table.get("title", str, _("the problem, in Swedish"))
        problem_id = table.get("id", str, _('a short id for measures to name, e.g. "otrygghet-kvall"'), slug(title))
        if problem_id in {p.id for p in problems}:
            raise table.error(
                "id",
                _("is {value}, which another problem already has").format(value=repr(problem_id)),
                _("a unique id"),
            )
        problems.append(
            PlanProblem(
                title=title,
                indicators=tuple(ids),
                note=table.get("note", str, _("a short note"), ""),
                id=problem_id,
            )
        )
        table.reject_unknown()
    measures, source = _measures(plan, base, {p.id for p in problems})
    plan.reject_unknown()
    return PlanSettings(
        narrative_dir=(base / folder).resolve() if folder else None,
        problems=tuple(problems),
        measures=measures,
        measures_source=source,
    )


def narratives(settings: PlanSettings, *, final: bool) -> tuple[Narrative, ...]:
    """The narrative sections; with ``final`` a missing file is an error, in a draft a placeholder."""
    result, missing, drafts = [], [], []
    for key, (name, purpose) in NARRATIVE_FILES.items():
        path = settings.narrative_dir / name if settings.narrative_dir else None
        draft = False
        if path is not None and path.is_file():
            written = clean_text(path.read_text(encoding="utf-8"))
            draft = DRAFT_MARKER in written
            text: str | None = _COMMENT.sub("", written).lstrip("\n") if "<!--" in written else written
            if draft:
                drafts.append(str(path))
        else:
            text = None
            if key not in OPTIONAL:
                missing.append(str(path) if path else name)
        result.append(Narrative(key=key, file=name, purpose=purpose, text=text, draft=draft))
    if final and drafts:
        raise RenderError(
            _(
                "A final build needs the samordningsfunktion's own texts, but {files} is still the draft "
                "lagesbild wrote."
            ).format(files=", ".join(drafts)),
            hint=_("Work on the text, then remove its first line ({marker}); or build a draft without --final.").format(
                marker=DRAFT_MARKER
            ),
        )
    if final and missing:
        if settings.narrative_dir is None:
            raise ConfigError(
                _("A final build needs the samordningsfunktion's texts, but lagesbild.toml names no folder for them."),
                hint=_('Add [narrative] folder = "text" and write {files}.').format(
                    files=", ".join(NARRATIVE_FILES[k][0] for k in NARRATIVE_FILES if k not in OPTIONAL)
                ),
            )
        raise RenderError(
            _("A final build needs these texts, which are missing: {files}.").format(files=", ".join(missing)),
            hint=_("Write them in Markdown, or build a draft without --final."),
        )
    return tuple(result)
