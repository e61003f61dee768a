"""The command line speaks Swedish by default and English with LANG=en: every message in the code has a
Swedish translation with the same fields, and the shipped catalogue is the compiled .po."""

from __future__ import annotations

import gettext
import io
import os
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from conftest import REPO
from lagesbild_cli import i18n

PACKAGE = REPO / "src" / "lagesbild_cli"
LOCALE = PACKAGE / "locale" / "sv" / "LC_MESSAGES"


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _in_code() -> dict[str, str | tuple[str, ...]]:
    """Every message wrapped in _(), ngettext() or N_() in the package."""
    found: dict[str, str | tuple[str, ...]] = {}
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(PACKAGE), method_map=[("**.py", "python")], keywords={"_": None, "ngettext": (1, 2), "N_": None}
    ):
        key = message[0] if isinstance(message, tuple) else message
        found[key] = message
    return found


def test_every_message_in_the_code_has_a_swedish_translation_with_the_same_fields() -> None:
    with (LOCALE / "lagesbild.po").open("rb") as file:
        catalogue = read_po(file, locale="sv")
    missing, wrong = [], []
    for key, message in _in_code().items():
        entry = catalogue.get(key)
        if entry is None or not entry.string or (entry.fuzzy and entry.id):
            missing.append(key)
            continue
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        originals = message if isinstance(message, tuple) else (message,)
        if any(not s for s in strings) or any(_fields(s) != _fields(originals[-1]) for s in strings):
            wrong.append(key)
    assert not missing, f"{len(missing)} messages lack a Swedish translation (make locale, edit the .po): {missing[:5]}"
    assert not wrong, f"translations whose fields differ from the English: {wrong[:5]}"


@pytest.mark.parametrize("domain", ["lagesbild", "messages"])
def test_the_shipped_catalogue_is_the_compiled_po(domain: str) -> None:
    """gettext, reading the shipped .mo, gives every translation of the .po (make locale compiles it)."""
    with (LOCALE / f"{domain}.po").open("rb") as po_file:
        po = read_po(po_file, locale="sv")
    compiled = gettext.GNUTranslations(io.BytesIO((LOCALE / f"{domain}.mo").read_bytes()))
    stale = []
    for entry in po:
        if not entry.id or entry.fuzzy:
            continue
        if isinstance(entry.id, tuple):
            singular, plural = entry.id[0], entry.id[1]
            forms = tuple(entry.string) if all(entry.string) else (singular, plural)
            if (compiled.ngettext(singular, plural, 1), compiled.ngettext(singular, plural, 2)) != forms:
                stale.append(singular)
        elif compiled.gettext(entry.id) != (entry.string or entry.id):
            stale.append(entry.id)
    assert not stale, f"run make locale: the .mo is older than the .po ({stale[:3]})"


def test_the_language_follows_the_environment_as_gettext_reads_it(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)
    assert i18n.language() == "sv" and i18n._("config error") == "fel i inställningarna"
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert i18n.language() == "sv"
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    assert i18n.language() == "en" and i18n._("config error") == "config error"
    monkeypatch.setenv("LANGUAGE", "sv:en")  # LANGUAGE first, as gettext reads it
    assert i18n._("config error") == "fel i inställningarna"


def _run(*args: str, lang: str | None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG", "UV")}
    env["PATH"] = os.pathsep.join((str(Path(sys.executable).parent), env.get("PATH", "")))  # lagesbild on PATH
    if lang:
        env["LANG"] = lang
    script = Path(sys.executable).parent / "lagesbild"  # as a user runs it: the usage line names lagesbild
    command = [str(script)] if script.is_file() else [sys.executable, "-m", "lagesbild_cli"]
    return subprocess.run([*command, *args], capture_output=True, text=True, env=env, timeout=120, cwd=cwd)


def test_help_is_swedish_by_default_and_english_with_lang_en() -> None:
    swedish = _run("--help", lang=None)
    assert swedish.returncode == 0
    assert "Ta fram kommunens lägesbild" in swedish.stdout
    assert swedish.stdout.startswith("Användning: lagesbild [FLAGGOR] KOMMANDO [ARGUMENT]...")
    for heading in ("Flaggor:", "Kommandon:", "Visa den här hjälpen och avsluta.", "Visa versionen."):
        assert heading in swedish.stdout, heading
    assert "Usage" not in swedish.stdout and "Show this message" not in swedish.stdout
    english = _run("--help", lang="en_US.UTF-8")
    assert "Build a municipality's lägesbild" in english.stdout and "Usage:" in english.stdout
    assert "Options:" in english.stdout and "Show this message and exit." in english.stdout


def test_a_commands_help_is_swedish_by_default_and_english_with_lang_en() -> None:
    swedish = _run("build", "--help", lang="sv_SE.UTF-8")
    assert swedish.returncode == 0 and swedish.stdout.startswith("Användning: lagesbild build [FLAGGOR]")
    assert "Beräkna indikatorerna och skriv rapporten" in swedish.stdout and "Flaggor:" in swedish.stdout
    assert (
        "Rapportår; standard: det senaste med data." in swedish.stdout
        and "[standard: lagesbild.toml]" in swedish.stdout
    )
    english = _run("build", "--help", lang="en")
    assert english.stdout.startswith("Usage: lagesbild build [OPTIONS]")
    assert "Report year; default: the latest with data." in english.stdout and "Options:" in english.stdout


def test_a_usage_error_reads_in_swedish_by_default_and_english_with_lang_en() -> None:
    swedish = _run("build", "--yea", "2024", lang=None)
    assert swedish.returncode == 2
    assert swedish.stderr.splitlines() == [
        "Användning: lagesbild build [FLAGGOR]",
        "Skriv 'lagesbild build --help' för hjälp.",
        "",
        "Fel: Det finns ingen flagga --yea (Möjliga flaggor: --lan, --year)",
    ]
    assert (
        "Fel: Ogiltigt värde för '--year' / '-y': ange ett heltal." in _run("build", "--year", "abc", lang=None).stderr
    )
    assert "Menade du 'build'?" in _run("buld", lang=None).stderr
    english = _run("build", "--yea", "2024", lang="en_GB.UTF-8")
    assert english.returncode == 2
    assert "Try 'lagesbild build --help' for help." in english.stderr
    assert "Error: No such option: --yea (Possible options: --lan, --year)" in english.stderr


def test_doctor_reads_in_swedish_by_default(tmp_path: Path) -> None:
    result = _run("doctor", "--config", str(tmp_path / "saknas.toml"), lang=None)
    assert result.returncode == 1
    assert "FEL     inställningsfilen: " in result.stdout and "paketet typer" in result.stdout
    assert result.stdout.rstrip().endswith("1 fel, 0 varningar.")
    english = _run("doctor", "--config", str(tmp_path / "saknas.toml"), lang="en")
    assert "ERROR config: " in english.stdout and english.stdout.rstrip().endswith("1 error, 0 warnings.")


def test_init_tells_the_next_steps_in_swedish_by_default_and_english_with_lang_en(tmp_path: Path) -> None:
    swedish = _run("init", "--kommun", "Ystad", "--dir", str(tmp_path / "sv"), lang=None)
    assert swedish.returncode == 0, swedish.stderr
    config = tmp_path / "sv" / "lagesbild.toml"
    assert f"Skrev {config} för Ystads kommun (1286). Nästa steg:" in swedish.stdout
    assert (
        f"(eller ladda ner Brås arbetsböcker för hand: lagesbild import bra MAPP --config {config})" in swedish.stdout
    )
    assert f"  3. lagesbild build --config {config}" in swedish.stdout
    assert "# ── Kommunens egen medborgarundersökning" in config.read_text(encoding="utf-8")
    english = _run("init", "--kommun", "Ystad", "--dir", str(tmp_path / "en"), lang="en_US.UTF-8")
    config = tmp_path / "en" / "lagesbild.toml"
    assert f"Wrote {config} for Ystads kommun (1286). Next steps:" in english.stdout
    assert f"lagesbild import bra FOLDER --config {config}" in english.stdout


def test_suggested_commands_are_runnable_as_printed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Under `uv run` (uv sets UV and points VIRTUAL_ENV at the project's .venv) lagesbild is not on the user's
    PATH: the next steps say `uv run lagesbild …`; with lagesbild on PATH (an activated venv, uv tool, pipx),
    `lagesbild …`."""
    from typer.testing import CliRunner

    from lagesbild_cli.cli import app

    bin_dir = str(Path(sys.executable).parent)
    monkeypatch.chdir(REPO)  # inside the project: no --project
    monkeypatch.setenv("UV", "/usr/bin/uv")
    monkeypatch.setenv("VIRTUAL_ENV", sys.prefix)
    monkeypatch.setenv("PATH", os.pathsep.join((bin_dir, os.environ.get("PATH", ""))))
    under_uv = CliRunner().invoke(app, ["init", "--kommun", "Ystad", "--dir", str(tmp_path / "uv")])
    config = tmp_path / "uv" / "lagesbild.toml"
    assert f"  2. uv run lagesbild fetch --config {config}\n" in under_uv.stdout
    assert f"  3. uv run lagesbild build --config {config}\n" in under_uv.stdout
    assert "uv run uv run" not in under_uv.stdout and ": lagesbild build --preview" not in under_uv.stdout
    monkeypatch.delenv("UV")
    on_path = CliRunner().invoke(app, ["init", "--kommun", "Ystad", "--dir", str(tmp_path / "path")])
    config = tmp_path / "path" / "lagesbild.toml"
    assert f"  3. lagesbild build --config {config}\n" in on_path.stdout and "uv run" not in on_path.stdout
    monkeypatch.setenv("PATH", str(tmp_path))  # no lagesbild on PATH: run through uv, from the project
    missing = CliRunner().invoke(app, ["init", "--kommun", "Ystad", "--dir", str(tmp_path / "none")])
    assert f"  3. uv run lagesbild build --config {tmp_path / 'none' / 'lagesbild.toml'}\n" in missing.stdout
    monkeypatch.chdir(tmp_path)  # outside the project: uv is told where it is
    outside = CliRunner().invoke(app, ["init", "--kommun", "Ystad", "--dir", str(tmp_path / "out")])
    assert f"  3. uv run --project {REPO} lagesbild build --config" in outside.stdout


def test_the_cli_and_its_helpers_speak_swedish(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Messages of cli/, doctor, demo and batch read in Swedish when the run's language is Swedish."""
    from typer.testing import CliRunner

    from lagesbild_cli import batch, demo, doctor
    from lagesbild_cli.cli import app
    from lagesbild_cli.errors import ConfigError

    monkeypatch.setenv("LANGUAGE", "sv")
    a_file = tmp_path / "fil.txt"
    a_file.write_text("x", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"är en fil, inte en mapp\.") as raised:
        demo.check_folder(a_file, force=False)
    assert raised.value.hint == "Ange en mapp för exemplet med --dir."
    checks = {c.name: c for c in doctor.run(tmp_path / "saknas.toml")}
    assert checks["inställningsfilen"].status == "ERROR"
    assert batch.COVERAGE[0][0] == "Brå workbook" and i18n._(batch.COVERAGE[0][0]) == "Brås arbetsbok"
    result = CliRunner().invoke(app, ["init", "--lan", "20", "--dir", str(tmp_path / "lan")])
    assert "ett länsprojekt för de 15 kommunerna i Dalarnas län. Nästa steg:" in result.stdout
    again = CliRunner().invoke(app, ["build", "--date", "igår", "--config", str(tmp_path / "saknas.toml")])
    assert again.exit_code == 2 and "'igår' är inget datum på formen ÅÅÅÅ-MM-DD." in again.stderr


def test_an_error_reads_in_swedish(tmp_path: Path) -> None:
    result = _run("build", "--config", str(tmp_path / "saknas.toml"), lang="sv_SE.UTF-8")
    assert result.returncode == 1
    assert re.match(r"Fel \(fel i inställningarna\): ", result.stderr), result.stderr
    assert "Error" not in result.stderr
