"""The coordinator's part of the report: narrative Markdown files and the prioritised problems that
become the åtgärdsplan's follow-up targets.

Narrative text is rendered with raw HTML and images disabled: whatever a file contains, the report
shows it as text and fetches nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt
from markupsafe import Markup

from lagesbild_cli.errors import ConfigError, RenderError
from lagesbild_cli.formatting import clean_text
from lagesbild_cli.toml_table import TomlTable

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


@dataclass(frozen=True)
class PlanProblem:
    title: str
    indicators: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class PlanSettings:
    narrative_dir: Path | None
    problems: tuple[PlanProblem, ...]


@dataclass(frozen=True)
class Narrative:
    key: str
    file: str
    purpose: str
    html: Markup | None  # None: the file is missing


def parse_plan(narrative: TomlTable, plan: TomlTable, base: Path) -> PlanSettings:
    folder = narrative.get("folder", str, "a folder of Markdown files, relative to the config file", "")
    narrative.reject_unknown()
    problems = []
    for n, item in enumerate(plan.get("problems", list, "a list of [[plan.problems]] tables", []), start=1):
        if not isinstance(item, dict):
            raise plan.error("problems", f"has item {n} = {item!r}", "[[plan.problems]] tables")
        table = TomlTable(item, f"plan.problems[{n}]", plan.path)
        ids = table.get("indicators", list, 'a list of indicator ids, e.g. ["bra:bostadsinbrott"]')
        if not ids or not all(isinstance(i, str) and ":" in i for i in ids):
            raise table.error(
                "indicators",
                f"is {ids!r}",
                'indicator ids such as "bra:bostadsinbrott", "ntu:…", "survey:otrygg_kvall@Djurås" or "kolada:N07540"',
            )
        problems.append(
            PlanProblem(
                title=table.get("title", str, "the problem, in Swedish"),
                indicators=tuple(ids),
                note=table.get("note", str, "a short note", ""),
            )
        )
        table.reject_unknown()
    plan.reject_unknown()
    return PlanSettings(narrative_dir=(base / folder).resolve() if folder else None, problems=tuple(problems))


def markdown() -> MarkdownIt:
    """CommonMark without raw HTML and without images."""
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).disable("image")


def render_markdown(text: str) -> Markup:
    return Markup(markdown().render(clean_text(text)))


def narratives(settings: PlanSettings, *, final: bool) -> tuple[Narrative, ...]:
    """The narrative sections; with ``final`` a missing file is an error, in a draft a placeholder."""
    result, missing = [], []
    for key, (name, purpose) in NARRATIVE_FILES.items():
        path = settings.narrative_dir / name if settings.narrative_dir else None
        if path is not None and path.is_file():
            html: Markup | None = render_markdown(path.read_text(encoding="utf-8"))
        else:
            html = None
            if key not in OPTIONAL:
                missing.append(str(path) if path else name)
        result.append(Narrative(key=key, file=name, purpose=purpose, html=html))
    if final and missing:
        if settings.narrative_dir is None:
            raise ConfigError(
                "A final build needs the samordningsfunktion's texts, but lagesbild.toml names no folder for them.",
                hint='Add [narrative] folder = "text" and write '
                + ", ".join(NARRATIVE_FILES[k][0] for k in NARRATIVE_FILES if k not in OPTIONAL)
                + ".",
            )
        raise RenderError(
            f"A final build needs these texts, which are missing: {', '.join(missing)}.",
            hint="Write them in Markdown, or build a draft without --final.",
        )
    return tuple(result)
