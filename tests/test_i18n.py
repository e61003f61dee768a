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


def _run(*args: str, lang: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")}
    if lang:
        env["LANG"] = lang
    return subprocess.run(
        [sys.executable, "-m", "lagesbild_cli", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_help_is_swedish_by_default_and_english_with_lang_en() -> None:
    swedish = _run("--help", lang=None)
    assert swedish.returncode == 0
    assert "Ta fram kommunens lägesbild" in swedish.stdout
    english = _run("--help", lang="en_US.UTF-8")
    assert "Build a municipality's lägesbild" in english.stdout and "Usage:" in english.stdout


def test_an_error_reads_in_swedish(tmp_path: Path) -> None:
    result = _run("build", "--config", str(tmp_path / "saknas.toml"), lang="sv_SE.UTF-8")
    assert result.returncode == 1
    assert re.match(r"Fel \(fel i inställningarna\): ", result.stderr), result.stderr
    assert "Error" not in result.stderr
