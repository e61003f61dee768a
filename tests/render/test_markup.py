"""The report's HTML loses the blank text between block tags, and nothing a reader sees."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from conftest import Demo
from lagesbild_cli.render.markup import BIDI_CONTROLS, BLOCK_TAGS, drop_blank_between_blocks, render_markdown


class _Words(HTMLParser):
    """The words a reader sees: a block, cell or SVG element's edge ends a word; an inline tag's does not."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.parts.append(" " if tag in BLOCK_TAGS else "")

    def handle_endtag(self, tag: str) -> None:
        self.handle_starttag(tag, [])

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def words(self) -> list[str]:
        return "".join(self.parts).split()


def words(html: str) -> list[str]:
    parser = _Words()
    parser.feed(html)
    return parser.words()


def test_blank_text_between_cells_rows_and_svg_elements_is_dropped() -> None:
    html = (
        '<table>\n  <tr>\n    <th scope="row">Gagnef</th>\n    <td class="num">1 234</td>\n  </tr>\n</table>\n'
        '<svg viewBox="0 0 10 10">\n  <line x1="0"/>\n  <text x="1">Riket 53</text>\n</svg>'
    )
    assert drop_blank_between_blocks(html) == (
        '<table><tr><th scope="row">Gagnef</th><td class="num">1 234</td></tr></table>'
        '<svg viewBox="0 0 10 10"><line x1="0"/><text x="1">Riket 53</text></svg>'
    )


def test_a_space_next_to_an_inline_tag_stays() -> None:
    html = '<p>Läs <strong>mer</strong> <a href="#metod">om metoden</a> <code>x</code>.</p>\n<td> <span>a</span> b</td>'
    assert drop_blank_between_blocks(html) == html.replace("</p>\n<td>", "</p><td>")


def test_text_inside_a_tag_is_never_touched() -> None:
    html = "<td>  två   mellanslag  </td><text>  x  </text><p>\n  rad\n</p>"
    assert drop_blank_between_blocks(html) == html


def test_a_longer_tag_name_is_not_taken_for_a_shorter_one() -> None:
    # <textarea>, <colgroupx>, <tbodyx> are not block tags of the list: blanks around them stay
    html = "<p>a</p> <textarea>b</textarea> <p>c</p>"
    assert drop_blank_between_blocks(html) == html


def test_the_published_report_has_no_blank_text_between_cells_and_the_same_words(built: Demo) -> None:
    html = built.html
    assert not re.search(r"</t[dh]>\s+<t[dh]\b", html)
    assert not re.search(r"</tr>\s+<tr\b", html)
    assert drop_blank_between_blocks(html) == html
    # the words a reader sees are those of the same HTML with its blanks kept
    indented = re.sub(r"(</?(?:tr|td|th|p|li|div|span|strong|a)\b[^>]*>)", r"\n  \1\n  ", html)
    assert words(drop_blank_between_blocks(indented)) == words(indented)


@pytest.mark.parametrize(
    "address",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.1.2.3/intranet",
        "http://127.0.0.1:8080/",
        "https://192.168.1.1/",
        "http://172.20.0.5/",
        "http://[::1]/",
        "http://[fe80::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://localhost:3000/admin",
        "http://intranet.localhost/",
        "http://2130706433/",  # 127.0.0.1 as one number, as browsers read it
        "http://0x7f.1/",
        "http://0.0.0.0/",
    ],
)
def test_a_narrative_link_to_a_local_address_is_plain_text(address: str) -> None:
    html = render_markdown(f"Se [kartan]({address}), ![bilden]({address}) och <{address}>.")
    assert "<a " not in html and "href" not in html
    assert html.startswith("<p>Se kartan, !bilden och ")


def test_narrative_links_to_public_addresses_stay_links() -> None:
    html = render_markdown("[Brå](https://bra.se/statistik) och [SCB](http://194.68.1.2/) och [mejl](mailto:a@b.se)")
    assert html.count("<a href=") == 3 and '<a href="https://bra.se/statistik">Brå</a>' in html


def test_bidi_controls_written_as_entities_are_removed_after_decoding() -> None:
    entities = '&#x202e;evil&#x202c; &#8207;x&#x200e; &#x2066;i&#x2069; &#x061c;a [t](https://bra.se "ti&#x202e;tle")'
    html = render_markdown(entities)
    assert not any(chr(c) in html for c in BIDI_CONTROLS)
    assert "evil x i a" in html and 'title="title"' in html
