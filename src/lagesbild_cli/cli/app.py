"""The Typer app of the ``lagesbild`` command, its shared options, and how a run ends.

Exit codes, the same for every command:

- 0: success.
- 1: an error the message explains (EXIT_ERROR): bad input, a failed download, missing data, and what the
  operating system refuses (no permission, a read-only or full disk, a missing folder). Nothing already
  stored is lost.
- 2: a usage error (EXIT_USAGE), from click: an unknown command or option, a bad option value such as
  ``--year abc``, or no command at all (then the help is printed too).
- 70: a bug in lagesbild (EXIT_BUG, EX_SOFTWARE in sysexits.h): the message names the exception and
  where it was raised, asks for a report, and shows no traceback full of data.
- 130 and 143: stopped by Ctrl-C (SIGINT) or SIGTERM, as a shell reports a process ended by the signal. One
  line says what had taken effect (see :func:`interrupts.done`) and that everything else is as it was.

Errors are mapped to these codes in one place, :func:`_run`; an interrupt anywhere in a command in
:class:`_Commands`.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any, NoReturn, TextIO, TypeVar

import typer
from typer._click.exceptions import NoArgsIsHelpError, UsageError
from typer._click.formatting import HelpFormatter
from typer.core import TyperGroup

from lagesbild_cli import __version__, interrupts
from lagesbild_cli.errors import LagesbildError, storage_error
from lagesbild_cli.i18n import N_, _, install_for_libraries
from lagesbild_cli.settings.defaults import DEFAULT_CONFIG, SOURCE_NAMES

if TYPE_CHECKING:
    from lagesbild_cli.database.loader import LoadResult
    from lagesbild_cli.settings.config import Config

# The commands import what they use where they run. pipeline and doctor pull in polars, DuckDB, WeasyPrint,
# openpyxl and httpx (seconds of imports), which --help, version, kommuner, init and usage or config errors
# never need; the config, the kommun list and the demo are light but still cost as much as Typer, so --help
# imports none of them. tests/test_startup.py guards both.

T = TypeVar("T")

EXIT_ERROR = 1
EXIT_USAGE = 2  # click's own code for usage errors
EXIT_BUG = 70  # EX_SOFTWARE


# click's and Typer's own words. Typer's copy of click writes most of them in English without gettext: the help
# formatter, the help option and the usage errors below put them in the run's language; the few Typer asks
# gettext for ("Options", "Commands", "Missing command.") come from the 'messages' catalogue (i18n).
_LIBRARY_HELP = frozenset(
    (
        N_("Show this message and exit."),
        N_("Install completion for the current shell."),
        N_("Show completion for the current shell, to copy it or customize the installation."),
    )
)
_USAGE_WORDS = (N_("[OPTIONS]"), N_("COMMAND [ARGS]..."))
# click's usage errors, as it words them, and the same in the run's language (fields named as matched)
_USAGE_ERRORS = tuple(
    (re.compile(pattern), message)
    for pattern, message in (
        (r"^No such option: (?P<name>\S+)", N_("No such option: {name}")),
        (r"\(Possible options: (?P<names>[^)]*)\)", N_("(Possible options: {names})")),
        (r"Did you mean (?P<names>.+)\?$", N_("Did you mean {names}?")),
        (r"^Missing argument (?P<name>.+)\.$", N_("Missing argument {name}.")),
        (r"^Missing option (?P<name>.+)\.$", N_("Missing option {name}.")),
        (r"^Got unexpected extra argument\(s\) \((?P<args>.*)\)$", N_("Got unexpected extra arguments ({args})")),
        (r"^Option (?P<name>'[^']+') requires an argument\.$", N_("Option {name} requires a value.")),
        (r"^Option (?P<name>'[^']+') does not take a value\.$", N_("Option {name} does not take a value.")),
        (r"^Invalid value for (?P<hint>.+?): (?=\S)", N_("Invalid value for {hint}: ")),
        (r"Input should be a valid integer.*$", N_("give a whole number.")),
    )
)


def _usage_error_text(message: str) -> str:
    """A usage error of click's in the run's language: each known phrase translated, anything else as it is."""
    for pattern, translated in _USAGE_ERRORS:
        message = pattern.sub(lambda m, t=translated: _(t).format(**m.groupdict()), message)  # type: ignore[misc]
    return message


class _Formatter(HelpFormatter):
    """click's help formatter with its own words ("Usage:", [OPTIONS], the help option's help) translated."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        for words in _USAGE_WORDS:
            args = args.replace(words, _(words))
        super().write_usage(prog, args, prefix if prefix is not None else _("Usage:") + " ")

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        rows = [(term, _(text) if text in _LIBRARY_HELP else text) for term, text in rows]
        super().write_dl(rows, col_max, col_spacing)


class _Context(typer.Context):
    formatter_class = _Formatter


class _UsageError(UsageError):
    """A usage error shown in the run's language, with click's exit code (2)."""

    def __init__(self, original: UsageError) -> None:
        super().__init__(_usage_error_text(original.format_message()), original.ctx)
        self.exit_code = original.exit_code

    def show(self, file: IO[Any] | None = None) -> None:
        lines = []
        if self.ctx is not None:
            lines.append(self.ctx.get_usage())
            if self.ctx.command.get_help_option(self.ctx) is not None:
                hint = _("Try '{command} {option}' for help.")
                command = re.sub(r"^lagesbild\b", _runnable(), self.ctx.command_path)
                lines.append(hint.format(command=command, option=self.ctx.help_option_names[0]))
            lines.append("")
        lines.append(_("Error: {message}").format(message=self.format_message()))
        typer.echo("\n".join(lines), err=True)


def _localised(command: Any) -> None:
    """Give ``command`` and its subcommands the translating context (so help and usage read in the run's
    language)."""
    command.context_class = _Context
    for sub in getattr(command, "commands", {}).values():
        _localised(sub)


class _Commands(TyperGroup):
    """The commands, each run as one run: an interrupt anywhere in one (Ctrl-C, SIGTERM) ends it with one line
    and exit code 130 or 143, never click's "Aborted!" or a traceback. Their help and usage errors read in the
    run's language."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        _localised(self)

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().make_context(*args, **kwargs)
        except NoArgsIsHelpError:
            raise  # the help itself
        except UsageError as exc:
            raise _UsageError(exc) from None

    def invoke(self, ctx: typer.Context) -> object:  # type: ignore[override]  # typer's own click's Context
        interrupts.forget()
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt as exc:  # Interrupted too
            _interrupted(exc)
        except (_UsageError, NoArgsIsHelpError):
            raise
        except UsageError as exc:  # a subcommand's
            raise _UsageError(exc) from None


app = typer.Typer(
    name="lagesbild",
    cls=_Commands,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: Typer's rich help costs half a second of imports before a word is shown
    help=_("Build a municipality's lägesbild of crime (SFS 2023:196) from Brå and other open data."),
)
import_app = typer.Typer(
    no_args_is_help=True, rich_markup_mode=None, help=_("Import files downloaded by hand into data/raw/.")
)
app.add_typer(import_app, name="import")
survey_app = typer.Typer(
    no_args_is_help=True, rich_markup_mode=None, help=_("Help with the citizen survey's [survey] mapping.")
)
app.add_typer(survey_app, name="survey")
draft_app = typer.Typer(
    no_args_is_help=True, rich_markup_mode=None, help=_("Drafts for the samordningsfunktion's texts, to edit.")
)
app.add_typer(draft_app, name="draft")

ConfigOption = Annotated[Path, typer.Option("--config", "-c", help=_("The config file."), show_default=True)]
KommunOption = Annotated[
    str | None, typer.Option("--kommun", "-k", help=_("Kommun code or name; overrides the config for this run."))
]


# The --config of this run when it is not ./lagesbild.toml: every command suggested in a message then carries it,
# so that the suggestion, run from another folder, still works on this project (set by _config and doctor).
_given_config: Path | None = None
_SUGGESTED = re.compile(
    r"\blagesbild (?:fetch|build|load|doctor|check-sources|areas"
    r"|import (?:bra|polisen|raddning|survey|scb|kolada|mcf|geo))\b"
    r"(?: (?:[A-Z]{2,}\b|--source [a-z]+|--year \d+|--lan \d+|--(?!config\b)[a-z][a-z-]*\b(?! [a-z0-9])))*"
)
# every command a message suggests, to be printed as the user can run it (see _runnable)
_ANY_COMMAND = re.compile(
    r"(?<![\w./-])lagesbild(?= (?:fetch|build|load|doctor|check-sources|areas|import|survey|init|demo"
    r"|kommuner|version)\b)"
)


def _remember_config(path: Path) -> None:
    global _given_config  # one run, one config
    _given_config = None if path == DEFAULT_CONFIG else path


def _runnable() -> str:
    """How the user starts lagesbild from a shell: ``lagesbild`` when that name on PATH is this installation
    (an activated venv, ``uv tool install``, pipx); ``uv run lagesbild`` when this run was started by
    ``uv run`` in the project (uv sets ``UV`` and points ``VIRTUAL_ENV`` at the project's .venv; ``lagesbild``
    is on PATH only inside ``uv run``), or when ``lagesbild`` on PATH is missing or another installation."""
    here = Path(sys.prefix).resolve()
    venv = os.environ.get("VIRTUAL_ENV")
    if os.environ.get("UV") and venv and Path(venv).resolve() == here:
        return _uv_run(here.parent)
    found = shutil.which("lagesbild")
    if found and (Path(found).parent.resolve() == Path(sys.executable).parent.resolve() or _installed_in(found, here)):
        return "lagesbild"
    return _uv_run(here.parent)


def _uv_run(project: Path) -> str:
    """``uv run lagesbild``, with ``--project`` when the working folder is outside the project (uv finds the
    project from the working folder)."""
    working = _working_dir()
    if working is None or working.resolve().is_relative_to(project) or not (project / "pyproject.toml").is_file():
        return "uv run lagesbild"
    return f"uv run --project {shlex.quote(str(project))} lagesbild"


def _installed_in(script: str, prefix: Path) -> bool:
    """Whether the ``lagesbild`` script on PATH runs this installation's Python (its #! line)."""
    try:
        with open(script, "rb") as file:
            first = file.readline(1024).decode("utf-8", "replace")
    except OSError:
        return False
    interpreter = first.removeprefix("#!").strip().split(" ")[0]
    return bool(interpreter) and Path(interpreter).resolve().is_relative_to(prefix)


def _with_config(text: str) -> str:
    """``text`` with every ``lagesbild <command>`` it suggests as the user can run it: ``uv run lagesbild`` when
    that is how lagesbild runs here (see :func:`_runnable`), and with ``--config PATH`` after the command's
    arguments when the run's config is not the default ./lagesbild.toml (as init's next steps do). Every line
    the commands print goes through here."""
    if _given_config is not None:
        option = f" --config {shlex.quote(str(_given_config))}"

        def add(match: re.Match[str]) -> str:
            given = text.startswith(" --config", match.end())
            return match.group(0) if given else match.group(0) + option

        text = _SUGGESTED.sub(add, text)
    prefix = _runnable()
    if prefix == "lagesbild":
        return text
    before = prefix.removesuffix("lagesbild")  # "uv run " or "uv run --project DIR ": not added twice
    return _ANY_COMMAND.sub(lambda m: m.group(0) if text.endswith(before, 0, m.start()) else prefix, text)


def _echo(text: str, *, err: bool = False, nl: bool = True) -> None:
    """Print a line of a command's output; the commands it suggests as the user can run them (:func:`_with_config`)."""
    typer.echo(_with_config(text), err=err, nl=nl)


def _run(action: Callable[[], T]) -> T:
    """Run one pipeline step; the one place where errors become exit codes."""
    try:
        return action()
    except Exception as exc:
        if interrupts.received() is not None or _caused_by_interrupt(exc):
            _interrupted(exc)  # an error the interrupt caused (a library cut off mid-work) is the interrupt
        if isinstance(exc, LagesbildError):
            _fail(exc)
        if isinstance(exc, OSError):  # no permission, a read-only or full disk, a missing folder: the user can fix it
            _fail(storage_error(exc, base=_working_dir()))
        # a bug: say so, keep data out of the message
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        typer.echo(
            _("Internal error (a bug in lagesbild {version}): {exception} at {place}. Please report it.").format(
                version=__version__, exception=type(exc).__name__, place=f"{Path(frame.filename).name}:{frame.lineno}"
            ),
            err=True,
        )
        raise typer.Exit(EXIT_BUG) from None


def _caused_by_interrupt(exc: BaseException) -> bool:
    """Whether a KeyboardInterrupt (Ctrl-C, or SIGTERM as :class:`interrupts.Interrupted`) is behind ``exc``: a
    library that catches it mid-work raises its own error (DuckDB's "interrupted"), with the signal's as cause."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, KeyboardInterrupt) or type(current).__name__ == "InterruptException":
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


NOTHING_CHANGED = N_("nothing was changed; the raw data, the database and the reports are as they were.")
_told_interrupted = False  # one run, one line


def _interrupted(exc: BaseException) -> NoReturn:
    """End a run stopped by a signal: one line (see :func:`_tell_interrupted`), exit code 128 + the signal's."""
    signum = exc.signum if isinstance(exc, interrupts.Interrupted) else interrupts.received() or signal.SIGINT
    _tell_interrupted(signum)
    raise typer.Exit(128 + signum) from None


def _tell_interrupted(signum: int) -> None:
    """One line for a run stopped by a signal: what had taken effect (the notes of :func:`interrupts.done`) and
    that everything else is as it was."""
    global _told_interrupted
    _told_interrupted = True
    how = "Ctrl-C" if signum == signal.SIGINT else signal.Signals(signum).name
    notes = interrupts.notes()
    if not notes:
        line = _("Interrupted by {how}: {nothing_changed}").format(how=how, nothing_changed=_(NOTHING_CHANGED))
    else:
        shown = "; ".join(notes[:3])
        if len(notes) > 3:
            shown += _("; and {count} more").format(count=len(notes) - 3)
        line = _("Interrupted by {how}, after: {notes}. Nothing else was changed.").format(how=how, notes=shown)
    typer.echo(_with_config(line), err=True)


def _fail(exc: LagesbildError) -> NoReturn:
    typer.echo(_with_config(_("Error ({kind}): {error}").format(kind=_(exc.kind), error=exc)), err=True)
    raise typer.Exit(EXIT_ERROR) from None


def _working_dir() -> Path | None:
    try:
        return Path.cwd()
    except OSError:  # the working folder was removed
        return None


def _report_problems(loaded: LoadResult | None) -> None:
    """Raw files that no longer parse were left out of the database: say so and exit 1."""
    if loaded is None or not loaded.problems:
        return
    for problem in loaded.problems:
        typer.echo(_with_config(_("Error (left out of the database): {problem}").format(problem=problem)), err=True)
    raise typer.Exit(1)


def _config(path: Path, kommun: str | None = None) -> Config:
    from lagesbild_cli.settings.config import load_config

    _remember_config(path)
    config = _run(lambda: load_config(path))
    return _run(lambda: config.with_kommun(kommun)) if kommun else config


def _known_sources(values: list[str] | None) -> list[str] | None:
    """--source: a name lagesbild fetches and checks; another is a usage error (exit 2), like --year abc."""
    for value in values or []:
        if value not in SOURCE_NAMES:
            raise typer.BadParameter(
                _("{value} is not a source lagesbild fetches or checks; choose from: {names}.").format(
                    value=repr(value), names=", ".join(SOURCE_NAMES)
                ),
                param_hint="'--source'",
            )
    return values


SourceOption = Annotated[
    list[str] | None,
    typer.Option(
        "--source",
        "-s",
        help=_("Only this source (repeatable): {names}.").format(names=", ".join(SOURCE_NAMES)),
        callback=_known_sources,
    ),
]


@app.callback()
def startup() -> None:
    """Build a municipality's lägesbild of crime (SFS 2023:196) from Brå and other open data."""
    from lagesbild_cli.render.weasyprint_check import check_weasyprint

    _remember_config(DEFAULT_CONFIG)
    _show_notices()
    _run(check_weasyprint)


def _show_notices() -> None:
    """The library's notices (a damaged log read as empty, a damaged database rebuilt) as one line each on
    stderr; other warnings as Python shows them."""
    import warnings

    from lagesbild_cli.errors import Notice

    shown = warnings.showwarning

    def show(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: TextIO | None = None,
        line: str | None = None,
    ) -> None:
        if issubclass(category, Notice):
            typer.echo(_with_config(_("Note: {message}").format(message=message)), err=True)
        else:
            shown(message, category, filename, lineno, file, line)

    if not getattr(shown, "lagesbild", False):
        show.lagesbild = True  # type: ignore[attr-defined]
        warnings.showwarning = show


def main() -> None:
    install_for_libraries()  # click's "Usage:" and "Options" in the run's language too
    interrupts.install()  # SIGTERM is a user's event like Ctrl-C: both end the run in _Commands, with one line
    try:
        app()
    except SystemExit:
        signum = interrupts.received()
        if signum is None or _told_interrupted:
            raise
        _tell_interrupted(signum)  # stopped while click read the arguments: nothing had begun
        sys.exit(128 + signum)
