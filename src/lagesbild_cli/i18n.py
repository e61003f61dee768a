"""The language the tool speaks to its user: Swedish by default, English with ``LANG=en``.

Every message, help text and note a person reads is written in English in the code and wrapped in :func:`_`
(or :func:`ngettext`); the Swedish text comes from the standard gettext catalogue
``locale/sv/LC_MESSAGES/lagesbild.po`` (compiled to ``.mo``, both shipped with the package; ``make locale``
extracts and compiles them). The report itself is Swedish in its templates and never goes through here.

The language is read from the environment as gettext does — the first of ``LANGUAGE``, ``LC_ALL``,
``LC_MESSAGES`` and ``LANG`` that is set — at every call, so a test can switch it: a value starting with
``en`` gives English, anything else (``sv_SE.UTF-8``, ``C``, unset) Swedish, since the tool's users are
Swedish municipal staff whose machines often run an English or a neutral locale.

Messages are formatted after translation, with named fields (``_("{path} is missing").format(path=…)``),
never f-strings inside :func:`_`: a translation may put the fields in another order.
"""

from __future__ import annotations

import gettext
import os
from functools import cache
from pathlib import Path

DOMAIN = "lagesbild"
LOCALE_DIR = Path(__file__).parent / "locale"
_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def language() -> str:
    """``"en"`` or ``"sv"``: the language of this run's messages, from the environment as gettext reads it."""
    for variable in _VARIABLES:
        value = os.environ.get(variable, "")
        if value:
            first = value.split(":")[0].strip().lower()
            return "en" if first.startswith("en") else "sv"
    return "sv"


@cache
def _translations(lang: str) -> gettext.NullTranslations:
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)


def _(message: str) -> str:
    """``message`` in the run's language (the English text itself when no translation exists)."""
    return _translations(language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form of a message for ``n``, in the run's language."""
    return _translations(language()).ngettext(singular, plural, n)


def N_(message: str) -> str:  # gettext's name for "mark for translation, translate later"
    """Mark a constant for the catalogue without translating it here; translate it with :func:`_` where shown."""
    return message


def install_for_libraries() -> None:
    """Let click's and Typer's own words ("Usage:", "Options", "Show this message and exit.") follow the run's
    language: both ask the standard library's gettext in its default domain, which reads ``LANGUAGE``. Called
    once by the command's entry point, never on import."""
    if language() == "sv":
        os.environ["LANGUAGE"] = "sv"
        gettext.bindtextdomain("messages", str(LOCALE_DIR))
