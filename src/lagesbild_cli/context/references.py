"""Figures named by reference in the coordinator's narrative texts, and hand-written numbers that differ from them.

A narrative Markdown file (sammanfattning.md, annan-information.md, analys.md, atgarder.md) names a figure the
report shows as ``{{ id }}`` or ``{{ id.fält }}``; the build replaces it with the figure for the report's year,
formatted exactly as the report's table prints it::

    Anmälda brott: {{ bra:totalt_antal_anmalda_brott }} per 100 000 invånare
    ({{ bra:totalt_antal_anmalda_brott.antal }} brott), länet {{ bra:totalt_antal_anmalda_brott.lan }}.
    Otrygga på kvällen i Djurås: {{ survey:otrygg_kvall@Djurås }}.

gives "4 526 per 100 000 invånare (471 brott), länet 8 750" and "24 % (20–29)". The ids are the report's
indicator ids (indikatorer.xlsx, sheet "Indikatorer"): ``bra:<serie>``, ``ntu:<indikator>``,
``survey:<fråga>`` and ``survey:<fråga>@<område eller grupp>``, ``kolada:<kpi>``, ``mcf:<kategori>``,
``mcf:<kategori>:medel5``, ``raddning:avsiktliga_brander[@<område>]``. The fields:

- ``bra:…``: ``per_100k`` (the default), ``antal``, ``antal_ki`` (the count's 95 % interval), ``lan``,
  ``riket`` (per 100 000), ``forandring`` (against the mean of the three years before, as "+11 %"),
  ``plats`` (the place in the län, "2 av 15"), ``ar``, and the words of the report's rules: ``jamfort_lan``,
  ``jamfort_riket`` ("lägre", "i nivå med", "högre") and ``utveckling`` ("ökat", "minskat", "ingen säkerställd
  förändring");
- ``ntu:…``: ``andel`` (the default: the share with its 95 % interval, "10 % (6–16)"), ``andel_utan_ki``,
  ``lan``, ``riket``, ``ar``, ``jamfort_riket`` and ``utveckling`` (the rules' words);
- ``survey:…``: ``andel`` (the default, "27 % (22–33)", or the table's reason when the share is not shown,
  "för få svar"), ``andel_utan_ki``, ``n``, ``ar``;
- every other id: ``varde`` (the default, as the report prints it) and ``ar``.

A figure is text, never markup: it is escaped for Markdown before the text is rendered, so no figure can add a
link, emphasis or HTML. An id the report does not have for its year (a typo, or a figure missing that year) is
an error naming the file and line and the closest ids, in a draft as in a final: a text that cites a figure
which is not there would say something the report cannot back up. The published text never holds an id.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from lagesbild_cli.context import formatting
from lagesbild_cli.context.bra import Assessment, CrimeSection
from lagesbild_cli.context.ntu import NtuSection
from lagesbild_cli.context.survey import KOMMUN, Cell, SurveySection
from lagesbild_cli.context.values import IndicatorValue
from lagesbild_cli.errors import RenderError
from lagesbild_cli.i18n import _
from lagesbild_cli.settings.plan import Narrative

REFERENCE = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
DEFAULT_FIELD = {"bra": "per_100k", "ntu": "andel", "survey": "andel"}
_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


@dataclass(frozen=True)
class Figure:
    """A figure a text can name: its text as the table prints it and the number behind it (None: not shown)."""

    text: str
    value: float | None = None
    kind: str = ""  # "procent" or "per_100k": what a hand-written number next to its name is compared with


def figures(
    crime: CrimeSection | None,
    ntu: NtuSection | None,
    survey: SurveySection | None,
    values: Iterable[IndicatorValue],
    assessed: Iterable[Assessment] = (),
) -> dict[str, Figure]:
    """Every figure a narrative can name, by ``id.fält``, as the report's tables print it, and the words of the
    report's rules for a Brå series and an NTU question (level against län and riket, change)."""
    found: dict[str, Figure] = {}
    words = {a.name: a for a in assessed if a.source.startswith("Brå, anmälda")}
    values = tuple(values)
    for v in values:  # the fallback for kolada:, mcf:, raddning: (and every id the sections below do not refine)
        if v.id.endswith(":antal") or v.id.split(":", 1)[0] in DEFAULT_FIELD:
            continue  # a count is a field of its series; Brå, NTU and the survey get their tables' fields below
        shown = v.note or formatting.MISSING
        if v.value is not None:
            shown = (
                formatting.percent(v.value, v.decimals)
                if v.unit == "procent"
                else formatting.number(v.value, v.decimals)
            )
        found[f"{v.id}.varde"] = Figure(shown, v.value)
        found[f"{v.id}.ar"] = Figure(str(v.year))
    if crime is not None:
        for s in crime.series:
            key = f"bra:{s.serie_id}"
            small = "för få för att bedöma" if s.litet_antal else None
            found[f"{key}.per_100k"] = Figure(formatting.number(s.per_100k), s.per_100k, "per_100k")
            found[f"{key}.antal"] = Figure(formatting.number(s.antal), s.antal)
            found[f"{key}.antal_ki"] = Figure(formatting.interval(s.antal_ki_undre, s.antal_ki_ovre))
            found[f"{key}.lan"] = Figure(formatting.number(s.per_100k_lan), s.per_100k_lan, "per_100k")
            found[f"{key}.riket"] = Figure(formatting.number(s.per_100k_riket), s.per_100k_riket, "per_100k")
            found[f"{key}.forandring"] = Figure(
                small or formatting.signed_percent(s.forandring_mot_3ar_procent),
                s.forandring_mot_3ar_procent,
                "procent",
            )
            found[f"{key}.plats"] = Figure(small or formatting.place(s.rang, s.antal_lika, s.antal_rankade))
            found[f"{key}.ar"] = Figure(str(crime.year))
            if s.serie in words:
                judged = words[s.serie]
                found[f"{key}.jamfort_lan"] = Figure(judged.vs_lan)
                found[f"{key}.jamfort_riket"] = Figure(judged.vs_riket)
                found[f"{key}.utveckling"] = Figure(judged.trend)
    if ntu is not None:
        ids = {v.name: v.id for v in values if v.id.startswith("ntu:")}
        for n in ntu.rows:
            if n.indikator not in ids:
                continue
            key = ids[n.indikator]
            alone = formatting.percent(n.andel, n.decimals)
            with_interval = alone
            if n.andel is not None and n.ki_undre is not None and n.ki_ovre is not None:
                with_interval = f"{alone} ({formatting.interval(n.ki_undre, n.ki_ovre, n.decimals)})"
            found[f"{key}.andel"] = Figure(with_interval, n.andel, "procent")
            found[f"{key}.andel_utan_ki"] = Figure(alone, n.andel, "procent")
            found[f"{key}.lan"] = Figure(formatting.percent(n.andel_lan, 1), n.andel_lan, "procent")
            found[f"{key}.riket"] = Figure(formatting.percent(n.andel_riket, 1), n.andel_riket, "procent")
            found[f"{key}.ar"] = Figure(str(ntu.year))
            found[f"{key}.jamfort_riket"] = Figure(n.jamfort_med_riket or formatting.MISSING)
            found[f"{key}.utveckling"] = Figure(n.trend_text or formatting.MISSING)
    if survey is not None:
        for i in survey.indicators:
            for cell in (i.kommun, *i.areas, *i.by_sex, *i.by_age):
                key = f"survey:{i.id}" + ("" if cell is i.kommun or cell.group == KOMMUN else f"@{cell.group}")
                found.update(_survey_cell(key, cell, survey.year))
    return found


def _survey_cell(key: str, cell: Cell, year: int) -> dict[str, Figure]:
    if cell.share is None or cell.low is None or cell.high is None:
        hidden = Figure(cell.status)
        return {
            f"{key}.andel": hidden,
            f"{key}.andel_utan_ki": hidden,
            f"{key}.n": Figure(formatting.number(cell.n) if cell.n is not None else cell.status),
            f"{key}.ar": Figure(str(year)),
        }
    share = 100 * cell.share
    alone = formatting.percent(share)
    return {
        f"{key}.andel": Figure(f"{alone} ({formatting.interval(100 * cell.low, 100 * cell.high)})", share, "procent"),
        f"{key}.andel_utan_ki": Figure(alone, share, "procent"),
        f"{key}.n": Figure(formatting.number(cell.n), cell.n),
        f"{key}.ar": Figure(str(year)),
    }


def full_id(reference: str, known: dict[str, Figure]) -> str:
    """``bra:x`` → ``bra:x.per_100k`` (its default field); ``survey:q@Säter`` stays whole although the area may
    hold a dot: the text after the last dot is a field only when the report has it."""
    reference = " ".join(reference.split())
    if reference in known:
        return reference
    prefix = reference.split(":", 1)[0]
    return f"{reference}.{DEFAULT_FIELD.get(prefix, 'varde')}"


def escaped(text: str) -> str:
    """``text`` as Markdown that renders as exactly this text: every ASCII punctuation mark escaped."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", text)


def resolve(text: str, file: str, known: dict[str, Figure], year: int) -> str:
    """``text`` with every ``{{ … }}`` replaced by its figure, escaped for Markdown; an unknown reference is a
    RenderError naming ``file``, the line and the closest ids."""

    def substitute(match: re.Match[str]) -> str:
        reference = match.group(1).strip()
        key = full_id(reference, known)
        figure = known.get(key)
        if figure is None:
            line = text.count("\n", 0, match.start()) + 1
            close = difflib.get_close_matches(key, list(known), n=5, cutoff=0.6)
            if close:
                hint = _("Close ids: {ids}. Fix the text, or write the number by hand.").format(ids=", ".join(close))
            else:
                hint = _(
                    'The ids are listed in indikatorer.xlsx, sheet "Indikatorer"; a field follows a dot, e.g. '
                    "{example}. Fix the text, or write the number by hand."
                ).format(example="{{ bra:bostadsinbrott.antal }}")
            raise RenderError(
                _("{file}, line {line}: the reference {reference} names no figure the report has for {year}.").format(
                    file=file, line=line, reference=f"{{{{ {reference} }}}}", year=year
                ),
                hint=hint,
            )
        return escaped(figure.text)

    return REFERENCE.sub(substitute, text)


def resolved(
    narratives: dict[str, Narrative], known: dict[str, Figure], year: int, folder: str = ""
) -> dict[str, Narrative]:
    """The narratives with their references replaced (see :func:`resolve`); an error names the file inside
    ``folder`` (the text folder's name, "text/analys.md")."""
    return {
        key: n if n.text is None else replace(n, text=resolve(n.text, f"{folder}/{n.file}".lstrip("/"), known, year))
        for key, n in narratives.items()
    }


# --- numbers written by hand -------------------------------------------------------------------------------------
# The check after a build: a sentence that names a theme of the report (a Brå series, an NTU question, a survey
# question) and writes a percentage or a "per 100 000" number by hand, where no figure of the themes it names
# rounds to that number, gets a warning with the report's values. A sentence names a theme when one of its words
# and one of the theme's significant words (seven letters or more, not a word every theme shares) begin alike
# for seven letters ("skadegörelse" names "Skadegörelsebrott" and "Stort problem: skadegörelse och klotter").

_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]|\n|$)")
_PERCENT = re.compile(r"(?<![\d,–-])(\d{1,3}(?:,\d+)?)\s?%")  # the upper end of an interval (22–33 %) is no level
_PER_100K = re.compile(r"(?<![\d,])(\d{1,3}(?:[ \u00a0]\d{3})*|\d+)\s(?:anmälda brott )?per\s100[ \u00a0]000")
_WORD = re.compile(r"[a-zåäöéü]+")
_COMMON = frozenset(
    "anmälda brottsserie bostadsområdet bostadsområde utsättas utsatthet självrapporterad problem totalt "
    "invånare kommunen utevistelse ganska mycket egendom hushållet hushåll aktivitet".split()
)
STEM = 7


@dataclass(frozen=True)
class Theme:
    name: str  # as the report prints it
    prefix: str  # the figures' ids begin with it
    words: frozenset[str]


def themes(
    crime: CrimeSection | None, ntu: NtuSection | None, survey: SurveySection | None, values: Iterable[IndicatorValue]
) -> tuple[Theme, ...]:
    """The report's themes a sentence can name, with the words that name them."""
    named: list[tuple[str, str]] = []
    if crime is not None:
        named += [(s.serie, f"bra:{s.serie_id}.") for s in crime.series]
    if ntu is not None:
        ids = {v.name: v.id for v in values if v.id.startswith("ntu:")}
        named += [(n.indikator, f"{ids[n.indikator]}.") for n in ntu.rows if n.indikator in ids]
    if survey is not None:
        named += [(i.label, f"survey:{i.id}") for i in survey.indicators]
    return tuple(
        Theme(name, prefix, frozenset(w for w in _WORD.findall(name.casefold()) if len(w) >= STEM and w not in _COMMON))
        for name, prefix in named
    )


def _names(sentence_words: set[str], theme: Theme) -> bool:
    return any(w[:STEM] == t[:STEM] for w in sentence_words for t in theme.words)


def _number(text: str) -> tuple[float, int]:
    plain = re.sub(r"[ \u00a0]", "", text).replace(",", ".")
    return float(plain), len(plain.split(".")[1]) if "." in plain else 0


def hand_written(
    narratives: Iterable[Narrative], known: dict[str, Figure], report_themes: tuple[Theme, ...], folder: str = ""
) -> tuple[str, ...]:
    """One warning per number written by hand that no figure of the themes named in its sentence rounds to:
    file, line, what was written and the report's values."""
    warnings = []
    for n in narratives:
        if n.text is None:
            continue
        text = REFERENCE.sub(lambda m: " " * len(m.group(0)), n.text)  # a reference is never "by hand"
        for sentence in _SENTENCE.finditer(text):
            words = set(_WORD.findall(sentence.group(0).casefold()))
            named = [t for t in report_themes if t.words and _names(words, t)]
            if not named:
                continue
            for pattern, kind in ((_PERCENT, "procent"), (_PER_100K, "per_100k")):
                for match in pattern.finditer(sentence.group(0)):
                    written, decimals = _number(match.group(1))
                    candidates = [
                        (key, f)
                        for t in named
                        for key, f in known.items()
                        if key.startswith(t.prefix) and f.kind == kind and f.value is not None
                    ]
                    if not candidates or any(
                        round(abs(f.value), decimals) == written for _, f in candidates if f.value is not None
                    ):
                        continue
                    line = text.count("\n", 0, sentence.start() + match.start()) + 1
                    shown = "; ".join(
                        f"{t.name}: "
                        + ", ".join(
                            f.text
                            for key, f in candidates
                            if key.startswith(t.prefix) and "@" not in key and not key.endswith("_utan_ki")
                        )
                        for t in named
                    )
                    warnings.append(
                        _(
                            "{file}, line {line}: the text writes {written} by hand next to {themes}, but the report "
                            "shows {shown}. Check the number, or name the figure by reference ({example})."
                        ).format(
                            file=f"{folder}/{n.file}".lstrip("/"),
                            line=line,
                            written=repr(match.group(0).strip()),
                            themes=", ".join(t.name for t in named),
                            shown=shown,
                            example="{{ id }}",
                        )
                    )
    return tuple(warnings)
