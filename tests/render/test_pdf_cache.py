"""A report whose HTML has not changed is not rendered again; a changed one is; the cache never fails a build."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from lagesbild_cli import pipeline
from lagesbild_cli.render import pdf_cache, report
from lagesbild_cli.settings.config import Config


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts renders. What is tested here is when the cache renders, not WeasyPrint (every other report
    test renders for real), so a stand-in gives each HTML its own small whole PDF in no time."""
    calls: list[int] = []

    def counted(html: str) -> bytes:
        calls.append(len(html))
        return b"%PDF-1.7\n% stand-in for " + pdf_cache.key(html).encode("ascii") + b"\n%%EOF\n"

    monkeypatch.setattr(report, "render_pdf", counted)
    return calls


class Unused:
    """A render process that records what the build asked of it."""

    def __init__(self) -> None:
        self.closed = False
        self.submitted = False

    def submit(self, html: str) -> object:
        self.submitted = True
        raise AssertionError("a kept PDF is not rendered")

    def close(self) -> None:
        self.closed = True


def test_an_unchanged_report_is_not_rendered_again_and_a_changed_one_is(
    loaded_config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, renders: list[int]
) -> None:
    monkeypatch.delenv(pdf_cache.ENV, raising=False)  # the default: data/processed/cache/pdf
    first = pipeline.build(loaded_config, 2024)
    pdf = first.pdf.read_bytes()
    assert len(renders) == 1
    cached = list((loaded_config.processed_dir / "cache" / "pdf").glob("*.pdf"))
    assert len(cached) == 1 and cached[0].read_bytes() == pdf

    renderer = Unused()
    again = pipeline.build(loaded_config, 2024, renderer=renderer)  # type: ignore[arg-type]
    assert len(renders) == 1  # the same HTML: the kept PDF is used
    assert again.pdf.read_bytes() == pdf
    assert renderer.closed and not renderer.submitted  # the render process started early is stopped at once

    dated = pipeline.build(loaded_config, 2024, report_date=datetime.date(2027, 1, 15))
    assert len(renders) == 2  # another date on the cover: another HTML, rendered
    assert dated.pdf.read_bytes() != pdf and dated.pdf.read_bytes().startswith(b"%PDF-")


def test_the_cache_can_be_turned_off(
    loaded_config: Config, monkeypatch: pytest.MonkeyPatch, renders: list[int]
) -> None:
    monkeypatch.setenv(pdf_cache.ENV, "off")
    pipeline.build(loaded_config, 2024)
    pipeline.build(loaded_config, 2024)
    assert len(renders) == 2
    assert not (loaded_config.processed_dir / "cache").exists()


def test_the_key_changes_with_the_html_and_the_software(monkeypatch: pytest.MonkeyPatch) -> None:
    key = pdf_cache.key("<p>a</p>")
    assert key == pdf_cache.key("<p>a</p>") and key != pdf_cache.key("<p>b</p>")
    monkeypatch.setattr(pdf_cache, "__version__", "99.0")
    pdf_cache._software.cache_clear()  # the versions are read once per process
    try:
        assert pdf_cache.key("<p>a</p>") != key
    finally:
        monkeypatch.undo()
        pdf_cache._software.cache_clear()


def test_a_broken_file_is_no_pdf_and_an_unwritable_cache_is_no_error(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    pdf_cache.put(cache, "k", b"%PDF-1.7\n...\n%%EOF\n")
    assert pdf_cache.get(cache, "k") == b"%PDF-1.7\n...\n%%EOF\n"
    (cache / "k.pdf").write_bytes(b"%PDF-1.7\n...")  # cut short, as by a full disk elsewhere
    assert pdf_cache.get(cache, "k") is None
    assert pdf_cache.get(cache, "missing") is None
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    pdf_cache.put(blocked, "k", b"%PDF-1.7\n%%EOF\n")  # cannot be written: no error, no reuse
    assert pdf_cache.get(blocked, "k") is None


def test_only_the_newest_are_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_cache, "KEEP", 3)
    for n in range(5):
        pdf_cache.put(tmp_path, f"k{n}", b"%PDF-1.7\n%%EOF\n")
        stamp = 1_700_000_000 + n
        __import__("os").utime(tmp_path / f"k{n}.pdf", (stamp, stamp))
    pdf_cache.put(tmp_path, "k5", b"%PDF-1.7\n%%EOF\n")
    assert sorted(p.stem for p in tmp_path.glob("*.pdf")) == ["k3", "k4", "k5"]
