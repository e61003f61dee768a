"""A report whose HTML has not changed is not rendered again; a changed one is; the cache never fails a build,
and never serves a PDF this project did not put there."""

from __future__ import annotations

import datetime
import hashlib
import os
import shutil
from pathlib import Path

import pytest

from lagesbild_cli import pipeline
from lagesbild_cli.render import pdf_cache, report
from lagesbild_cli.settings.config import Config, load_config


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts renders. What is tested here is when the cache renders, not WeasyPrint (every other report
    test renders for real), so a stand-in gives each HTML its own small whole PDF in no time."""
    calls: list[int] = []

    def counted(html: str) -> bytes:
        calls.append(len(html))
        return b"%PDF-1.7\n% stand-in for " + hashlib.sha256(html.encode()).hexdigest().encode() + b"\n%%EOF\n"

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
    assert not (loaded_config.processed_dir / "cache" / "pdf").exists()


def test_the_key_changes_with_the_html_the_software_and_the_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = pdf_cache.Cache(tmp_path, b"s" * 32)
    key = pdf_cache.key(cache, "<p>a</p>")
    assert key == pdf_cache.key(cache, "<p>a</p>") and key != pdf_cache.key(cache, "<p>b</p>")
    assert pdf_cache.key(pdf_cache.Cache(tmp_path, b"t" * 32), "<p>a</p>") != key  # another project
    monkeypatch.setattr(pdf_cache, "__version__", "99.0")
    pdf_cache._software.cache_clear()  # the versions are read once per process
    try:
        assert pdf_cache.key(cache, "<p>a</p>") != key
        monkeypatch.undo()
        pdf_cache._software.cache_clear()
        pdf_cache._code.cache_clear()
        code = tmp_path / "code"
        shutil.copytree(pdf_cache._CODE, code, ignore=shutil.ignore_patterns("__pycache__", "data"))
        monkeypatch.setattr(pdf_cache, "_CODE", code)
        assert pdf_cache.key(cache, "<p>a</p>") == key
        pdf_cache._software.cache_clear()
        pdf_cache._code.cache_clear()
        with (code / "pdf_render.py").open("a", encoding="utf-8") as handle:
            handle.write("# a change to the render code, same version number\n")
        assert pdf_cache.key(cache, "<p>a</p>") != key
    finally:
        monkeypatch.undo()
        pdf_cache._software.cache_clear()
        pdf_cache._code.cache_clear()


def test_a_broken_file_is_no_pdf_and_an_unwritable_cache_is_no_error(tmp_path: Path) -> None:
    cache = pdf_cache.Cache(tmp_path / "cache", b"s" * 32)
    pdf_cache.put(cache, "k", b"%PDF-1.7\n...\n%%EOF\n")
    assert pdf_cache.get(cache, "k") == b"%PDF-1.7\n...\n%%EOF\n"
    (cache.folder / "k.pdf").write_bytes(b"%PDF-1.7\n...")  # cut short, as by a full disk elsewhere
    assert pdf_cache.get(cache, "k") is None
    assert pdf_cache.get(cache, "missing") is None
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    unwritable = pdf_cache.Cache(blocked, b"s" * 32)
    pdf_cache.put(unwritable, "k", b"%PDF-1.7\n%%EOF\n")  # cannot be written: no error, no reuse
    assert pdf_cache.get(unwritable, "k") is None


def test_only_the_newest_are_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_cache, "KEEP", 3)
    cache = pdf_cache.Cache(tmp_path, b"s" * 32)
    for n in range(5):
        pdf_cache.put(cache, f"k{n}", b"%PDF-1.7\n%%EOF\n")
        stamp = 1_700_000_000 + n
        os.utime(tmp_path / f"k{n}.pdf", (stamp, stamp))
    pdf_cache.put(cache, "k5", b"%PDF-1.7\n%%EOF\n")
    assert sorted(p.stem for p in tmp_path.glob("*.pdf")) == ["k3", "k4", "k5"]
    assert sorted(p.stem for p in tmp_path.glob("*.json")) == ["k3", "k4", "k5"]  # each with its record only


def _kept(config: Config) -> tuple[Path, Path]:
    """The one PDF in the project's cache folder, and its record."""
    (pdf,) = (config.processed_dir / "cache" / "pdf").glob("*.pdf")
    return pdf, pdf.with_suffix(".json")


def test_a_forged_entry_is_not_published(
    loaded_config: Config, monkeypatch: pytest.MonkeyPatch, renders: list[int]
) -> None:
    """Garbage between %PDF- and %%EOF under the right name is rendered anew, with its record or without."""
    monkeypatch.delenv(pdf_cache.ENV, raising=False)
    good = pipeline.build(loaded_config, 2024).pdf.read_bytes()
    pdf, record = _kept(loaded_config)
    forged = b"%PDF-1.7\n1 0 obj << /Forged true >> endobj\n%%EOF\n"
    pdf.write_bytes(forged)
    assert pipeline.build(loaded_config, 2024).pdf.read_bytes() == good
    assert len(renders) == 2 and pdf.read_bytes() == good  # rendered anew, and the entry replaced
    pdf.write_bytes(forged)
    record.write_text(f'{{"sha256": "{hashlib.sha256(forged).hexdigest()}", "mac": "{"0" * 64}"}}', encoding="utf-8")
    assert pipeline.build(loaded_config, 2024).pdf.read_bytes() == good  # its digest is right, its MAC is not
    assert len(renders) == 3
    record.unlink()
    assert pipeline.build(loaded_config, 2024).pdf.read_bytes() == good  # a PDF without its record
    assert len(renders) == 4
    assert pipeline.build(loaded_config, 2024).pdf.read_bytes() == good
    assert len(renders) == 4  # the entry it wrote is used again


def test_a_shared_cache_never_crosses_projects(
    loaded_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, renders: list[int]
) -> None:
    """Two projects with the same data (so the same HTML) sharing LAGESBILD_CACHE_DIR: each renders its own,
    and what the other project writes under this one's name (with a record of its own) is not published."""
    shared = tmp_path / "shared"
    monkeypatch.setenv(pdf_cache.ENV, str(shared))
    projects = []
    for name in ("ours", "theirs"):
        shutil.copytree(loaded_dir, tmp_path / name)
        (tmp_path / name / "data/processed" / pdf_cache.PROJECT_KEY).unlink()  # made on their own
        projects.append(load_config(tmp_path / name / "lagesbild.toml"))
    ours, theirs = projects
    mine = pipeline.build(ours, 2024).pdf.read_bytes()
    assert pipeline.build(theirs, 2024).pdf.read_bytes() == mine  # the same HTML ...
    assert len(renders) == 2 and len(list(shared.glob("*.pdf"))) == 2  # ... but not the same project
    our_cache = pdf_cache.Cache(shared, pdf_cache.project_secret(ours.processed_dir))
    (our_name,) = [p.stem for p in shared.glob("*.pdf") if pdf_cache.get(our_cache, p.stem) is not None]
    their_cache = pdf_cache.Cache(shared, pdf_cache.project_secret(theirs.processed_dir))
    pdf_cache.put(their_cache, our_name, b"%PDF-1.7\n% another kommun's report\n%%EOF\n")
    assert pipeline.build(ours, 2024).pdf.read_bytes() == mine
    assert len(renders) == 3  # not published: rendered anew
