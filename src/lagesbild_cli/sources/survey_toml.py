"""A proposed ``[survey]`` mapping (:func:`survey_suggest.suggest`) written as commented TOML to review and paste."""

from __future__ import annotations

import json
from datetime import date

from lagesbild_cli.i18n import _, ngettext
from lagesbild_cli.sources.survey_suggest import Suggestion, shown


def _q(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(text, ensure_ascii=False)


def _list(values: tuple[str, ...] | list[str]) -> str:
    return "[" + ", ".join(_q(v) for v in values) + "]"


def _counted(values: list[tuple[str, int]] | tuple[tuple[str, int], ...]) -> str:
    return ", ".join(f"{_q(v)} ({_rows(n)})" for v, n in values)


def _rows(n: int) -> str:
    return ngettext("{n} row", "{n} rows", n).format(n=_count(n))


def _count(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def groups(out: list[str], key: str, values: list[tuple[str, int]], unplaced: list[tuple[str, int]]) -> None:
    """The sex or age groups the report may publish, and the answers that are no group of their own, as the
    closed lists ``<key>_values`` and ``<key>_unplaced``: an answer such as "Annat/vill inte uppge" is never a
    published group."""
    hidden = sum(n for v, n in values + unplaced if not shown(v))
    values = [(v, n) for v, n in values if shown(v)]
    unplaced = [(v, n) for v, n in unplaced if shown(v)]
    if hidden:  # a contact detail typed into "annat": never shown, never a value to list
        out.append(
            "#   "
            + ngettext(
                "{n} row holds something that looks like contact details (not shown): correct the file",
                "{n} rows hold something that looks like contact details (not shown): correct the file",
                hidden,
            ).format(n=hidden)
        )
    counted = _counted(values) or _("none")
    out.append(f"{key}_values = {_list([v for v, _n in values])}  # {counted}")
    if unplaced:
        note = _("no group of their own, counted only in the totals: {answers}").format(answers=_counted(unplaced))
        out.append(f"{key}_unplaced = {_list([v for v, _n in unplaced])}  # {note}")


def to_toml(s: Suggestion, *, today: date | None = None) -> str:
    """The suggestion as commented TOML to review and paste into lagesbild.toml."""
    made = (today or date.today()).isoformat()
    out = [
        "# "
        + _("Proposed [survey] mapping for {file} ({rows}, {encoding}, separator {separator}),").format(
            file=s.origin, rows=_rows(s.rows), encoding=s.encoding, separator=repr(s.separator)
        ),
        "# "
        + _("made by lagesbild survey suggest on {date}. It is a GUESS: check every line, then paste it into").format(
            date=made
        ),
        "# " + _("lagesbild.toml (in place of any [survey] section there) and import the file with"),
        "# " + _("lagesbild import survey FILE. Labels (label = …) are what the report publishes: short, in Swedish."),
    ]
    if s.not_used:
        out.append("#")
        out.append("# " + _("Columns not used (never read by the import, their contents not shown here):"))
        out.extend(f"#   - {_q(h)}: {_(why)}" for h, why in s.not_used)
    if s.other_questions:
        out.append("#")
        out.append(
            "# " + _("Questions lagesbild does not know; add a [[survey.indicators]] table by hand to report one:")
        )
        out.extend(f"#   - {_q(h)}" for h in s.other_questions)
    out += ["", "[survey]"]

    def role(key: str, header: str | None, note: str, missing: str) -> None:
        if header is None:
            out.append(f'# {key} = "…"  # ' + _("NOT FOUND: {missing}").format(missing=missing))
        else:
            out.append(f"{key} = {_q(header)}  # {note}" if note else f"{key} = {_q(header)}")

    role(
        "id_column",
        s.id_column,
        _("unique per respondent and year"),
        _("the column with each respondent's number"),
    )
    years = ", ".join(f"{y} ({_rows(n)})" for y, n in s.years)
    role("year_column", s.year_column, years, _("the column with the survey year (e.g. 2024) in every row"))
    role("area_column", s.area_column, "", _("the column with the respondent's area"))
    role("sex_column", s.sex_column, "", _("the respondent's sex; leave the key out if the survey has none"))
    if s.sex_column:
        groups(out, "sex", s.sex_values, s.sex_unplaced)
    role("age_column", s.age_column, "", _("the respondent's age group; leave the key out if the survey has none"))
    if s.age_column:
        groups(out, "age", s.age_values, s.age_unplaced)
    if s.weight_column:
        note = (
            _("guessed from its values (positive decimals): check it is the design weight")
            if s.weight_by_values
            else _("design weight; leave the key out for an unweighted survey")
        )
        out.append(f"weight_column = {_q(s.weight_column)}  # {note}")
    else:
        out.append('# weight_column = "…"  # ' + _("none found: the survey is read unweighted"))
    if s.area_column:
        unplaced = [v for v, _n in s.unplaced]
        note = "  # " + _("area answers that belong to no report area (they count for the kommun)")
        out.append(f"unplaced = {_list(unplaced)}{note}")
    out += [
        "# min_cell = 5     # " + _("no cell with fewer respondents is published"),
        "# min_share = 30   # " + _("no share resting on fewer respondents is published"),
    ]
    if s.area_column:
        out += [
            "",
            "# " + _("Report areas: one table per area answer. Join answers into one area where they are too small"),
            "# " + _('(answers = ["A", "B"]), and give each area its SCB DeSO codes (for its population); the'),
            "# " + _("command lagesbild areas lists the kommun's DeSO codes with their population."),
        ]
        for value, n in s.areas:
            out += [
                f"[survey.areas.{_q(value)}]",
                f"answers = [{_q(value)}]  # {_rows(n)}",
                "deso = []",
            ]
    if s.indicators:
        out += [
            "",
            "# " + _("One table per question lagesbild knows: which answers count as yes and as no, and which are"),
            "# " + _("left out. ntu = the Brå NTU indicator shown beside it for the kommun and the län."),
        ]
    for p in s.indicators:
        out += [
            "",
            "[[survey.indicators]]",
            f"id = {_q(p.known.id)}",
            f"label = {_q(p.known.label)}",
            f"column = {_q(p.column)}",
            f"yes = {_list(p.yes)}",
            f"no = {_list(p.no)}",
        ]
        if p.exclude:
            out.append(f"exclude = {_list(p.exclude)}")
        if p.known.ntu:
            out.append(f"ntu = {_q(p.known.ntu)}")
        if p.unknown:
            out.append(
                "# " + _("NOT PLACED, put each in yes, no or exclude: {answers}").format(answers=_counted(p.unknown))
            )
        if p.hidden:
            out.append(
                "# "
                + ngettext(
                    "{n} other answer looks like free text and is not shown; the import names it",
                    "{n} other answers look like free text and are not shown; the import names them",
                    p.hidden,
                ).format(n=p.hidden)
            )
    return "\n".join(out) + "\n"
