"""The kommun's graphic profile files ([profil] logo, farg, typsnitt), checked when the config is read.

A logo or a font goes into every report page as a ``data:`` URL, so the report set stays self-contained and
nothing is fetched. What is refused, and why:

- an SVG logo with a script, an event handler (``onload=…``), a ``<foreignObject>``, a DOCTYPE or entity (the
  "billion laughs"), or any reference outside itself (``href``, ``xlink:href``, ``url(…)`` or ``@import`` that is
  not ``#id``): a logo is a picture, and the web page shows it as one;
- a PNG that does not start with the PNG signature (a JPEG or a text renamed to ``.png``);
- a font file that fontTools cannot read as TrueType/OpenType;
- any file larger than its limit, which would make every report set heavy.

Every error names the file and says what to do.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from lagesbild_cli.errors import ConfigError
from lagesbild_cli.i18n import _

LOGO_MAX_BYTES = 512 * 1024
FONT_MAX_BYTES = 2 * 1024 * 1024
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
SVG_NS = "http://www.w3.org/2000/svg"
_FORBIDDEN_ELEMENTS = {"script", "foreignobject", "iframe", "object", "embed", "audio", "video", "image", "use"}
_EXTERNAL = re.compile(r"url\(\s*['\"]?(?!#)|@import|javascript:", re.IGNORECASE)


@dataclass(frozen=True)
class Logo:
    path: Path
    media_type: str  # image/svg+xml or image/png
    data: bytes


@dataclass(frozen=True)
class FontFile:
    path: Path
    weight: int  # 400 regular, 700 bold
    format: str  # truetype or opentype
    data: bytes


def _too_big(path: Path, limit: int, what: str) -> ConfigError:
    if what == "logo":  # whole sentences for each, so that a translation reads right
        message = _("The logo {path} is {size} kB; at most {limit} kB is accepted.")
        hint = _("Save a smaller version of the logo (each report page carries it) and point [profil] to it.")
    else:
        message = _("The font {path} is {size} kB; at most {limit} kB is accepted.")
        hint = _("Save a smaller version of the font (each report page carries it) and point [profil] to it.")
    return ConfigError(message.format(path=path, size=path.stat().st_size // 1024, limit=limit // 1024), hint=hint)


def _read(path: Path, limit: int, what: str, key: str) -> bytes:
    if not path.is_file():
        message = (
            _("The logo {path} ([profil] {key}) does not exist.")
            if what == "logo"
            else _("The font {path} ([profil] {key}) does not exist.")
        )
        raise ConfigError(
            message.format(path=path, key=key),
            hint=_(
                "Put the file beside the config (or fix the path in [profil] {key}, relative to the config)."
            ).format(key=key),
        )
    if path.stat().st_size > limit:
        raise _too_big(path, limit, what)
    return path.read_bytes()


def read_logo(path: Path) -> Logo:
    """The logo's bytes, checked: an SVG without scripts or outside references, or a real PNG."""
    suffix = path.suffix.lower()
    if suffix not in (".svg", ".png"):
        raise ConfigError(
            _("The logo {path} ([profil] logo) is neither an SVG nor a PNG file.").format(path=path),
            hint=_("Save the logo as SVG (best: it stays sharp) or PNG and give that file in [profil] logo."),
        )
    data = _read(path, LOGO_MAX_BYTES, "logo", "logo")
    if suffix == ".png":
        if not data.startswith(PNG_SIGNATURE):
            raise ConfigError(
                _("The logo {path} ([profil] logo) is named .png but is not a PNG image.").format(path=path),
                hint=_("Export the logo as PNG (or SVG) from the original file; renaming a file does not convert it."),
            )
        return Logo(path, "image/png", data)
    _check_svg(path, data)
    return Logo(path, "image/svg+xml", data)


def _svg_refused(path: Path, what: str) -> ConfigError:
    """``what`` is what the logo does, in the run's language ("has an event handler (onload)")."""
    return ConfigError(
        _("The logo {path} ([profil] logo) is refused: it {what}.").format(path=path, what=what),
        hint=_(
            "Use the logo as a plain picture: export it again as SVG without scripts, links or embedded "
            "files (e.g. 'Plain SVG' in Inkscape), or as PNG."
        ),
    )


def _check_svg(path: Path, data: bytes) -> None:
    text = data.decode("utf-8", errors="replace")
    if re.search(r"<!DOCTYPE|<!ENTITY", text, re.IGNORECASE):
        raise _svg_refused(path, _("has a DOCTYPE or entity declaration"))
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ConfigError(
            _("The logo {path} ([profil] logo) is not a readable SVG file ({error}).").format(path=path, error=exc),
            hint=_("Export the logo again as SVG, or as PNG."),
        ) from None
    if root.tag != f"{{{SVG_NS}}}svg":
        raise _svg_refused(path, _("is not an SVG image (its root element is not <svg>)"))
    for element in root.iter():
        name = element.tag.rsplit("}", 1)[-1].lower()
        if name in _FORBIDDEN_ELEMENTS:
            raise _svg_refused(path, _("holds a <{element}> element").format(element=name))
        for attribute, value in element.attrib.items():
            local = attribute.rsplit("}", 1)[-1].lower()
            if local.startswith("on"):
                raise _svg_refused(path, _("has an event handler ({attribute})").format(attribute=local))
            if local == "href" and not value.startswith("#"):
                raise _svg_refused(path, _("refers to something outside itself ({value})").format(value=value[:60]))
            if _EXTERNAL.search(value):
                raise _svg_refused(path, _("refers to something outside itself ({value})").format(value=value[:60]))
        if name == "style" and _EXTERNAL.search("".join(element.itertext())):
            raise _svg_refused(path, _("has a style that refers to something outside itself"))


def read_font(path: Path, weight: int) -> FontFile:
    """A TrueType or OpenType font file, read by fontTools to make sure it is one."""
    suffix = path.suffix.lower()
    if suffix not in (".ttf", ".otf"):
        raise ConfigError(
            _("The font {path} ([profil] typsnitt) is not a .ttf or .otf file.").format(path=path),
            hint=_(
                "Give the typeface's font files as TrueType (.ttf) or OpenType (.otf); WOFF and Type 1 are "
                "not accepted."
            ),
        )
    data = _read(path, FONT_MAX_BYTES, "font", "typsnitt")
    from io import BytesIO

    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]  # imported here: only a profile with fonts needs it

    try:
        TTFont(BytesIO(data), lazy=True)["head"]
    except Exception as exc:  # fontTools raises many kinds on a damaged file
        raise ConfigError(
            _("The font {path} ([profil] typsnitt) is not a readable TrueType/OpenType font ({error}).").format(
                path=path, error=type(exc).__name__
            ),
            hint=_("Use the font files the typeface's publisher distributes, unchanged."),
        ) from None
    return FontFile(path, weight, "opentype" if suffix == ".otf" else "truetype", data)
