"""[profil] logo, farg and typsnitt: a hostile or broken file is refused when the config is read, and the
message names the file and says what to do."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from lagesbild_cli.errors import ConfigError
from lagesbild_cli.settings.config import Config
from lagesbild_cli.settings.profile import LOGO_MAX_BYTES, PNG_SIGNATURE

LOGO = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 40" width="120" height="40">
<rect x="0" y="0" width="40" height="40" rx="6" fill="#7FB3D5"/><text x="48" y="27" font-size="18">Gagnef</text>
</svg>"""


def with_logo(make_config: Callable[..., Config], tmp_path: Path, name: str, data: bytes | str) -> Config:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return make_config(extra=f'[profil]\nlogo = "{name}"\nfarg = "#7FB3D5"\n')


def test_a_plain_svg_logo_and_a_colour_are_read(make_config: Callable[..., Config], tmp_path: Path) -> None:
    config = with_logo(make_config, tmp_path, "logo.svg", LOGO)
    assert config.profile.logo is not None
    assert config.profile.logo.media_type == "image/svg+xml"
    assert config.profile.colour == "#7fb3d5"


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("s.svg", LOGO.replace("<rect", '<script>alert("x")</script><rect'), "holds a <script> element"),
        ("h.svg", LOGO.replace("<rect", '<rect onload="alert(1)"'), "event handler (onload)"),
        (
            "x.svg",
            LOGO.replace("<svg ", '<svg xmlns:xlink="http://www.w3.org/1999/xlink" ').replace(
                "<rect", '<a xlink:href="https://evil.example/"><circle r="2"/></a><rect'
            ),
            "refers to something outside itself (https://evil.example/)",
        ),
        ("i.svg", LOGO.replace("<rect", '<image href="https://evil.example/x.png"/><rect'), "<image> element"),
        ("u.svg", LOGO.replace('fill="#7FB3D5"', 'fill="url(https://evil.example/p)"'), "outside itself"),
        ("e.svg", '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]>' + LOGO, "DOCTYPE or entity"),
        ("fake.png", b"GIF89a not a png at all", "is named .png but is not a PNG image"),
        ("big.png", PNG_SIGNATURE + b"\0" * LOGO_MAX_BYTES, "at most 512 kB is accepted"),
        ("logo.gif", b"GIF89a", "neither an SVG nor a PNG"),
    ],
)
def test_a_hostile_or_broken_logo_is_refused_with_what_to_do(
    make_config: Callable[..., Config], tmp_path: Path, name: str, data: str | bytes, says: str
) -> None:
    with pytest.raises(ConfigError) as error:
        with_logo(make_config, tmp_path, name, data)
    assert says in str(error.value)
    assert name in str(error.value)  # the message names the file
    assert error.value.hint  # and says what to do


def test_a_missing_logo_a_bad_colour_and_a_fake_font_are_refused(
    make_config: Callable[..., Config], tmp_path: Path
) -> None:
    with pytest.raises(ConfigError, match=r"saknas\.svg \(\[profil\] logo\) does not exist"):
        make_config(extra='[profil]\nlogo = "saknas.svg"\n')
    with pytest.raises(ConfigError, match="farg' is 'blå'"):
        make_config(extra='[profil]\nfarg = "blå"\n')
    (tmp_path / "Sans.ttf").write_bytes(b"not a font")
    with pytest.raises(ConfigError, match=r"Sans\.ttf \(\[profil\] typsnitt\) is not a readable"):
        make_config(extra='[profil]\ntypsnitt = "Sans.ttf"\n')


def test_a_refused_logo_and_a_bad_colour_read_in_swedish(
    make_config: Callable[..., Config], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANGUAGE", "sv")
    with pytest.raises(ConfigError) as error:
        with_logo(make_config, tmp_path, "s.svg", LOGO.replace("<rect", '<rect onload="alert(1)"'))
    assert f"Logotypen {tmp_path / 's.svg'} ([profil] logo) godtas inte: den har en händelsehanterare (onload)." in (
        str(error.value)
    )
    assert "→ Använd logotypen som en vanlig bild: exportera den igen som SVG utan skript" in str(error.value)
    with pytest.raises(ConfigError) as error:
        make_config(extra='[profil]\nfarg = "blå"\n')
    assert "nyckeln 'profil.farg' är 'blå'.\n  → Ange huvudfärgen som sex hexadecimala siffror" in str(error.value)
