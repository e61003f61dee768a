"""The report's HTML loses the blank text between block tags, and nothing a reader sees."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from conftest import Demo
from lagesbild_cli.render.markup import BLOCK_TAGS, drop_blank_between_blocks


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
